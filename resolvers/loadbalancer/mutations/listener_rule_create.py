"""loadbalancerListenerRuleCreate: send requests for a host and/or path prefix to a backend group."""

from __future__ import annotations

from domain.loadbalancer.listeners import create_rule
from domain.loadbalancer.models import LbListenerRule
from domain.task.models import Task
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.loadbalancer.mutations.common import sync_mutation
from resolvers.mutation import Result


async def listener_rule_create(
    ctx: Context, *, listener_id: str, host: str | None, path: str | None, backend_group_id: str
) -> Result[tuple[LbListenerRule, Task]]:
    def change(session, principal, outbox, meta):
        return create_rule(
            session,
            principal,
            outbox,
            meta,
            decode_id(listener_id, "LoadbalancerListener", "listenerId"),
            host=host,
            path=path,
            backend_group_id=decode_id(backend_group_id, "LoadbalancerBackendGroup", "backendGroupId"),
        )

    return await sync_mutation(ctx, "loadbalancerListenerRuleCreate", "LoadbalancerListenerRule", None, change)
