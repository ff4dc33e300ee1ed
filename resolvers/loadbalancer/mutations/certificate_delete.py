"""loadbalancerCertificateDelete: remove a certificate no listener uses."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.loadbalancer.certificates import delete_certificate
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def certificate_delete(ctx: Context, *, id: str) -> Result[uuid.UUID]:
    async def action(session: AsyncSession, principal: Principal) -> uuid.UUID:
        return await delete_certificate(session, principal, decode_id(id, "LoadbalancerCertificate"))

    return await run_mutation(ctx, "loadbalancerCertificateDelete", Target("LoadbalancerCertificate", id[:128]), action)
