"""groupCreate: a group of users in a domain, to hand out roles in bulk."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity import services
from domain.identity.access import Principal
from domain.identity.models import Group
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_mutation


async def group_create(ctx: Context, *, name: str, domain_id: str | None, description: str | None) -> Result[Group]:
    async def action(session: AsyncSession, principal: Principal):
        did = decode_optional(domain_id, "Domain", "domainId")
        return await services.create_group(session, principal, name=name, domain_id=did, description=description or "")

    return await run_mutation(ctx, "groupCreate", Target("Group"), action)
