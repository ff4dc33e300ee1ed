"""Typed exceptions the SDK raises, and the mapping from GraphQL errors to them."""

from collections.abc import Mapping, Sequence
from typing import Any

JSON = dict[str, Any]


class NimbusError(Exception):
    """Base class of every error the SDK raises."""


class TransportError(NimbusError):
    """The server could not be reached, or did not answer with GraphQL JSON."""


class AuthError(NimbusError):
    """The request carried no valid token (HTTP 401 or code UNAUTHENTICATED)."""


class ForbiddenError(NimbusError):
    """The token is valid but lacks the permission (code FORBIDDEN)."""

    def __init__(self, message: str, errors: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(message)
        self.errors = [dict(error) for error in errors]


class GraphQLRequestError(NimbusError):
    """Any other top-level GraphQL error; `errors` keeps the server's list."""

    def __init__(self, message: str, errors: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(message)
        self.errors = [dict(error) for error in errors]


class NotFoundError(NimbusError):
    """`node(id)` found nothing of the expected type: no such object, or out of reach."""


class PayloadError(NimbusError):
    """A mutation refused the input: its payload carried `errors {field message code}`."""

    def __init__(self, errors: Sequence[Mapping[str, Any]]) -> None:
        self.errors = [dict(error) for error in errors]
        super().__init__("; ".join(_describe(error) for error in self.errors))


def _describe(error: Mapping[str, Any]) -> str:
    text = str(error.get("message") or "refused")
    if error.get("field"):
        text = f"{error['field']}: {text}"
    if error.get("code"):
        text = f"{text} ({error['code']})"
    return text


def _code(error: Mapping[str, Any]) -> str | None:
    extensions = error.get("extensions")
    if isinstance(extensions, Mapping):
        code = extensions.get("code")
        return str(code) if code is not None else None
    return None


def error_for(errors: Sequence[Mapping[str, Any]], request_id: str | None = None) -> NimbusError:
    """The exception that best describes a list of top-level GraphQL errors."""
    message = "; ".join(str(error.get("message", "unknown error")) for error in errors)
    codes = {_code(error) for error in errors}
    # Authentication wins over authorization: a new token may fix both.
    if "UNAUTHENTICATED" in codes:
        return AuthError(message)
    if "FORBIDDEN" in codes:
        return ForbiddenError(message, errors)
    if request_id and "INTERNAL_SERVER_ERROR" in codes:
        # The server hides the cause and asks the user to quote this id.
        message = f"{message} (request id {request_id})"
    return GraphQLRequestError(message or "request failed", errors)
