"""Shared GraphQL building blocks: the Node interface, cursor connections, ordering, payload errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from resolvers.pagination import Page

T = TypeVar("T")


@strawberry.interface(description="An object with a globally unique, opaque ID.")
class Node:
    id: strawberry.ID = strawberry.field(description="The object's global ID.")


@strawberry.type(description="Where a page of a connection sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item of the page.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item; pass it as `after`.")


@strawberry.type(description="An item of a connection with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item, for `after`.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, Relay style.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Paging state.")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items match the filter, across all pages.")
    async def total_count(self) -> int:
        return await self._count()

    @classmethod
    def from_page(cls, page: Page[Any], convert: Callable[[Any], T]) -> Connection[T]:
        edges = [Edge(cursor=c, node=convert(item)) for item, c in zip(page.items, page.cursors, strict=True)]
        info = PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )
        return cls(edges=edges, page_info=info, _count=page.count)


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


First = Annotated[int | None, strawberry.argument(description="Page size, at most 100 (default 20).")]
After = Annotated[str | None, strawberry.argument(description="Return items after this cursor (`pageInfo.endCursor`).")]


def selected_node_fields(info: Any) -> set[str]:
    """Names of the fields asked for on `edges { node { … } }` of the connection being resolved."""
    names: set[str] = set()
    for field in info.selected_fields:
        for edges in _flatten(field.selections):
            if getattr(edges, "name", None) != "edges":
                continue
            for node in _flatten(edges.selections):
                if getattr(node, "name", None) == "node":
                    names.update(f.name for f in _flatten(node.selections) if hasattr(f, "name"))
    return names


def _flatten(selections: list[Any]) -> list[Any]:
    out: list[Any] = []
    for sel in selections:
        if hasattr(sel, "type_condition") or sel.__class__.__name__ in ("FragmentSpread", "InlineFragment"):
            out.extend(_flatten(sel.selections))
        else:
            out.append(sel)
    return out


def filter_kwargs(value: Any, **enums: Any) -> dict[str, Any]:
    """A filter input as resolver keyword arguments; GraphQL enums become the domain's enums."""
    data = asdict(value) if value is not None else {}
    for key, model_enum in enums.items():
        if data.get(key) is not None:
            data[key] = model_enum(data[key].value)
    return data
