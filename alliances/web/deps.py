"""Request-scoped dependencies shared by every route: who is reading.

The viewer is what the store filters private records by. Authentication middleware sets
`request.state.viewer`; without it a visitor is anonymous and sees public data only.
"""

from __future__ import annotations

from fastapi import Request

from alliances.store.viewer import Viewer


def get_viewer(request: Request) -> Viewer:
    """The reader of this request (anonymous unless authentication set one)."""
    viewer = getattr(request.state, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else Viewer()
