"""roleCreate: a custom role with its policy (system administrators only)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity import services
from domain.identity.access import Principal
from domain.identity.models import Role
from resolvers.context import Context
from resolvers.mutation import Result, run_mutation


async def role_create(ctx: Context, *, name: str, description: str | None, permissions: list[str]) -> Result[Role]:
    async def action(session: AsyncSession, principal: Principal):
        return await services.create_role(
            session,
            principal,
            name=name,
            description=description or "",
            permissions=permissions,
        )

    return await run_mutation(ctx, "roleCreate", Target("Role"), action)
