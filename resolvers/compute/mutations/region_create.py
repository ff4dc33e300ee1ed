"""regionCreate and zoneCreate (system admins)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.inventory import create_region, create_zone
from domain.compute.models import Region, Zone
from domain.identity.access import Principal
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def region_create(ctx: Context, *, name: str, description: str | None) -> Result[Region]:
    async def action(session: AsyncSession, principal: Principal) -> Region:
        return await create_region(session, principal, name=name, description=description or "")

    return await run_mutation(ctx, "regionCreate", Target("Region"), action)


async def zone_create(ctx: Context, *, name: str, region_id: str, description: str | None) -> Result[Zone]:
    async def action(session: AsyncSession, principal: Principal) -> Zone:
        return await create_zone(
            session,
            principal,
            name=name,
            region_id=decode_id(region_id, "Region", "regionId"),
            description=description or "",
        )

    return await run_mutation(ctx, "zoneCreate", Target("Zone"), action)
