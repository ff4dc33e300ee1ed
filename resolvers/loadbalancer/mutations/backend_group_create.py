"""loadbalancerBackendGroupCreate: a pool of backends with its health check."""

from __future__ import annotations

from typing import Any

from domain.loadbalancer.backends import create_group
from domain.loadbalancer.models import LbBackendGroup
from domain.task.models import Task
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.loadbalancer.mutations.common import sync_mutation
from resolvers.mutation import Result


async def backend_group_create(
    ctx: Context, *, loadbalancer_id: str, name: str, health: dict[str, Any]
) -> Result[tuple[LbBackendGroup, Task]]:
    def change(session, principal, outbox, meta):
        lb_id = decode_id(loadbalancer_id, "Loadbalancer", "loadbalancerId")
        return create_group(session, principal, outbox, meta, lb_id, name, health)

    return await sync_mutation(ctx, "loadbalancerBackendGroupCreate", "LoadbalancerBackendGroup", None, change)
