"""Password hashing with argon2id: slow on purpose, salted, parameters carried in the hash."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from alliances.errors import InvalidInput

_HASHER = PasswordHasher()
MIN_LENGTH = 10
# A hash of a random password, verified when the email is unknown so timing does not reveal accounts.
_DUMMY = _HASHER.hash("not-a-real-password-0123456789")


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"password too short: at least {MIN_LENGTH} characters")
    if len(password) > 1024:
        raise InvalidInput("password too long: at most 1024 characters")
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY, password[:1024]) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
