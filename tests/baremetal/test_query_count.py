"""Listing baremetal hosts with their relations costs the same statements for 2 or 20 rows."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.baremetal.models import BaremetalHost, BaremetalStatus, BmcProtocol
from domain.db import session_factory
from domain.identity.models import Project
from tests.conftest import GraphQLClient

PAGE = """query($n: Int) { baremetalHosts(first: $n) { totalCount edges { node { id name status powerState
  inventory { cpus nics { mac } } task { id status } server { id name } project { name } } } } }"""


async def _seed(engine: AsyncEngine, count: int) -> None:
    async with session_factory(engine)() as session, session.begin():
        project = (await session.execute(select(Project).where(Project.name == "admin"))).scalar_one()
        for n in range(count):
            session.add(
                BaremetalHost(
                    id=uuid.uuid4(),
                    name=f"bm{n}",
                    protocol=BmcProtocol.REDFISH,
                    bmc_address="127.0.0.1",
                    bmc_port=8000,
                    bmc_username="admin",
                    bmc_password_sealed="x",
                    macs=[f"52:54:00:00:00:{n:02x}"],
                    status=BaremetalStatus.READY,
                    inventory={"cpus": 2, "nics": [{"mac": f"52:54:00:00:00:{n:02x}", "name": "eth0"}]},
                    project_id=project.id,
                    domain_id=project.domain_id,
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
        assert len(page["baremetalHosts"]["edges"]) == size
        assert page["baremetalHosts"]["edges"][0]["node"]["project"] == {"name": "admin"}
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
