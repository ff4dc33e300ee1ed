"""loadbalancerBackendGroupUpdate: change a backend group's health check."""

from __future__ import annotations

from typing import Any

from domain.loadbalancer.backends import update_group
from domain.loadbalancer.models import LbBackendGroup
from domain.task.models import Task
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.loadbalancer.mutations.common import sync_mutation
from resolvers.mutation import Result


async def backend_group_update(ctx: Context, *, id: str, health: dict[str, Any]) -> Result[tuple[LbBackendGroup, Task]]:
    def change(session, principal, outbox, meta):
        return update_group(session, principal, outbox, meta, decode_id(id, "LoadbalancerBackendGroup"), health)

    return await sync_mutation(ctx, "loadbalancerBackendGroupUpdate", "LoadbalancerBackendGroup", id, change)
