"""userUpdate: e-mail and enabled flag; disabling voids the user's tokens at once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity import services
from domain.identity.access import Principal
from domain.identity.models import User
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def user_update(ctx: Context, *, id: str, email: str | None, enabled: bool | None) -> Result[User]:
    async def action(session: AsyncSession, principal: Principal):
        return await services.update_user(session, principal, decode_id(id, "User"), email=email, enabled=enabled)

    return await run_mutation(ctx, "userUpdate", Target("User", id[:128]), action)
