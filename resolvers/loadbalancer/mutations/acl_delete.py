"""loadbalancerAclDelete: remove an ACL no listener uses."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.loadbalancer.acls import delete_acl
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def acl_delete(ctx: Context, *, id: str) -> Result[uuid.UUID]:
    async def action(session: AsyncSession, principal: Principal) -> uuid.UUID:
        return await delete_acl(session, principal, decode_id(id, "LoadbalancerAcl"))

    return await run_mutation(ctx, "loadbalancerAclDelete", Target("LoadbalancerAcl", id[:128]), action)
