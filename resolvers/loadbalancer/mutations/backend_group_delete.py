"""loadbalancerBackendGroupDelete: remove a backend group no listener or rule uses; the row goes once the agents serve the configuration without it."""

from __future__ import annotations

import uuid

from domain.task.models import Task
from resolvers.context import Context
from resolvers.loadbalancer.mutations.part_delete import part_delete
from resolvers.mutation import Result


async def backend_group_delete(ctx: Context, *, id: str) -> Result[tuple[uuid.UUID, Task]]:
    return await part_delete(ctx, "loadbalancerBackendGroupDelete", "backend_group", "LoadbalancerBackendGroup", id)
