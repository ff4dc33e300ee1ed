"""Turning filter inputs into WHERE clauses the same way for every list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false


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
