"""domainUpdate: description and enabled flag (disabling a domain locks out all its users)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity import services
from domain.identity.access import Principal
from domain.identity.models import Domain
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def domain_update(ctx: Context, *, id: str, description: str | None, enabled: bool | None) -> Result[Domain]:
    async def action(session: AsyncSession, principal: Principal):
        domain_id = decode_id(id, "Domain")
        return await services.update_domain(session, principal, domain_id, description=description, enabled=enabled)

    return await run_mutation(ctx, "domainUpdate", Target("Domain", id[:128]), action)
