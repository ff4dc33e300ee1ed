"""loadbalancerCreate: a VIP on a cluster; returns at once with the task that deploys it."""

from __future__ import annotations

from domain.loadbalancer.loadbalancers import LoadbalancerRequest, create_loadbalancer
from domain.loadbalancer.models import Loadbalancer
from domain.task.models import Task
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.loadbalancer.mutations.common import sync_mutation
from resolvers.mutation import Result


async def loadbalancer_create(
    ctx: Context,
    *,
    name: str,
    project_id: str | None,
    cluster_id: str | None,
    network_id: str | None,
    vip: str | None,
    description: str | None,
) -> Result[tuple[Loadbalancer, Task]]:
    def change(session, principal, outbox, meta):
        request = LoadbalancerRequest(
            name=name,
            project_id=decode_optional(project_id, "Project", "projectId"),
            cluster_id=decode_optional(cluster_id, "LoadbalancerCluster", "clusterId"),
            network_id=decode_optional(network_id, "Network", "networkId"),
            vip=vip,
            description=description or "",
        )
        return create_loadbalancer(session, principal, outbox, meta, request)

    return await sync_mutation(ctx, "loadbalancerCreate", "Loadbalancer", None, change)
