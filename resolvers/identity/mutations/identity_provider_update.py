"""identityProviderUpdate: enable or disable a provider, rotate its secret, change its settings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.identity.providers.models import IdentityProvider
from domain.identity.providers.services import ProviderChange, update_provider
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def identity_provider_update(ctx: Context, *, id: str, change: ProviderChange) -> Result[IdentityProvider]:
    box = ctx.services.secret_box
    assert box is not None, "the api builds its secret box at start-up"

    async def action(session: AsyncSession, principal: Principal) -> IdentityProvider:
        return await update_provider(session, principal, box, decode_id(id, "IdentityProvider"), change)

    return await run_mutation(ctx, "identityProviderUpdate", Target("IdentityProvider", id=id), action)
