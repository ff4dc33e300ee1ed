"""Listing load balancers with everything in them costs the same statements for 2 or 20 rows."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.db import session_factory
from domain.identity.models import Project
from domain.loadbalancer.models import (
    LbBackend,
    LbBackendGroup,
    LbCluster,
    LbListener,
    LbListenerRule,
    ListenerProtocol,
    Loadbalancer,
    LoadbalancerStatus,
    RowState,
)
from tests.conftest import GraphQLClient

PAGE = """query($n: Int) { loadbalancers(first: $n) { edges { node { id name vip status project { name }
  cluster { name agents { name } } listeners { port backendGroup { name } rules { path backendGroup { name } } }
  backendGroups { name healthCheck { type } backends { address health } } } } } }"""


async def _seed(engine: AsyncEngine, count: int) -> None:
    async with session_factory(engine)() as session, session.begin():
        project = (await session.execute(select(Project).where(Project.name == "admin"))).scalar_one()
        cluster = LbCluster(id=uuid.uuid4(), name="qc")
        session.add(cluster)
        await session.flush()
        owner = {"project_id": project.id, "domain_id": project.domain_id}
        for n in range(count):
            lb = Loadbalancer(
                id=uuid.uuid4(),
                name=f"lb{n}",
                cluster_id=cluster.id,
                vip="127.0.0.1",
                status=LoadbalancerStatus.ACTIVE,
                **owner,
            )
            group = LbBackendGroup(id=uuid.uuid4(), loadbalancer_id=lb.id, name="g", state=RowState.ACTIVE, **owner)
            listener = LbListener(
                id=uuid.uuid4(),
                loadbalancer_id=lb.id,
                name="l",
                protocol=ListenerProtocol.HTTP,
                port=10000 + n,
                backend_group_id=group.id,
                state=RowState.ACTIVE,
                **owner,
            )
            # No ORM relationships: parents are flushed before the rows pointing at them.
            for row in (lb, group, listener):
                session.add(row)
                await session.flush()
            session.add(
                LbListenerRule(
                    listener_id=listener.id,
                    loadbalancer_id=lb.id,
                    path="/a",
                    backend_group_id=group.id,
                    state=RowState.ACTIVE,
                    **owner,
                )
            )
            for port in (1, 2):
                session.add(
                    LbBackend(
                        backend_group_id=group.id,
                        loadbalancer_id=lb.id,
                        address="10.0.0.1",
                        port=port,
                        state=RowState.ACTIVE,
                        **owner,
                    )
                )


async def test_pages_cost_a_constant_number_of_statements(
    admin: GraphQLClient, engine: AsyncEngine, queries: Any
) -> None:
    await _seed(engine, 20)
    await admin.ok(PAGE, {"n": 1})
    counts = []
    for size in (2, 20):
        with queries() as counter:
            page = await admin.ok(PAGE, {"n": size})
        assert len(page["loadbalancers"]["edges"]) == size
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
