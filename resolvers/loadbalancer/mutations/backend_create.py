"""loadbalancerBackendCreate: add a Nimbus server or an address:port to a backend group."""

from __future__ import annotations

from domain.loadbalancer.backends import create_backend
from domain.loadbalancer.models import LbBackend
from domain.task.models import Task
from resolvers.context import Context
from resolvers.ids import decode_id, decode_optional
from resolvers.loadbalancer.mutations.common import sync_mutation
from resolvers.mutation import Result


async def backend_create(
    ctx: Context,
    *,
    backend_group_id: str,
    server_id: str | None,
    address: str | None,
    port: int,
    weight: int,
    backup: bool,
) -> Result[tuple[LbBackend, Task]]:
    def change(session, principal, outbox, meta):
        return create_backend(
            session,
            principal,
            outbox,
            meta,
            decode_id(backend_group_id, "LoadbalancerBackendGroup", "backendGroupId"),
            server_id=decode_optional(server_id, "Server", "serverId"),
            address=address,
            port=port,
            weight=weight,
            backup=backup,
        )

    return await sync_mutation(ctx, "loadbalancerBackendCreate", "LoadbalancerBackend", None, change)
