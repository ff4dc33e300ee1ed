"""loadbalancerBackendUpdate: change a backend's port, weight or backup role."""

from __future__ import annotations

from typing import Any

from domain.loadbalancer.backends import update_backend
from domain.loadbalancer.models import LbBackend
from domain.task.models import Task
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.loadbalancer.mutations.common import sync_mutation
from resolvers.mutation import Result


async def backend_update(ctx: Context, *, id: str, values: dict[str, Any]) -> Result[tuple[LbBackend, Task]]:
    def change(session, principal, outbox, meta):
        return update_backend(session, principal, outbox, meta, decode_id(id, "LoadbalancerBackend"), values)

    return await sync_mutation(ctx, "loadbalancerBackendUpdate", "LoadbalancerBackend", id, change)
