"""A running load balancer platform: the worker and an lb agent (real haproxy) in the test's event
loop, plain HTTP backends started by the tests, and GraphQL helpers."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from agents.lb.haproxy import Haproxy
from nimbus.processes import build_lb_agent
from nimbus.settings import Settings
from tests.compute.conftest import Cloud, wait_for, wait_task
from tests.conftest import GraphQLClient, free_port

CLUSTER = "c1"

LB_CREATE = """mutation($in: LoadbalancerCreateInput!) { loadbalancerCreate(input: $in) {
  loadbalancer { id status vip } task { id } errors { field message code } } }"""
GROUP_CREATE = """mutation($in: LoadbalancerBackendGroupCreateInput!) { loadbalancerBackendGroupCreate(input: $in) {
  backendGroup { id } task { id } errors { field message code } } }"""
BACKEND_CREATE = """mutation($in: LoadbalancerBackendCreateInput!) { loadbalancerBackendCreate(input: $in) {
  backend { id address port } task { id } errors { field message code } } }"""
BACKEND_UPDATE = """mutation($in: LoadbalancerBackendUpdateInput!) { loadbalancerBackendUpdate(input: $in) {
  backend { id weight } task { id } errors { field message code } } }"""
LISTENER_CREATE = """mutation($in: LoadbalancerListenerCreateInput!) { loadbalancerListenerCreate(input: $in) {
  listener { id port protocol state } task { id } errors { field message code } } }"""
LISTENER_UPDATE = """mutation($in: LoadbalancerListenerUpdateInput!) { loadbalancerListenerUpdate(input: $in) {
  listener { id scheduler state } task { id } errors { field message code } } }"""
CERT_CREATE = """mutation($in: LoadbalancerCertificateCreateInput!) { loadbalancerCertificateCreate(input: $in) {
  certificate { id commonName notAfter expired fingerprintSha256 } errors { field message code } } }"""
ACL_CREATE = """mutation($in: LoadbalancerAclCreateInput!) { loadbalancerAclCreate(input: $in) {
  acl { id cidrs } errors { field message code } } }"""
HEALTH = """query($id: ID!) { node(id: $id) { ... on Loadbalancer { status error backendGroups { name backends {
  id address port health } } } } }"""


class Backend:
    """A tiny HTTP server answering every request with its name (and 200 on /health)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.port = free_port()
        self.server: http.server.ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        name = self.name

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                body = name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Seen-Forwarded-For", self.headers.get("X-Forwarded-For", ""))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def backends() -> Iterator[list[Backend]]:
    started = [Backend("b1"), Backend("b2")]
    for b in started:
        b.start()
    yield started
    for b in started:
        b.stop()


class LbCloud(Cloud):
    def __init__(self, settings: Settings, storage: Path) -> None:
        super().__init__(settings, storage)
        self.state_dir = storage / "lb"

    async def start_lb_agent(self) -> None:
        self._run(
            build_lb_agent(
                self.settings,
                cluster=CLUSTER,
                agent_name="a1",
                state_dir=self.state_dir,
                report_seconds=0.3,
                handle_signals=False,
            )
        )

    async def stop_agents(self) -> None:
        await self.stop()
        self.workers, self.tasks = [], []

    def haproxy(self) -> Haproxy:
        return Haproxy(self.state_dir)


@pytest.fixture
async def lbcloud(settings: Settings, tmp_path: Path, admin: GraphQLClient) -> AsyncIterator[LbCloud]:
    c = LbCloud(settings, tmp_path)
    await c.start_worker()
    await c.start_lb_agent()

    async def registered() -> bool:
        data = await admin.ok("{ loadbalancerClusters { edges { node { name agents { name } } } } }")
        return any(e["node"]["agents"] for e in data["loadbalancerClusters"]["edges"])

    await wait_for(registered)
    try:
        yield c
    finally:
        await c.stop()
        with contextlib.suppress(Exception):
            c.haproxy().stop()


async def mutate(client: GraphQLClient, document: str, values: dict[str, Any], *, wait: bool = True) -> dict[str, Any]:
    """Run a mutation, check it was accepted, and (by default) wait for its task to succeed."""
    data = await client.ok(document, {"in": values})
    payload: dict[str, Any] = next(iter(data.values()))
    assert payload["errors"] == [], payload
    if wait and payload.get("task"):
        task = await wait_task(client, payload["task"]["id"])
        assert task["status"] == "SUCCEEDED", task
    return payload


async def http_lb(client: GraphQLClient, backends: list[Backend], *, port: int, check: dict[str, Any] | None = None,
                  listener: dict[str, Any] | None = None, weights: tuple[int, int] = (1, 1)) -> dict[str, Any]:
    """A load balancer on 127.0.0.1 with an HTTP listener over `backends`; returns the ids."""
    lb = (await mutate(client, LB_CREATE, {"name": f"web{port}", "vip": "127.0.0.1"}))["loadbalancer"]
    health = check or {"type": "HTTP", "path": "/health", "expectedCodes": [200], "intervalMs": 200, "rise": 1, "fall": 1}
    group = (await mutate(client, GROUP_CREATE, {"loadbalancerId": lb["id"], "name": "pool", "healthCheck": health}))[
        "backendGroup"
    ]
    ids = []
    for backend, weight in zip(backends, weights, strict=False):
        created = await mutate(
            client,
            BACKEND_CREATE,
            {"backendGroupId": group["id"], "address": "127.0.0.1", "port": backend.port, "weight": weight},
        )
        ids.append(created["backend"]["id"])
    settings = {"loadbalancerId": lb["id"], "name": "http", "protocol": "HTTP", "port": port, "backendGroupId": group["id"]}
    created = await mutate(client, LISTENER_CREATE, {**settings, **(listener or {})})
    return {"lb": lb["id"], "group": group["id"], "backends": ids, "listener": created["listener"]["id"]}
