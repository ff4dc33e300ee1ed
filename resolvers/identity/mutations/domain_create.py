"""domainCreate (system administrators only)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity import services
from domain.identity.access import Principal
from domain.identity.models import Domain
from resolvers.context import Context
from resolvers.mutation import Result, run_mutation


async def domain_create(ctx: Context, *, name: str, description: str | None) -> Result[Domain]:
    async def action(session: AsyncSession, principal: Principal):
        return await services.create_domain(session, principal, name=name, description=description or "")

    return await run_mutation(ctx, "domainCreate", Target("Domain"), action)
