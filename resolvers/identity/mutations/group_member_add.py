"""groupMemberAdd and groupMemberRemove: one rule, two verbs."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity import services
from domain.identity.access import Principal
from domain.identity.models import Group
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def group_membership(ctx: Context, *, group_id: str, user_id: str, member: bool) -> Result[Group]:
    async def action(session: AsyncSession, principal: Principal):
        return await services.set_group_membership(
            session,
            principal,
            decode_id(group_id, "Group", "groupId"),
            decode_id(user_id, "User", "userId"),
            member=member,
        )

    operation = "groupMemberAdd" if member else "groupMemberRemove"
    return await run_mutation(ctx, operation, Target("Group", group_id[:128]), action)
