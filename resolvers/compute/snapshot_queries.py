"""Reading server snapshots and screenshots, as far as the caller may see the server."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.compute.models import ServerScreenshot, ServerSnapshot, SnapshotStatus
from resolvers.compute.loaders import ServerByIdLoader
from resolvers.context import Context
from resolvers.filters import id_filter
from resolvers.loaders import by_id
from resolvers.pagination import ListArgs, Page, list_page

SnapshotByIdLoader = by_id(ServerSnapshot, "compute.server.get")


async def list_snapshots(
    ctx: Context,
    args: ListArgs,
    *,
    server_id: str | None = None,
    status: SnapshotStatus | None = None,
    name: str | None = None,
) -> Page[ServerSnapshot]:
    stmt = select(ServerSnapshot)
    if (sid := id_filter(server_id, "Server")) is not None:
        stmt = stmt.where(ServerSnapshot.server_id == sid)
    if status is not None:
        stmt = stmt.where(ServerSnapshot.status == status)
    if name is not None:
        stmt = stmt.where(ServerSnapshot.name == name)
    return await list_page(ctx, ServerSnapshot, "compute.server.list", stmt, args)


async def snapshot(ctx: Context, snapshot_id: uuid.UUID) -> ServerSnapshot | None:
    return await ctx.loader("server_snapshot_by_id", SnapshotByIdLoader).load(snapshot_id)


async def screenshot(ctx: Context, server_id: uuid.UUID) -> ServerScreenshot | None:
    """The server's latest screenshot; none when the caller cannot see the server."""
    if await ctx.loader("server_by_id", ServerByIdLoader).load(server_id) is None:
        return None
    async with ctx.reading() as session:
        return await session.get(ServerScreenshot, server_id)
