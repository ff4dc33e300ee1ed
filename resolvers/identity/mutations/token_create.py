"""tokenCreate: sign in with a password and get a token scoped to one project."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.identity.auth import IssuedToken, sign_in
from resolvers.context import Context
from resolvers.ids import to_global_id
from resolvers.mutation import Result, run_mutation


async def token_create(ctx: Context, *, username: str, password: str, domain: str, project: str) -> Result[IssuedToken]:
    target = Target("Token")
    services = ctx.services

    async def action(session: AsyncSession, _principal: Principal | None) -> IssuedToken:
        issued = await sign_in(
            session,
            services.tokens,
            services.throttle,
            username=username,
            password=password,
            domain=domain,
            project=project,
            client_ip=ctx.meta.client_ip,
            hash_profile=services.password_rules.hash_profile,
            secret_box=services.secret_box,
        )
        target.id = to_global_id("User", issued.user.id)
        target.domain_id, target.project_id = (
            issued.project.domain_id,
            issued.project.id,
        )
        return issued

    return await run_mutation(
        ctx,
        "tokenCreate",
        target,
        action,
        anonymous=True,
        actor_name=f"{domain}/{username}",
    )
