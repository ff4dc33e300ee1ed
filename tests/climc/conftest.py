"""Fakes for climc's tests: an isolated config dir, a scripted GraphQL API, a ws server."""

import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import httpx
import pytest
from websockets.sync.server import Server, ServerConnection, serve
from websockets.typing import Subprotocol

from climc import cli, config
from climc.client import NimbusClient

URL = "http://nimbus.test"
Reply = dict[str, Any] | Callable[[dict[str, Any]], httpx.Response]


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Every test gets its own credentials directory and a clean environment."""
    directory = tmp_path / "nimbus-config"
    monkeypatch.setenv("NIMBUS_CONFIG_DIR", str(directory))
    for name in ("NIMBUS_URL", "NIMBUS_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return directory


class FakeApi:
    """Answers GraphQL POSTs by root field name, and records what it was sent."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: dict[str, Reply] = {}

    def on(self, field: str, data: Reply) -> None:
        """Answer `field` with `{"data": {field: data}}`, or with a callable's response."""
        self.replies[field] = data

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        field = root_field(body["query"])
        self.requests.append({"field": field, "headers": request.headers, **body})
        reply = self.replies[field]
        if callable(reply):
            return reply(body["variables"])
        return httpx.Response(200, json={"data": {field: reply}})

    @staticmethod
    def page(nodes: list[dict[str, Any]], end: str | None = None) -> dict[str, Any]:
        """A connection page holding `nodes`; `end` is the cursor of a next page."""
        edges = [{"cursor": f"c{i}", "node": node} for i, node in enumerate(nodes)]
        page_info = {"hasNextPage": end is not None, "endCursor": end}
        return {"totalCount": len(nodes), "edges": edges, "pageInfo": page_info}

    def last(self, field: str) -> dict[str, Any]:
        return [request for request in self.requests if request["field"] == field][-1]


def root_field(query: str) -> str:
    match = re.search(r"\{\s*(\w+)", query)
    assert match, query
    return match.group(1)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    """A FakeApi behind every NimbusClient the CLI opens."""
    fake = FakeApi()
    factory = partial(NimbusClient, transport=fake.transport())
    monkeypatch.setattr(cli, "NimbusClient", factory)
    return fake


@pytest.fixture
def logged_in() -> config.Credentials:
    credentials = config.Credentials(url=URL, token="stored-token", user="admin")
    config.save(credentials)
    return credentials


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on, so connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FakeWsServer:
    """A graphql-transport-ws server in a thread that plays one scripted exchange."""

    def __init__(self, script: "WsScript") -> None:
        self.script = script
        self.received: list[dict[str, Any]] = []
        protocols = [Subprotocol("graphql-transport-ws")]
        self.server: Server = serve(self._handle, "127.0.0.1", 0, subprotocols=protocols)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.socket.getsockname()[1]}"

    def _handle(self, ws: ServerConnection) -> None:
        self.script(self, ws)

    def receive(self, ws: ServerConnection) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(ws.recv(timeout=5))
        self.received.append(frame)
        return frame

    @staticmethod
    def send(ws: ServerConnection, frame: dict[str, Any]) -> None:
        ws.send(json.dumps(frame))

    def accept(self, ws: ServerConnection) -> str:
        """Play the server's side of connection_init and subscribe; return the id."""
        assert self.receive(ws)["type"] == "connection_init"
        self.send(ws, {"type": "connection_ack"})
        frame = self.receive(ws)
        assert frame["type"] == "subscribe"
        return str(frame["id"])

    def stream(self, ws: ServerConnection, events: list[dict[str, Any]], field: str = "auditEvents") -> None:
        """Accept, send each event as `next` result of `field`, then `complete`."""
        operation = self.accept(ws)
        for event in events:
            payload = {"data": {field: event}}
            self.send(ws, {"id": operation, "type": "next", "payload": payload})
        self.send(ws, {"id": operation, "type": "complete"})


WsScript = Callable[[FakeWsServer, ServerConnection], None]


@pytest.fixture
def ws_server() -> Iterator[Callable[[WsScript], FakeWsServer]]:
    """Start fake websocket servers on demand; stop them after the test."""
    started: list[FakeWsServer] = []

    def start(script: WsScript) -> FakeWsServer:
        server = FakeWsServer(script)
        server.thread.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.server.shutdown()
        server.thread.join(timeout=5)
