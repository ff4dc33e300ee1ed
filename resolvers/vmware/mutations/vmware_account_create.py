"""vmwareAccountCreate: register a vCenter or ESXi endpoint; its password is stored sealed."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.vmware.accounts import AccountSpec, create_account, password_box
from domain.vmware.models import VmwareAccount
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_mutation


async def vmware_account_create(ctx: Context, spec: AccountSpec, *, project_id: str | None) -> Result[VmwareAccount]:
    box = password_box(ctx.services.secret_key)

    async def action(session: AsyncSession, principal: Principal) -> VmwareAccount:
        pid = decode_optional(project_id, "Project", "projectId")
        return await create_account(session, principal, box, replace(spec, project_id=pid))

    return await run_mutation(ctx, "vmwareAccountCreate", Target("VmwareAccount"), action)
