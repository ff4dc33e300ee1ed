"""loadbalancerListenerUpdate: change a listener; the old configuration serves until the new one is accepted."""

from __future__ import annotations

from typing import Any

from domain.loadbalancer.listeners import update_listener
from domain.loadbalancer.models import LbListener
from domain.task.models import Task
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.loadbalancer.mutations.common import sync_mutation
from resolvers.loadbalancer.mutations.listener_values import listener_values
from resolvers.mutation import Result


async def listener_update(ctx: Context, *, id: str, values: dict[str, Any]) -> Result[tuple[LbListener, Task]]:
    def change(session, principal, outbox, meta):
        listener_id = decode_id(id, "LoadbalancerListener")
        return update_listener(session, principal, outbox, meta, listener_id, listener_values(values))

    return await sync_mutation(ctx, "loadbalancerListenerUpdate", "LoadbalancerListener", id, change)
