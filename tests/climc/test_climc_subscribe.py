"""Subscriptions over graphql-transport-ws against a scripted websocket server."""

from collections.abc import Callable
from typing import Any

import pytest
from websockets.sync.server import ServerConnection

from climc.client import AuthError, GraphQLRequestError, NimbusClient, TransportError

EVENT = {"id": "QXVkaXQ6MQ==", "operation": "projectCreate", "outcome": "SUCCESS"}
Start = Callable[[Callable[[Any, ServerConnection], None]], Any]


async def _collect(client: NimbusClient, project_id: str | None = None) -> list[Any]:
    return [event async for event in client.audit_event_stream(project_id)]


async def test_stream_yields_events_until_complete(ws_server: Start) -> None:
    server = ws_server(lambda server, ws: server.stream(ws, [EVENT, EVENT]))

    with NimbusClient(server.url, "tok", timeout=5) as client:
        events = await _collect(client, "UHJvamVjdDox")

    assert events == [EVENT, EVENT]
    init, subscribe = server.received
    assert init == {
        "type": "connection_init",
        "payload": {"authorization": "Bearer tok"},
    }
    assert subscribe["payload"]["variables"] == {"projectId": "UHJvamVjdDox"}
    assert "auditEvents(projectId: $projectId)" in subscribe["payload"]["query"]


async def test_pings_are_answered(ws_server: Start) -> None:
    def script(server: Any, ws: ServerConnection) -> None:
        operation = server.accept(ws)
        server.send(ws, {"type": "ping"})
        assert server.receive(ws) == {"type": "pong"}
        server.send(ws, {"id": operation, "type": "complete"})

    server = ws_server(script)
    with NimbusClient(server.url, "tok", timeout=5) as client:
        assert await _collect(client) == []


def _error_frame(code: str) -> Callable[[Any, ServerConnection], None]:
    def script(server: Any, ws: ServerConnection) -> None:
        operation = server.accept(ws)
        errors = [{"message": "nope", "extensions": {"code": code}}]
        server.send(ws, {"id": operation, "type": "error", "payload": errors})

    return script


async def test_error_frame_raises(ws_server: Start) -> None:
    server = ws_server(_error_frame("BAD_USER_INPUT"))

    with (
        NimbusClient(server.url, "tok", timeout=5) as client,
        pytest.raises(GraphQLRequestError, match="nope") as raised,
    ):
        await _collect(client)

    assert raised.value.errors[0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_unauthenticated_error_frame_is_an_auth_error(ws_server: Start) -> None:
    server = ws_server(_error_frame("UNAUTHENTICATED"))

    with (
        NimbusClient(server.url, "tok", timeout=5) as client,
        pytest.raises(AuthError),
    ):
        await _collect(client)


async def test_rejected_connection_init_is_an_auth_error(ws_server: Start) -> None:
    def script(server: Any, ws: ServerConnection) -> None:
        server.receive(ws)
        ws.close(4403, "Forbidden")

    server = ws_server(script)
    with (
        NimbusClient(server.url, "bad", timeout=5) as client,
        pytest.raises(AuthError),
    ):
        await _collect(client)


async def test_connection_refused_is_a_transport_error(closed_port: int) -> None:
    with (
        NimbusClient(f"http://127.0.0.1:{closed_port}", "tok", timeout=5) as client,
        pytest.raises(TransportError, match=f"ws://127.0.0.1:{closed_port}"),
    ):
        await _collect(client)


async def test_task_follow_yields_states_until_complete(ws_server: Start) -> None:
    queued = {"id": "VGFzazox", "status": "QUEUED", "stage": "schedule"}
    done = {**queued, "status": "SUCCEEDED", "stage": "done"}
    server = ws_server(lambda server, ws: server.stream(ws, [queued, done], field="taskUpdated"))

    with NimbusClient(server.url, "tok", timeout=5) as client:
        states = [state async for state in client.task_follow("VGFzazox")]

    assert states == [queued, done]
    subscribe = server.received[1]["payload"]
    assert subscribe["variables"] == {"id": "VGFzazox"}
    assert "taskUpdated(id: $id)" in subscribe["query"]
