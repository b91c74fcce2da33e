"""The observatory on the web: server-rendered pages and their JSON twins under /api/v1."""

from alliances.web.app import create_app

__all__ = ["create_app"]
