"""cloudAccountCreate: register a provider account for a project (system admins)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.cloud.accounts import AccountSpec, create_account
from domain.cloud.models import CloudAccount
from domain.cloud.secrets import CredentialBox
from domain.identity.access import Principal
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_mutation


async def cloud_account_create(ctx: Context, spec: AccountSpec, *, project_id: str | None) -> Result[CloudAccount]:
    box = CredentialBox(ctx.services.secret_key)

    async def action(session: AsyncSession, principal: Principal) -> CloudAccount:
        pid = decode_optional(project_id, "Project", "projectId")
        return await create_account(session, principal, box, replace(spec, project_id=pid))

    return await run_mutation(ctx, "cloudAccountCreate", Target("CloudAccount"), action)
