"""userPasswordChange: one's own password (with the current one), or an admin's reset of another's."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity import services
from domain.identity.access import Principal
from domain.identity.models import User
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_mutation


async def user_password_change(
    ctx: Context, *, id: str | None, current_password: str | None, new_password: str
) -> Result[User]:
    rules = ctx.services.password_rules

    async def action(session: AsyncSession, principal: Principal):
        return await services.change_password(
            session,
            principal,
            rules,
            user_id=decode_optional(id, "User", "id"),
            current_password=current_password,
            new_password=new_password,
        )

    return await run_mutation(ctx, "userPasswordChange", Target("User", (id or "")[:128] or None), action)
