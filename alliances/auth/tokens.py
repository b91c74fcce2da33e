"""Random secrets and their digests: the clear value goes to the user once, the digest to the database."""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "ao_"


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def csrf_for(session_secret: str) -> str:
    """The CSRF token of a web session: derived from its secret, so it needs no storage of its own."""
    return hmac.new(session_secret.encode(), b"csrf", hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
