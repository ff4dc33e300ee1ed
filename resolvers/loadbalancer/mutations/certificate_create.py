"""loadbalancerCertificateCreate: upload a PEM chain and key; the key is checked, encrypted and never returned."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.loadbalancer.certificates import create_certificate
from domain.loadbalancer.models import LbCertificate
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_mutation


async def certificate_create(
    ctx: Context, *, name: str, project_id: str | None, certificate: str, private_key: str
) -> Result[LbCertificate]:
    async def action(session: AsyncSession, principal: Principal) -> LbCertificate:
        return await create_certificate(
            session,
            principal,
            ctx.services.secret_key,
            name=name,
            project_id=decode_optional(project_id, "Project", "projectId"),
            certificate=certificate,
            private_key=private_key,
        )

    return await run_mutation(ctx, "loadbalancerCertificateCreate", Target("LoadbalancerCertificate"), action)
