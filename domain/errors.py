"""Exceptions every context raises: expected failures, refusals and missing authentication."""

from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    """An expected failure the caller can fix; it becomes a payload error `{field, message, code}`."""

    def __init__(self, code: StrEnum | str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.field = field


class NotFound(DomainError):
    def __init__(self, what: str, field: str | None = "id") -> None:
        super().__init__("NOT_FOUND", f"{what} not found", field)


class InvalidInput(DomainError):
    def __init__(self, field: str, message: str, code: str = "INVALID") -> None:
        super().__init__(code, message, field)


class PermissionDenied(Exception):
    """The caller is authenticated but may not do this; a top-level GraphQL error `FORBIDDEN`."""

    code = "FORBIDDEN"

    def __init__(self, permission: str) -> None:
        super().__init__(f"permission {permission!r} is required for this operation")
        self.permission = permission


class Unauthenticated(Exception):
    """No valid token was presented; a top-level error `UNAUTHENTICATED` (HTTP 401 for a bad token)."""

    code = "UNAUTHENTICATED"

    def __init__(
        self,
        message: str = "authentication required: send 'Authorization: Bearer <token>'",
    ) -> None:
        super().__init__(message)
