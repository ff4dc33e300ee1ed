"""loadbalancerListenerCreate: accept TCP, HTTP or HTTPS on a port of the load balancer's VIP."""

from __future__ import annotations

from typing import Any

from domain.loadbalancer.listeners import create_listener
from domain.loadbalancer.models import LbListener
from domain.task.models import Task
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.loadbalancer.mutations.common import sync_mutation
from resolvers.loadbalancer.mutations.listener_values import listener_values
from resolvers.mutation import Result


async def listener_create(
    ctx: Context, *, loadbalancer_id: str, values: dict[str, Any]
) -> Result[tuple[LbListener, Task]]:
    def change(session, principal, outbox, meta):
        lb_id = decode_id(loadbalancer_id, "Loadbalancer", "loadbalancerId")
        return create_listener(session, principal, outbox, meta, lb_id, listener_values(values))

    return await sync_mutation(ctx, "loadbalancerListenerCreate", "LoadbalancerListener", None, change)
