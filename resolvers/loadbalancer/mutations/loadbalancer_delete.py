"""loadbalancerDelete: stop serving a load balancer, then remove it with everything in it."""

from __future__ import annotations

from domain.loadbalancer.loadbalancers import delete_loadbalancer
from domain.loadbalancer.models import Loadbalancer
from domain.task.models import Task
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.loadbalancer.mutations.common import sync_mutation
from resolvers.mutation import Result


async def loadbalancer_delete(ctx: Context, *, id: str) -> Result[tuple[Loadbalancer, Task]]:
    def change(session, principal, outbox, meta):
        return delete_loadbalancer(session, principal, outbox, meta, decode_id(id, "Loadbalancer"))

    return await sync_mutation(ctx, "loadbalancerDelete", "Loadbalancer", id, change)
