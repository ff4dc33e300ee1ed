"""The console proxy as the tests run it: the SSH terminal in the test's loop, VNC in its own process."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
import websockets
from starlette.applications import Starlette

from console_proxy.server import ssh_server, start_vnc_proxy, stop_vnc_proxy
from domain.compute.consoles import ConsoleEndpoints
from nimbus.settings import Settings
from tests.compute.conftest import cloud, wait_for  # noqa: F401  (cloud: a fixture)
from tests.conftest import GraphQLClient, free_port

CONSOLE = """mutation($id: ID!, $p: ConsoleProtocol!, $port: Int! = 22) {
  serverConsoleCreate(input: {id: $id, protocol: $p, port: $port}) {
    url websocketUrl token expiresAt errors { field message code } } }"""


async def console(client: GraphQLClient, server_id: str, protocol: str, port: int = 22) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.ok(CONSOLE, {"id": server_id, "p": protocol, "port": port}))[
        "serverConsoleCreate"
    ]
    return payload


@dataclass
class Closed:
    code: int
    reason: str


async def refused(url: str) -> Closed:
    """Connect and expect the proxy to close with a reason before any console data."""
    async with websockets.connect(url, open_timeout=10) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    received = closed.value.rcvd
    assert received is not None
    return Closed(received.code, received.reason)


def _wait_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


class Endpoints:
    """Points the api's serverConsoleCreate at the proxies a test starts."""

    def __init__(self, services: Any) -> None:
        self.services = services
        self.values: dict[str, Any] = {}

    def set(self, **changes: Any) -> None:
        self.values.update(changes)
        self.services.consoles = replace(ConsoleEndpoints(), **self.values)


@pytest.fixture
def endpoints(app: Starlette) -> Iterator[Endpoints]:
    services = app.state.services
    original = services.consoles
    yield Endpoints(services)
    services.consoles = original


@pytest.fixture
async def ssh_proxy(settings: Settings, endpoints: Endpoints) -> AsyncIterator[str]:
    port = free_port()
    server = ssh_server(settings.model_copy(update={"console_ssh_port": port}))
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return bool(server.started)

    await wait_for(started)
    url = f"ws://127.0.0.1:{port}/ssh"
    endpoints.set(ssh_url=url)
    yield url
    server.should_exit = True
    await asyncio.wait_for(task, 10)


@pytest.fixture
def vnc_proxy(settings: Settings, endpoints: Endpoints) -> Iterator[str]:
    port = free_port()
    process = start_vnc_proxy(settings.model_copy(update={"console_vnc_port": port}))
    try:
        _wait_port(port)
        url = f"ws://127.0.0.1:{port}/"
        endpoints.set(vnc_url=url)
        yield url
    finally:
        stop_vnc_proxy(process)


def hello(username: str, password: str) -> str:
    return json.dumps({"username": username, "password": password, "cols": 100, "rows": 30})
