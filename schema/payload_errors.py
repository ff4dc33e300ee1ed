"""What every payload shares: domain errors as a context's error type, and `deletedId`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import strawberry

from domain.errors import DomainError
from resolvers.ids import to_global_id

E = TypeVar("E")


def camel(name: str | None) -> str | None:
    if name is None:
        return None
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def convert(errors: list[DomainError], error_type: Callable[..., E], codes: type[Enum], fallback: Any) -> list[E]:
    return [
        error_type(
            field=camel(e.field), message=e.message, code=codes[e.code] if e.code in codes.__members__ else fallback
        )
        for e in errors
    ]


def deleted_id(type_name: str, value: uuid.UUID | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(to_global_id(type_name, value))
