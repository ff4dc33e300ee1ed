"""userCreate: a local (SQL-backed) user in a domain."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity import services
from domain.identity.access import Principal
from domain.identity.models import User
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_mutation


async def user_create(
    ctx: Context, *, name: str, password: str, domain_id: str | None, email: str | None
) -> Result[User]:
    rules = ctx.services.password_rules

    async def action(session: AsyncSession, principal: Principal):
        did = decode_optional(domain_id, "Domain", "domainId")
        return await services.create_user(
            session,
            principal,
            rules,
            name=name,
            password=password,
            domain_id=did,
            email=email,
        )

    return await run_mutation(ctx, "userCreate", Target("User"), action)
