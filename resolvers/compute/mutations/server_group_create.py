"""serverGroupCreate: a group whose members the scheduler keeps together or apart."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import ServerGroup
from domain.compute.scheduler.groups import create_group
from domain.identity.access import Principal
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_mutation


async def server_group_create(ctx: Context, *, name: str, policy: str, project_id: str | None) -> Result[ServerGroup]:
    async def action(session: AsyncSession, principal: Principal) -> ServerGroup:
        pid = decode_optional(project_id, "Project", "projectId")
        return await create_group(session, principal, name=name, policy=policy, project_id=pid)

    return await run_mutation(ctx, "serverGroupCreate", Target("ServerGroup"), action)
