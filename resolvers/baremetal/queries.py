"""Reading baremetal hosts, limited to what the caller may see."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from domain.baremetal.models import BaremetalHost, BaremetalStatus
from domain.scoping import restrict
from resolvers.context import Context
from resolvers.filters import id_filter, name_filters
from resolvers.pagination import ListArgs, Page, list_page


async def list_hosts(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
    status: BaremetalStatus | None = None,
    project_id: str | None = None,
) -> Page[BaremetalHost]:
    stmt = name_filters(select(BaremetalHost), BaremetalHost, name, name_contains)
    if status is not None:
        stmt = stmt.where(BaremetalHost.status == status)
    if project_id is not None:
        stmt = stmt.where(BaremetalHost.project_id == id_filter(project_id, "Project"))
    return await list_page(ctx, BaremetalHost, "baremetal.host.list", stmt, args)


async def host(ctx: Context, obj_id: uuid.UUID) -> Any:
    stmt = restrict(
        select(BaremetalHost).where(BaremetalHost.id == obj_id),
        BaremetalHost,
        ctx.require_principal(),
        "baremetal.host.get",
    )
    async with ctx.reading() as session:
        return (await session.execute(stmt)).scalar_one_or_none()
