"""loadbalancerAclCreate: a named list of CIDRs for listeners to allow or deny."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.loadbalancer.acls import create_acl
from domain.loadbalancer.models import LbAcl
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_mutation


async def acl_create(
    ctx: Context, *, name: str, project_id: str | None, cidrs: list[str], description: str | None
) -> Result[LbAcl]:
    async def action(session: AsyncSession, principal: Principal) -> LbAcl:
        return await create_acl(
            session,
            principal,
            name=name,
            project_id=decode_optional(project_id, "Project", "projectId"),
            cidrs=cidrs,
            description=description or "",
        )

    return await run_mutation(ctx, "loadbalancerAclCreate", Target("LoadbalancerAcl"), action)
