"""networkCreate and networkDelete: shared networks (admins) or a project's own."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.inventory import create_network, delete_network
from domain.compute.models import Network
from domain.identity.access import Principal
from resolvers.context import Context
from resolvers.ids import decode_id, decode_optional
from resolvers.mutation import Result, run_mutation


async def network_create(
    ctx: Context,
    *,
    name: str,
    cidr: str,
    gateway: str | None,
    project_id: str | None,
    bridge: str | None,
    vlan_id: int | None,
) -> Result[Network]:
    async def action(session: AsyncSession, principal: Principal) -> Network:
        return await create_network(
            session,
            principal,
            name=name,
            cidr=cidr,
            gateway=gateway,
            project_id=decode_optional(project_id, "Project", "projectId"),
            bridge=bridge,
            vlan_id=vlan_id,
        )

    return await run_mutation(ctx, "networkCreate", Target("Network"), action)


async def network_delete(ctx: Context, *, id: str) -> Result[uuid.UUID]:
    async def action(session: AsyncSession, principal: Principal) -> uuid.UUID:
        return await delete_network(session, principal, decode_id(id, "Network"))

    return await run_mutation(ctx, "networkDelete", Target("Network", id[:128]), action)
