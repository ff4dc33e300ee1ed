"""Per-request DataLoaders for load balancer relations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from domain.loadbalancer.models import (
    LbAcl,
    LbAgent,
    LbBackend,
    LbBackendGroup,
    LbCertificate,
    LbCluster,
    LbListener,
    LbListenerRule,
    Loadbalancer,
)
from resolvers.context import Context
from resolvers.loaders import by_id, many_by

GET = "loadbalancer.loadbalancer.get"

LoadbalancerByIdLoader = by_id(Loadbalancer, GET)
ListenerByIdLoader = by_id(LbListener, GET)
ListenerRuleByIdLoader = by_id(LbListenerRule, GET)
BackendGroupByIdLoader = by_id(LbBackendGroup, GET)
BackendByIdLoader = by_id(LbBackend, GET)
CertificateByIdLoader = by_id(LbCertificate, "loadbalancer.certificate.get")
AclByIdLoader = by_id(LbAcl, "loadbalancer.acl.get")
ClusterByIdLoader = by_id(LbCluster, "loadbalancer.cluster.get")
ListenersByLoadbalancerLoader = many_by(LbListener, LbListener.loadbalancer_id, GET, LbListener.port)
BackendGroupsByLoadbalancerLoader = many_by(LbBackendGroup, LbBackendGroup.loadbalancer_id, GET, LbBackendGroup.name)
BackendsByGroupLoader = many_by(LbBackend, LbBackend.backend_group_id, GET, LbBackend.created_at)
RulesByListenerLoader = many_by(LbListenerRule, LbListenerRule.listener_id, GET, LbListenerRule.created_at)


def AgentsByClusterLoader(ctx: Context) -> DataLoader[uuid.UUID, list[LbAgent]]:  # noqa: N802
    """Agents are part of their cluster's infrastructure: whoever may list clusters sees them."""

    async def load(keys: Sequence[uuid.UUID]) -> list[list[LbAgent]]:
        if ctx.require_principal().visibility("loadbalancer.cluster.get").nothing:
            return [[] for _ in keys]
        stmt = select(LbAgent).where(LbAgent.cluster_id.in_(keys)).order_by(LbAgent.name)
        grouped: dict[uuid.UUID, list[LbAgent]] = {k: [] for k in keys}
        async with ctx.reading() as session:
            for row in (await session.execute(stmt)).scalars():
                grouped[row.cluster_id].append(row)
        return [grouped[k] for k in keys]

    return DataLoader(load_fn=load)
