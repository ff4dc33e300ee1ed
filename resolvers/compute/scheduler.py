"""Queries of the scheduler: its settings and the server groups."""

from __future__ import annotations

from sqlalchemy import select

from domain.compute.models import SchedulerSettings, ServerGroup
from domain.compute.scheduler import settings
from resolvers.context import Context
from resolvers.filters import id_filter, name_filters
from resolvers.pagination import ListArgs, Page, list_page


async def scheduler_settings(ctx: Context) -> SchedulerSettings:
    ctx.require_principal().require("compute.scheduler.get", system=True)
    async with ctx.reading() as session:
        return await settings.load(session)


async def list_server_groups(
    ctx: Context, args: ListArgs, *, name: str | None = None, project_id: str | None = None
) -> Page[ServerGroup]:
    stmt = name_filters(select(ServerGroup), ServerGroup, name, None)
    if (pid := id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(ServerGroup.project_id == pid)
    return await list_page(ctx, ServerGroup, "compute.server_group.list", stmt, args)
