"""Relay cursor pagination over SQL, by keyset so deep pages cost what the first one does."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from graphql import GraphQLError
from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from domain.scoping import restrict
from resolvers.context import Context

T = TypeVar("T")
MAX_PAGE = 100
DEFAULT_PAGE = 20


@dataclass(frozen=True)
class ListArgs:
    """Paging and ordering of a list query, as the schema parsed them."""

    first: int | None
    after: str | None
    order_by: str
    descending: bool


@dataclass
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next: bool
    has_previous: bool
    count: Callable[[], Awaitable[int]]


def _encode(value: Any, obj_id: Any) -> str:
    raw = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(json.dumps([raw, str(obj_id)]).encode()).decode()


def _decode(cursor: str, column: InstrumentedAttribute[Any]) -> tuple[Any, uuid.UUID]:
    try:
        raw, obj_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if isinstance(column.type.python_type, type) and issubclass(column.type.python_type, datetime):
            raw = datetime.fromisoformat(raw)
        return raw, uuid.UUID(obj_id)
    except (ValueError, TypeError, NotImplementedError):
        raise GraphQLError("Invalid cursor in 'after'", extensions={"code": "BAD_USER_INPUT"}) from None


def check_first(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise GraphQLError(
            f"'first' must be between 0 and {MAX_PAGE}",
            extensions={"code": "BAD_USER_INPUT"},
        )
    return first


async def paginate(
    ctx: Context,
    stmt: Select[Any],
    model: Any,
    order: InstrumentedAttribute[Any],
    *,
    descending: bool,
    first: int | None,
    after: str | None,
) -> Page[Any]:
    """One page of `stmt` ordered by (`order`, id); `count` runs only if totalCount is asked for."""
    limit = check_first(first)
    page_stmt = stmt
    if after:
        value, obj_id = _decode(after, order)
        key = tuple_(order, model.id)
        bound: ColumnElement[bool] = key < (value, obj_id) if descending else key > (value, obj_id)
        page_stmt = page_stmt.where(bound)
    ordering = (order.desc(), model.id.desc()) if descending else (order.asc(), model.id.asc())
    page_stmt = page_stmt.order_by(*ordering).limit(limit + 1)
    async with ctx.reading() as session:
        rows = list((await session.execute(page_stmt)).scalars())

    async def count() -> int:
        async with ctx.reading() as session:
            return int(await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)

    items = rows[:limit]
    return Page(
        items=items,
        cursors=[_encode(getattr(item, order.key), item.id) for item in items],
        has_next=len(rows) > limit,
        has_previous=after is not None,
        count=count,
    )


async def list_page(ctx: Context, model: Any, permission: str, stmt: Select[Any], args: ListArgs) -> Page[Any]:
    """A page of `stmt`, limited to the rows of `model` the caller may `permission`."""
    stmt = restrict(stmt, model, ctx.require_principal(), permission)
    order = getattr(model, args.order_by)
    return await paginate(ctx, stmt, model, order, descending=args.descending, first=args.first, after=args.after)
