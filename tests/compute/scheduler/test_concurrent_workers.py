"""Several worker processes deciding at once: 200 creates onto room for 100 place exactly 100."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from nimbus.settings import Settings
from tests.compute.conftest import Cloud, hosts, wait_for
from tests.compute.test_crash_recovery import Process, processes  # noqa: F401  (fixture)
from tests.compute.test_servers import CREATE
from tests.conftest import GraphQLClient

COUNT = """query($s: ServerStatus!) { servers(first: 1, filter: {status: $s}) { totalCount } }"""
ERRORS = """{ servers(first: 100, filter: {status: ERROR}) { edges { node { error } } } }"""
WORKERS = 3
AGENTS = 4  # libvirt's test driver: 3072 MB each, 25 servers of 122 MB


async def _count(admin: GraphQLClient, status: str) -> int:
    return int((await admin.ok(COUNT, {"s": status}))["servers"]["totalCount"])


@pytest.mark.timeout(240)
async def test_two_hundred_creates_onto_room_for_one_hundred_across_worker_processes(
    admin: GraphQLClient,
    settings: Settings,
    tmp_path: Path,
    processes: list[Process],  # noqa: F811
) -> None:
    cloud = Cloud(settings, tmp_path)
    for i in range(AGENTS):
        await cloud.start_agent(f"h{i + 1}")
    for i in range(WORKERS):
        processes.append(Process(["worker", "--max-jobs", "10"], settings, tmp_path / f"worker{i}.log"))
    try:
        await wait_for(lambda: _all_online(admin))
        spec = {"vcpus": 1, "memoryMb": 122, "diskGb": 1}
        payloads = await asyncio.gather(*(admin.ok(CREATE, {"in": {**spec, "name": f"c{i}"}}) for i in range(200)))
        assert all(p["serverCreate"]["errors"] == [] for p in payloads)

        async def settled() -> bool:
            return await _count(admin, "RUNNING") + await _count(admin, "ERROR") == 200

        await wait_for(settled, timeout=200, interval=0.5)
        assert await _count(admin, "RUNNING") == 100
        errors = [e["node"]["error"] for e in (await admin.ok(ERRORS))["servers"]["edges"]]
        assert len(errors) == 100
        assert all(e.startswith("No host has room for 1 vCPU, 122 MB memory, 1 GB disk") for e in errors)
        placed = await hosts(admin)
        assert sum(h["serversCount"] for h in placed) == 100
        for h in placed:  # none oversubscribed
            assert h["memoryUsedMb"] == 122 * h["serversCount"] <= h["memoryMb"]
    finally:
        await cloud.stop()


async def _all_online(admin: GraphQLClient) -> bool:
    return len([h for h in await hosts(admin) if h["status"] == "ONLINE"]) == AGENTS
