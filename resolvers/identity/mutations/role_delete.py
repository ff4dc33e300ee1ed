"""roleDelete: custom roles that are no longer assigned."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity import services
from domain.identity.access import Principal
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def role_delete(ctx: Context, *, id: str) -> Result[uuid.UUID]:
    async def action(session: AsyncSession, principal: Principal):
        return await services.delete_role(session, principal, decode_id(id, "Role"))

    return await run_mutation(ctx, "roleDelete", Target("Role", id[:128]), action)
