"""serverGroupDelete: only a group without live members."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.scheduler.groups import delete_group
from domain.identity.access import Principal
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def server_group_delete(ctx: Context, *, id: str) -> Result[uuid.UUID]:
    async def action(session: AsyncSession, principal: Principal) -> uuid.UUID:
        return await delete_group(session, principal, decode_id(id, "ServerGroup"))

    return await run_mutation(ctx, "serverGroupDelete", Target("ServerGroup", id[:128]), action)
