"""Tenants see and touch only their own servers and tasks, in queries, mutations and subscriptions."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from tests.compute.conftest import Cloud, wait_task
from tests.compute.test_servers import ACTION, CREATE, act, create
from tests.conftest import GraphQLClient, LiveServer

PASSWORD = "Tenant-Passw0rd!"


async def tenant(
    admin: GraphQLClient, gql: GraphQLClient, project: str, user: str, role: str = "member"
) -> GraphQLClient:
    pid = (
        await admin.ok("mutation($n: String!) { projectCreate(input: {name: $n}) { project { id } } }", {"n": project})
    )["projectCreate"]["project"]["id"]
    uid = (
        await admin.ok(
            "mutation($n: String!, $p: String!) { userCreate(input: {name: $n, password: $p}) { user { id } } }",
            {"n": user, "p": PASSWORD},
        )
    )["userCreate"]["user"]["id"]
    await admin.ok(
        "mutation($r: String!, $u: ID!, $p: ID!) { roleAssignmentCreate(input: {role: $r, userId: $u, "
        "projectId: $p}) { errors { code } } }",
        {"r": role, "u": uid, "p": pid},
    )
    return gql.as_(await gql.login(user, PASSWORD, project))


@pytest.fixture
async def tenants(admin: GraphQLClient, gql: GraphQLClient, cloud: Cloud) -> tuple[GraphQLClient, GraphQLClient]:
    return await tenant(admin, gql, "blue", "bob"), await tenant(admin, gql, "red", "rita")


async def test_servers_and_tasks_are_private_to_their_project(
    admin: GraphQLClient, tenants: tuple[GraphQLClient, GraphQLClient]
) -> None:
    blue, red = tenants
    created = await create(blue, name="secret")
    server_id, task_id = created["servers"][0]["id"], created["task"]["id"]
    await wait_task(blue, task_id)

    listing = await red.ok("{ servers { totalCount } tasks { totalCount } }")
    assert listing == {"servers": {"totalCount": 0}, "tasks": {"totalCount": 0}}
    node = await red.ok(
        "query($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } }", {"a": server_id, "b": task_id}
    )
    assert node == {"a": None, "b": None}
    for action in ("Stop", "Reboot", "Delete"):
        refused = await act(red, action, server_id)
        assert refused["errors"][0]["code"] == "NOT_FOUND"
    cancel = await red.ok("mutation($id: ID!) { taskCancel(input: {id: $id}) { errors { code } } }", {"id": task_id})
    assert cancel["taskCancel"]["errors"][0]["code"] == "NOT_FOUND"
    assert (await blue.ok("{ servers { edges { node { status } } } }"))["servers"]["edges"][0]["node"][
        "status"
    ] == "RUNNING"
    audit = await admin.ok(
        '{ auditEvents(filter: {operation: "serverDelete"}) { edges { node { outcome errorCode actorName } } } }'
    )
    assert audit["auditEvents"]["edges"][0]["node"] == {
        "outcome": "FAILURE",
        "errorCode": "NOT_FOUND",
        "actorName": "rita",
    }


async def test_tenants_cannot_see_hosts_or_pin_servers(
    admin: GraphQLClient, tenants: tuple[GraphQLClient, GraphQLClient]
) -> None:
    blue, _ = tenants
    assert (await blue.ok("{ hosts { totalCount } }"))["hosts"]["totalCount"] == 0
    host_id = (await admin.ok("{ hosts { edges { node { id } } } }"))["hosts"]["edges"][0]["node"]["id"]
    response = await blue.raw(CREATE, {"in": {"name": "pin", "vcpus": 1, "memoryMb": 128, "hostId": host_id}})
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    created = await create(blue, name="mine")
    await wait_task(blue, created["task"]["id"])
    vm = await blue.ok(
        "query($id: ID!) { node(id: $id) { ... on Server { host { name } status } } }",
        {"id": created["servers"][0]["id"]},
    )
    assert vm["node"] == {"host": None, "status": "RUNNING"}


async def test_a_reader_can_look_but_not_act(admin: GraphQLClient, gql: GraphQLClient, cloud: Cloud) -> None:
    owner = await tenant(admin, gql, "green", "gina")
    created = await create(owner)
    await wait_task(owner, created["task"]["id"])
    uid = (
        await admin.ok('mutation { userCreate(input: {name: "rudi", password: "Tenant-Passw0rd!"}) { user { id } } }')
    )["userCreate"]["user"]["id"]
    pid = (await admin.ok('{ projects(filter: {name: "green"}) { edges { node { id } } } }'))["projects"]["edges"][0][
        "node"
    ]["id"]
    await admin.ok(
        'mutation($u: ID!, $p: ID!) { roleAssignmentCreate(input: {role: "reader", userId: $u, '
        "projectId: $p}) { errors { code } } }",
        {"u": uid, "p": pid},
    )
    reader = gql.as_(await gql.login("rudi", PASSWORD, "green"))
    assert (await reader.ok("{ servers { totalCount } }"))["servers"]["totalCount"] == 1
    response = await reader.raw(ACTION % "Stop", {"id": created["servers"][0]["id"]})
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    response = await reader.raw(CREATE, {"in": {"name": "x", "vcpus": 1, "memoryMb": 128}})
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def _subscribe(url: str, token: str, query: str, variables: dict[str, Any]) -> Any:
    ws = await websockets.connect(url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}))
    return ws


async def _frames(ws: Any) -> list[dict[str, Any]]:
    frames = []
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 20))
        frames.append(frame)
        if frame["type"] in ("complete", "error"):
            return frames


@pytest.mark.timeout(60)
async def test_task_updated_streams_to_its_owner_only(
    live_server: LiveServer, admin: GraphQLClient, tenants: tuple[GraphQLClient, GraphQLClient]
) -> None:
    blue, red = tenants
    assert blue.token is not None
    assert red.token is not None
    created = await create(blue, name="watched")
    task_id = created["task"]["id"]
    query = "subscription($id: ID!) { taskUpdated(id: $id) { status progress stage } }"
    mine = await _subscribe(live_server.url, blue.token, query, {"id": task_id})
    theirs = await _subscribe(live_server.url, red.token, query, {"id": task_id})
    try:
        own = await _frames(mine)
        statuses = [f["payload"]["data"]["taskUpdated"]["status"] for f in own if f["type"] == "next"]
        assert statuses[-1] == "SUCCEEDED"
        assert own[-1]["type"] == "complete"
        other = await _frames(theirs)
        # Another project's task looks like a missing one: an error, never its state.
        assert other[0]["payload"]["data"] is None
        assert other[0]["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert all("taskUpdated" not in json.dumps(f.get("payload", {}).get("data") or {}) for f in other)
    finally:
        await mine.close()
        await theirs.close()


@pytest.mark.timeout(60)
async def test_a_late_subscriber_gets_the_final_state(
    live_server: LiveServer, admin: GraphQLClient, cloud: Cloud
) -> None:
    created = await create(admin, name="done-before")
    await wait_task(admin, created["task"]["id"])
    assert admin.token is not None
    ws = await _subscribe(
        live_server.url,
        admin.token,
        "subscription($id: ID!) { taskUpdated(id: $id) { status progress } }",
        {"id": created["task"]["id"]},
    )
    try:
        frames = await _frames(ws)
        assert frames[0]["payload"]["data"]["taskUpdated"] == {"status": "SUCCEEDED", "progress": 100}
        assert frames[-1]["type"] == "complete"
    finally:
        await ws.close()


@pytest.mark.timeout(60)
async def test_resource_changes_stream_to_the_owner_only(
    live_server: LiveServer, tenants: tuple[GraphQLClient, GraphQLClient]
) -> None:
    blue, red = tenants
    assert blue.token is not None
    assert red.token is not None
    query = 'subscription { resourceChanged(kind: "Server") { kind id status } }'
    mine = await _subscribe(live_server.url, blue.token, query, {})
    theirs = await _subscribe(live_server.url, red.token, query, {})
    try:
        await asyncio.sleep(0.3)
        created = await create(blue, name="observed")
        await wait_task(blue, created["task"]["id"])
        seen = []
        while "RUNNING" not in seen:
            frame = json.loads(await asyncio.wait_for(mine.recv(), 10))
            change = frame["payload"]["data"]["resourceChanged"]
            assert change["id"] == created["servers"][0]["id"]
            seen.append(change["status"])
        assert seen[0] == "PENDING"
        assert "CREATING" in seen
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(theirs.recv(), 1)
    finally:
        await mine.close()
        await theirs.close()


async def test_a_projects_network_is_its_own(
    admin: GraphQLClient, tenants: tuple[GraphQLClient, GraphQLClient]
) -> None:
    blue, red = tenants
    me = await blue.ok("{ me { project { id } } }")
    made = await blue.ok(
        'mutation($p: ID!) { networkCreate(input: {name: "blue-lan", cidr: "10.40.0.0/24", '
        "projectId: $p}) { network { id } errors { code } } }",
        {"p": me["me"]["project"]["id"]},
    )
    network_id = made["networkCreate"]["network"]["id"]
    assert (await red.ok("{ networks { totalCount } }"))["networks"]["totalCount"] == 0
    used = await create(red, name="squatter", networkId=network_id)
    assert (used["errors"][0]["field"], used["errors"][0]["code"]) == ("networkId", "NOT_FOUND")
    deleted = await red.ok(
        "mutation($id: ID!) { networkDelete(input: {id: $id}) { errors { code } } }", {"id": network_id}
    )
    assert deleted["networkDelete"]["errors"][0]["code"] == "NOT_FOUND"
    shared = await blue.raw(
        'mutation { networkCreate(input: {name: "mine-for-all", cidr: "10.41.0.0/24"}) { errors { code } } }'
    )
    assert shared.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # shared networks are the cloud's
