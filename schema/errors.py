"""Every top-level error leaves with a code in `extensions`; unexpected ones leave masked."""

from __future__ import annotations

import logging

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from domain.errors import DomainError, PermissionDenied, Unauthenticated

log = logging.getLogger("nimbus.graphql")
INTERNAL = "Internal server error; quote the request id to an operator"


def _coded(error: GraphQLError, message: str, code: str, extra: dict[str, object] | None = None) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code, **(extra or {})},
    )


def format_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        if error.extensions and "code" in error.extensions:
            return error
        # No original error: the document failed to parse or validate.
        code = "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else "GRAPHQL_VALIDATION_FAILED"
        return _coded(error, error.message, code)
    if isinstance(original, GraphQLError) and original.extensions and "code" in original.extensions:
        return _coded(error, original.message, str(original.extensions["code"]))
    if isinstance(original, (PermissionDenied, Unauthenticated)):
        return _coded(error, str(original), original.code)
    if isinstance(original, DomainError):
        extra = {"field": original.field} if original.field else None
        return _coded(error, original.message, original.code, extra)
    if error.message.startswith("Variable ") or error.message.startswith("Argument "):
        return _coded(error, error.message, "BAD_USER_INPUT")
    log.error("unexpected error in %s", error.path, exc_info=original)
    return _coded(error, INTERNAL, "INTERNAL_SERVER_ERROR")


class ErrorCodes(MaskErrors):
    """strawberry's MaskErrors, rewriting every error rather than hiding all of them."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda _e: True)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return format_error(error)
