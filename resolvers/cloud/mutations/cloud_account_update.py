"""cloudAccountUpdate: change an account's regions, credentials, interval or enabled flag."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.cloud.accounts import AccountChange, update_account
from domain.cloud.models import CloudAccount
from domain.cloud.secrets import CredentialBox
from domain.identity.access import Principal
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def cloud_account_update(ctx: Context, *, id: str, change: AccountChange) -> Result[CloudAccount]:
    box = CredentialBox(ctx.services.secret_key)

    async def action(session: AsyncSession, principal: Principal) -> CloudAccount:
        return await update_account(session, principal, box, decode_id(id, "CloudAccount"), change)

    return await run_mutation(ctx, "cloudAccountUpdate", Target("CloudAccount", id=id), action)
