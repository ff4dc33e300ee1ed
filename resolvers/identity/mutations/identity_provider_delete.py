"""identityProviderDelete: stop signing a domain's users in through a provider."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.identity.providers.services import delete_provider
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def identity_provider_delete(ctx: Context, *, id: str) -> Result[uuid.UUID]:
    async def action(session: AsyncSession, principal: Principal) -> uuid.UUID:
        return await delete_provider(session, principal, decode_id(id, "IdentityProvider"))

    return await run_mutation(ctx, "identityProviderDelete", Target("IdentityProvider", id=id), action)
