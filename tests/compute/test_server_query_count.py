"""Listing servers with host, project and NICs costs the same statements for 2 or 100 rows."""

from __future__ import annotations

from typing import Any

from tests.compute.conftest import Cloud, wait_task
from tests.compute.test_servers import create
from tests.conftest import GraphQLClient

PAGE = """query($n: Int) { servers(first: $n) { edges { node { id name status host { name }
  project { name } nics { ipAddress mac network { name } } disks { sizeGb } } } } }"""


async def test_server_pages_cost_a_constant_number_of_statements(
    admin: GraphQLClient, cloud: Cloud, queries: Any
) -> None:
    network = (
        await admin.ok('mutation { networkCreate(input: {name: "q", cidr: "10.50.0.0/24"}) { network { id } } }')
    )["networkCreate"]["network"]["id"]
    batch = await create(admin, name="q", count=30, memoryMb=64, networkId=network)
    await wait_task(admin, batch["task"]["id"], timeout=60)
    await admin.ok(PAGE, {"n": 1})  # the token check is cached after the first request
    counts = []
    for size in (2, 30):
        with queries() as counter:
            page = await admin.ok(PAGE, {"n": size})
        assert len(page["servers"]["edges"]) == size
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert counts[1] <= 8, counts  # page, hosts, projects, NICs, networks, disks
