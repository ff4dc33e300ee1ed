"""hostUpdate: enable, disable, maintenance, zone, allocation ratios, tags (system admins)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.inventory import update_host
from domain.compute.models import Host
from domain.identity.access import Principal
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id, decode_optional
from resolvers.mutation import Result, run_task_mutation


async def host_update(
    ctx: Context,
    *,
    id: str,
    enabled: bool | None,
    maintenance: bool | None,
    zone_id: str | None,
    cpu_ratio: float | None,
    memory_ratio: float | None,
    tags: list[str] | None,
) -> Result[Host]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Host:
        host = await update_host(
            session,
            principal,
            decode_id(id, "Host"),
            enabled=enabled,
            maintenance=maintenance,
            zone_id=decode_optional(zone_id, "Zone", "zoneId"),
            cpu_ratio=cpu_ratio,
            memory_ratio=memory_ratio,
            tags=tags,
        )
        outbox.changed("Host", host.id, host.status.value, None, None)  # schedulers reread the host
        return host

    return await run_task_mutation(ctx, "hostUpdate", Target("Host", id[:128]), action)
