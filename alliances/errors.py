"""One small error hierarchy, mapped once to HTTP statuses and once to CLI exit codes."""


class AllianceError(Exception):
    """Base of every error a user may see; its message is one clear sentence."""

    status = 400
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(AllianceError):
    """Bad input from a person or a file: nothing was written."""

    status = 400
    exit_code = 2


class NotFound(AllianceError):
    status = 404
    exit_code = 3


class Forbidden(AllianceError):
    status = 403
    exit_code = 4


class Conflict(AllianceError):
    status = 409
    exit_code = 5


class StorageError(AllianceError):
    """The database cannot be opened or written (read-only file, server down)."""

    status = 503
    exit_code = 6


class Unauthorized(AllianceError):
    """No valid account or token was presented (issue 13)."""

    status = 401
    exit_code = 4


class TooManyRequests(AllianceError):
    """Too many attempts in a short time, e.g. failed logins (issue 13)."""

    status = 429
    exit_code = 1
