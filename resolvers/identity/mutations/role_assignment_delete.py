"""roleAssignmentDelete."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.identity.assignments import delete_assignment
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def role_assignment_delete(ctx: Context, *, id: str) -> Result[uuid.UUID]:
    async def action(session: AsyncSession, principal: Principal):
        return await delete_assignment(session, principal, decode_id(id, "RoleAssignment"))

    return await run_mutation(ctx, "roleAssignmentDelete", Target("RoleAssignment", id[:128]), action)
