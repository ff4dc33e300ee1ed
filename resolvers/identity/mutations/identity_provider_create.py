"""identityProviderCreate: back a domain with SQL, an LDAP/AD directory or an OIDC provider."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.identity.providers.models import IdentityProvider
from domain.identity.providers.services import ProviderSpec, create_provider
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_mutation


async def identity_provider_create(
    ctx: Context, spec: ProviderSpec, *, domain_id: str | None
) -> Result[IdentityProvider]:
    box = ctx.services.secret_box
    assert box is not None, "the api builds its secret box at start-up"

    async def action(session: AsyncSession, principal: Principal) -> IdentityProvider:
        did = decode_optional(domain_id, "Domain", "domainId")
        return await create_provider(session, principal, box, replace(spec, domain_id=did))

    return await run_mutation(ctx, "identityProviderCreate", Target("IdentityProvider"), action)
