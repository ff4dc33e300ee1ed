"""Converting domain errors into a context's payload error type."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from domain.errors import DomainError

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
