"""Fifty concurrent creates onto room for twenty-five: no host oversubscribed, no address reused."""

from __future__ import annotations

import asyncio

import pytest

from tests.compute.conftest import Cloud, hosts, wait_task
from tests.compute.test_servers import CREATE
from tests.conftest import GraphQLClient

NETWORK = (
    """mutation { networkCreate(input: {name: "big", cidr: "10.20.0.0/26"}) { network { id } errors { code } } }"""
)
SERVERS = """{ servers(first: 100) { edges { node { status error nics { ipAddress } } } } }"""


@pytest.mark.timeout(120)
async def test_fifty_concurrent_creates_onto_room_for_twenty_five(admin: GraphQLClient, cloud: Cloud) -> None:
    (host,) = await hosts(admin)
    assert host["memoryMb"] == 3072  # libvirt's test driver: 122 MB servers fit 25 times
    network = (await admin.ok(NETWORK))["networkCreate"]["network"]["id"]
    spec = {"name": "c", "vcpus": 1, "memoryMb": 122, "diskGb": 1, "networkId": network}
    payloads = await asyncio.gather(*(admin.ok(CREATE, {"in": {**spec, "name": f"c{i}"}}) for i in range(50)))
    task_ids = [p["serverCreate"]["task"]["id"] for p in payloads]
    finished = await asyncio.gather(*(wait_task(admin, t, timeout=90) for t in task_ids))
    statuses = sorted(t["status"] for t in finished)
    assert statuses.count("SUCCEEDED") == 25
    assert statuses.count("FAILED") == 25
    assert all("No host has room" in t["error"] for t in finished if t["status"] == "FAILED")

    servers = [e["node"] for e in (await admin.ok(SERVERS))["servers"]["edges"]]
    running = [s for s in servers if s["status"] == "RUNNING"]
    assert len(running) == 25
    addresses = [s["nics"][0]["ipAddress"] for s in running]
    assert len(set(addresses)) == 25
    assert all(s["nics"] == [] for s in servers if s["status"] == "ERROR")  # addresses given back
    (host,) = await hosts(admin)
    assert host["memoryUsedMb"] == 25 * 122 <= host["memoryMb"]
    assert host["serversCount"] == 25
