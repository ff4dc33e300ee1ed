"""Turning filter inputs into WHERE clauses the same way for every list."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, false

from domain.errors import DomainError
from resolvers.ids import decode_id

# Matches no row: what a malformed id in a filter stands for (lists never fail on filters).
NO_ID = uuid.UUID(int=0)


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_filters(stmt: Select[Any], model: Any, name: str | None, name_contains: str | None) -> Select[Any]:
    if any(v is not None and "\x00" in v for v in (name, name_contains)):
        return stmt.where(false())  # no name holds a NUL; PostgreSQL would refuse to compare one
    if name is not None:
        stmt = stmt.where(model.name == name)
    if name_contains:
        stmt = stmt.where(model.name.ilike(f"%{escape_like(name_contains)}%", escape="\\"))
    return stmt


def id_filter(value: str | None, type_name: str) -> uuid.UUID | None:
    """The uuid a filter's global id names; a malformed one matches nothing."""
    if value is None:
        return None
    try:
        return decode_id(value, type_name)
    except DomainError:
        return NO_ID
