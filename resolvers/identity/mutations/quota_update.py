"""quotaUpdate: a project's limits (domain admins and up) or a domain's defaults (system admins)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.quota.models import Quota
from domain.quota.services import update_limits
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_mutation


async def quota_update(
    ctx: Context, *, project_id: str | None, domain_id: str | None, values: dict[str, int], reset: list[str]
) -> Result[Quota]:
    async def action(session: AsyncSession, principal: Principal) -> Quota:
        return await update_limits(
            session,
            principal,
            project_id=decode_optional(project_id, "Project", "projectId"),
            domain_id=decode_optional(domain_id, "Domain", "domainId"),
            values=values,
            reset=reset,
        )

    return await run_mutation(ctx, "quotaUpdate", Target("Quota"), action)
