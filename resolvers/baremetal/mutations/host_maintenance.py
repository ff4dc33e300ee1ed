"""baremetalHostMaintenance: take a host out of scheduling, or give it back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.baremetal.models import BaremetalHost
from domain.baremetal.services import set_maintenance
from domain.identity.access import Principal
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def host_maintenance(ctx: Context, id: str, enabled: bool, reason: str) -> Result[BaremetalHost]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> BaremetalHost:
        return await set_maintenance(session, principal, outbox, decode_id(id, "BaremetalHost"), enabled, reason)

    return await run_task_mutation(ctx, "baremetalHostMaintenance", Target("BaremetalHost", id[:128]), action)
