"""Servers through GraphQL, the worker and a host agent: lifecycle, refusals, batches, capacity."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.compute.conftest import Cloud, hosts, wait_task
from tests.conftest import GraphQLClient

CREATE = """mutation($in: ServerCreateInput!) { serverCreate(input: $in) {
  servers { id name status } task { id kind status } errors { field message code } } }"""
ACTION = """mutation($id: ID!) { server%s(input: {id: $id}) {
  server { id status } task { id status } errors { field message code } } }"""
SERVER = """query($id: ID!) { node(id: $id) { ... on Server { id name status vncPort error
  host { name } nics { ipAddress mac network { name } } disks { sizeGb } task { id } } } }"""
NETWORK = """mutation { networkCreate(input: {name: "lan", cidr: "10.9.0.0/28", gateway: "10.9.0.1"}) {
  network { id } errors { code } } }"""


async def create(client: GraphQLClient, **spec: Any) -> dict[str, Any]:
    spec = {"name": "vm", "vcpus": 1, "memoryMb": 128, "diskGb": 1, **spec}
    payload: dict[str, Any] = (await client.ok(CREATE, {"in": spec}))["serverCreate"]
    return payload


async def act(client: GraphQLClient, action: str, server_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.ok(ACTION % action, {"id": server_id}))[f"server{action}"]
    return payload


async def server(client: GraphQLClient, server_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await client.ok(SERVER, {"id": server_id}))["node"]
    return node


async def test_a_server_is_created_and_runs(admin: GraphQLClient, cloud: Cloud) -> None:
    network = (await admin.ok(NETWORK))["networkCreate"]["network"]["id"]
    created = await create(admin, networkId=network)
    assert created["errors"] == []
    assert created["servers"][0]["status"] == "PENDING"
    task = await wait_task(admin, created["task"]["id"])
    assert task["status"] == "SUCCEEDED", task
    vm = await server(admin, created["servers"][0]["id"])
    assert vm["status"] == "RUNNING"
    assert vm["host"]["name"] == "h1"
    assert vm["nics"][0]["ipAddress"] == "10.9.0.2"  # .1 is the gateway
    assert vm["nics"][0]["network"]["name"] == "lan"
    assert vm["disks"] == [{"sizeGb": 1}]
    assert vm["task"] is None
    (host,) = await hosts(admin)
    assert host["vcpusUsed"] == 1
    assert host["memoryUsedMb"] == 128


async def test_lifecycle_and_illegal_transitions(admin: GraphQLClient, cloud: Cloud) -> None:
    created = await create(admin)
    server_id = created["servers"][0]["id"]
    await wait_task(admin, created["task"]["id"])

    started_twice = await act(admin, "Start", server_id)
    assert started_twice["errors"][0]["code"] == "INVALID_STATE"

    stop = await act(admin, "Stop", server_id)
    assert stop["server"]["status"] == "STOPPING"
    assert (await wait_task(admin, stop["task"]["id"]))["status"] == "SUCCEEDED"
    assert (await server(admin, server_id))["status"] == "STOPPED"
    assert (await act(admin, "Stop", server_id))["errors"][0]["code"] == "INVALID_STATE"
    assert (await act(admin, "Reboot", server_id))["errors"][0]["code"] == "INVALID_STATE"

    start = await act(admin, "Start", server_id)
    await wait_task(admin, start["task"]["id"])
    reboot = await act(admin, "Reboot", server_id)
    assert (await wait_task(admin, reboot["task"]["id"]))["status"] == "SUCCEEDED"
    assert (await server(admin, server_id))["status"] == "RUNNING"

    delete = await act(admin, "Delete", server_id)
    assert (await wait_task(admin, delete["task"]["id"]))["status"] == "SUCCEEDED"
    assert (await server(admin, server_id))["status"] == "DELETED"
    (host,) = await hosts(admin)
    assert (host["vcpusUsed"], host["memoryUsedMb"], host["serversCount"]) == (0, 0, 0)
    listed = await admin.ok("{ servers { totalCount } }")
    assert listed["servers"]["totalCount"] == 0


async def test_a_busy_server_refuses_a_second_operation(admin: GraphQLClient, cloud: Cloud) -> None:
    created = await create(admin)
    server_id = created["servers"][0]["id"]
    refused = await act(admin, "Delete", server_id)  # still being created
    assert refused["errors"][0]["code"] in ("BUSY", "INVALID_STATE")
    await wait_task(admin, created["task"]["id"])
    first, second = await asyncio.gather(act(admin, "Stop", server_id), act(admin, "Reboot", server_id))
    outcomes = sorted([bool(first["errors"]), bool(second["errors"])])
    assert outcomes == [False, True]  # exactly one wins the server's lock


async def test_batch_create_is_a_parent_with_a_child_per_server(admin: GraphQLClient, cloud: Cloud) -> None:
    created = await create(admin, name="web", count=3)
    assert [s["name"] for s in created["servers"]] == ["web-1", "web-2", "web-3"]
    parent = created["task"]
    assert parent["kind"] == "server.batch_create"
    done = await wait_task(admin, parent["id"])
    assert done["status"] == "SUCCEEDED"
    assert done["result"] == {"total": 3, "succeeded": 3, "failed": 0}
    sub = await admin.ok(
        "query($id: ID!) { node(id: $id) { ... on Task { subtasks { kind status target { id } } } } }",
        {"id": parent["id"]},
    )
    subtasks = sub["node"]["subtasks"]
    assert [t["status"] for t in subtasks] == ["SUCCEEDED"] * 3
    assert {t["target"]["id"] for t in subtasks} == {s["id"] for s in created["servers"]}


async def test_no_capacity_fails_with_an_explanation(admin: GraphQLClient, cloud: Cloud) -> None:
    created = await create(admin, memoryMb=1024 * 1024)
    task = await wait_task(admin, created["task"]["id"])
    assert task["status"] == "FAILED"
    assert "No host has room" in task["error"]
    assert "not enough memory" in task["error"]
    vm = await server(admin, created["servers"][0]["id"])
    assert vm["status"] == "ERROR"
    assert vm["host"] is None


async def test_bad_input_is_refused_and_nothing_is_written(admin: GraphQLClient, cloud: Cloud) -> None:
    for spec, field, code in (
        ({"vcpus": 0}, "vcpus", "OUT_OF_RANGE"),
        ({"memoryMb": 10}, "memoryMb", "OUT_OF_RANGE"),
        ({"count": 101}, "count", "OUT_OF_RANGE"),
        ({"name": ""}, "name", "REQUIRED"),
        ({"networkId": "bm9wZQ"}, "networkId", "INVALID_ID"),
        ({"hostId": "SG9zdDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"}, "hostId", "NOT_FOUND"),
    ):
        payload = await create(admin, **spec)
        assert payload["servers"] == []
        assert payload["task"] is None
        assert (payload["errors"][0]["field"], payload["errors"][0]["code"]) == (field, code), payload
    counts = await admin.ok("{ servers(filter: {includeDeleted: true}) { totalCount } tasks { totalCount } }")
    assert counts == {"servers": {"totalCount": 0}, "tasks": {"totalCount": 0}}
