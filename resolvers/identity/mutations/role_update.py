"""roleUpdate: change a custom role's description or policy."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity import services
from domain.identity.access import Principal
from domain.identity.models import Role
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def role_update(ctx: Context, *, id: str, description: str | None, permissions: list[str] | None) -> Result[Role]:
    async def action(session: AsyncSession, principal: Principal):
        return await services.update_role(
            session,
            principal,
            decode_id(id, "Role"),
            description=description,
            permissions=permissions,
        )

    return await run_mutation(ctx, "roleUpdate", Target("Role", id[:128]), action)
