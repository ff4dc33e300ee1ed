"""Every mutation leaves an audit record, and records stream live to subscribers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from tests.conftest import ADMIN_PASSWORD, GraphQLClient, LiveServer

AUDIT = """query($op: String) {
  auditEvents(filter: {operation: $op}) { totalCount edges { node {
    operation outcome errorCode actorName targetType targetId requestId clientIp projectId } } } }"""


async def test_success_and_refusal_are_recorded_with_context(admin: GraphQLClient) -> None:
    created = await admin.ok('mutation { projectCreate(input: {name: "audited"}) { project { id } errors { code } } }')
    project_id = created["projectCreate"]["project"]["id"]
    await admin.ok('mutation { projectCreate(input: {name: "audited"}) { errors { code } } }')
    events = (await admin.ok(AUDIT, {"op": "projectCreate"}))["auditEvents"]
    assert events["totalCount"] == 2
    newest, oldest = (e["node"] for e in events["edges"])
    assert oldest["outcome"] == "SUCCESS"
    assert oldest["targetId"] == project_id
    assert oldest["actorName"] == "admin"
    assert oldest["clientIp"] == "203.0.113.7"
    assert len(oldest["requestId"]) == 32
    assert newest["outcome"] == "FAILURE"
    assert newest["errorCode"] == "DUPLICATE"


async def test_events_filter_by_target(admin: GraphQLClient) -> None:
    ids = []
    for name in ("first", "second"):
        data = await admin.ok(
            "mutation($n: String!) { projectCreate(input: {name: $n}) { project { id } } }", {"n": name}
        )
        ids.append(data["projectCreate"]["project"]["id"])
        update = 'mutation($id: ID!) { projectUpdate(input: {id: $id, description: "x"}) { errors { code } } }'
        await admin.ok(update, {"id": ids[-1]})
    query = "query($t: ID) { auditEvents(filter: {targetId: $t}) { totalCount edges { node { operation targetId } } } }"
    events = (await admin.ok(query, {"t": ids[0]}))["auditEvents"]
    assert events["totalCount"] == 2
    assert {e["node"]["operation"] for e in events["edges"]} == {"projectCreate", "projectUpdate"}
    assert {e["node"]["targetId"] for e in events["edges"]} == {ids[0]}


async def test_no_secret_is_ever_recorded(admin: GraphQLClient, gql: GraphQLClient, engine: Any) -> None:
    from sqlalchemy import text

    await gql.ok(
        'mutation { tokenCreate(input: {username: "admin", password: "Sup3r-Secret-Guess", project: "admin"})'
        " { errors { code } } }"
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM audit_event"))).all()
    dump = json.dumps([list(map(str, r)) for r in rows])
    assert "Sup3r-Secret-Guess" not in dump
    assert ADMIN_PASSWORD not in dump
    assert admin.token is not None
    assert admin.token not in dump


async def _subscribe(url: str, token: str, query: str) -> Any:
    ws = await websockets.connect(url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert ack["type"] == "connection_ack", ack
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    return ws


async def _login(live_server: LiveServer, username: str, password: str, project: str) -> str:
    import httpx

    async with httpx.AsyncClient(base_url=live_server.url) as http:
        client = GraphQLClient(http)
        return await client.login(username, password, project)


@pytest.mark.timeout(30)
async def test_audit_events_stream_over_websocket(live_server: LiveServer) -> None:
    import httpx

    token = await _login(live_server, "admin", ADMIN_PASSWORD, "admin")
    ws = await _subscribe(live_server.url, token, "subscription { auditEvents { operation outcome targetType } }")
    try:
        await asyncio.sleep(0.3)  # let the subscription reach Redis before the event is published
        async with httpx.AsyncClient(base_url=live_server.url) as http:
            await GraphQLClient(http, token).ok('mutation { projectCreate(input: {name: "live"}) { errors { code } } }')
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert message["type"] == "next", message
        assert message["payload"]["data"]["auditEvents"] == {
            "operation": "projectCreate",
            "outcome": "SUCCESS",
            "targetType": "Project",
        }
    finally:
        await ws.close()


@pytest.mark.timeout(30)
async def test_websocket_without_a_valid_token_is_rejected(live_server: LiveServer) -> None:
    ws = await websockets.connect(
        live_server.url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer forged"}}))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
