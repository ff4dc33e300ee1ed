"""cloudAccountDelete: forget an account and what was imported from it; the provider keeps it all."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.cloud.accounts import delete_account
from domain.identity.access import Principal
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def cloud_account_delete(ctx: Context, *, id: str) -> Result[uuid.UUID]:
    async def action(session: AsyncSession, principal: Principal) -> uuid.UUID:
        return await delete_account(session, principal, decode_id(id, "CloudAccount"))

    return await run_mutation(ctx, "cloudAccountDelete", Target("CloudAccount", id=id), action)
