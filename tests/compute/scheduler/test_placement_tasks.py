"""Placement in the create tasks: batches all-or-nothing or partial, groups, explained failures."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.compute.conftest import Cloud, hosts, wait_for, wait_task
from tests.compute.test_servers import create
from tests.conftest import GraphQLClient

SERVERS = "{ servers(first: 100) { edges { node { name status error host { name } } } } }"
AUDIT = """{ auditEvents(first: 10, filter: {operation: "serverSchedule"}) {
  edges { node { outcome errorCode detail targetType } } } }"""
GROUP = """mutation($in: ServerGroupCreateInput!) { serverGroupCreate(input: $in) {
  serverGroup { id name policy } errors { field message code } } }"""
SMALL = {"vcpus": 1, "memoryMb": 122, "diskGb": 1}  # the test driver's 3072 MB take 25 of these


async def servers(client: GraphQLClient) -> list[dict[str, Any]]:
    return [e["node"] for e in (await client.ok(SERVERS))["servers"]["edges"]]


async def test_a_failed_placement_explains_itself_in_the_task_the_server_and_the_audit_log(
    admin: GraphQLClient, cloud: Cloud
) -> None:
    created = await create(admin, name="huge", memoryMb=8192)
    task = await wait_task(admin, created["task"]["id"])
    assert task["status"] == "FAILED"
    expected = "No host has room for 1 vCPU, 8192 MB memory, 1 GB disk (1 host checked; 1 by memory: not enough memory)"
    assert task["error"] == expected
    (server,) = await servers(admin)
    assert (server["status"], server["error"]) == ("ERROR", expected)
    (event,) = [e["node"] for e in (await admin.ok(AUDIT))["auditEvents"]["edges"]]
    assert event == {"outcome": "FAILURE", "errorCode": "NO_CAPACITY", "detail": expected, "targetType": "Server"}


async def test_a_batch_is_all_or_nothing_by_default(admin: GraphQLClient, cloud: Cloud) -> None:
    created = await create(admin, name="b", count=30, **SMALL)
    task = await wait_task(admin, created["task"]["id"])
    assert task["status"] == "FAILED"
    assert task["error"].startswith("No host has room for 5 of 30 servers of 1 vCPU, 122 MB memory, 1 GB disk")
    assert {s["status"] for s in await servers(admin)} == {"ERROR"}
    (host,) = await hosts(admin)
    assert (host["memoryUsedMb"], host["serversCount"]) == (0, 0)


async def test_allow_partial_creates_what_fits(admin: GraphQLClient, cloud: Cloud) -> None:
    created = await create(admin, name="p", count=30, allowPartial=True, **SMALL)
    task = await wait_task(admin, created["task"]["id"], timeout=60)
    assert task["status"] == "FAILED"
    assert task["result"] == {"total": 30, "succeeded": 25, "failed": 5}
    listed = await servers(admin)
    assert sorted(s["status"] for s in listed) == ["ERROR"] * 5 + ["RUNNING"] * 25
    assert all(s["error"].startswith("No host has room for 5 of 30") for s in listed if s["status"] == "ERROR")
    (host,) = await hosts(admin)
    assert (host["memoryUsedMb"], host["serversCount"]) == (25 * 122, 25)


async def test_server_groups_keep_members_together_or_apart(admin: GraphQLClient, cloud: Cloud) -> None:
    await cloud.start_agent("h2")
    await wait_for(lambda: _online(admin, 2))
    apart = (await admin.ok(GROUP, {"in": {"name": "apart", "policy": "ANTI_AFFINITY"}}))["serverGroupCreate"]
    together = (await admin.ok(GROUP, {"in": {"name": "together", "policy": "AFFINITY"}}))["serverGroupCreate"]
    spread = await create(admin, name="a", count=2, serverGroupId=apart["serverGroup"]["id"], **SMALL)
    packed = await create(admin, name="t", count=3, serverGroupId=together["serverGroup"]["id"], **SMALL)
    done = await asyncio.gather(*(wait_task(admin, c["task"]["id"], timeout=40) for c in (spread, packed)))
    assert [t["status"] for t in done] == ["SUCCEEDED", "SUCCEEDED"]
    placed = {s["name"]: s["host"]["name"] for s in await servers(admin)}
    assert placed["a-1"] != placed["a-2"]
    assert placed["t-1"] == placed["t-2"] == placed["t-3"]
    third = await create(admin, name="a3", serverGroupId=apart["serverGroup"]["id"], **SMALL)
    failed = await wait_task(admin, third["task"]["id"])
    assert failed["status"] == "FAILED"
    assert "2 by anti_affinity: a server group member is already here" in failed["error"]


async def _online(admin: GraphQLClient, n: int) -> bool:
    return len([h for h in await hosts(admin) if h["status"] == "ONLINE"]) == n
