"""A running load balancer platform: the worker and an lb agent (real haproxy) in the test's event
loop, plain HTTP backends started by the tests, and GraphQL helpers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import http.server
import os
import shutil
import signal
import tempfile
import threading
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from arq.worker import Worker

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
RULE_CREATE = """mutation($in: LoadbalancerListenerRuleCreateInput!) { loadbalancerListenerRuleCreate(input: $in) {
  rule { id host path } task { id } errors { field message code } } }"""
CERT_CREATE = """mutation($in: LoadbalancerCertificateCreateInput!) { loadbalancerCertificateCreate(input: $in) {
  certificate { id commonName notAfter expired fingerprintSha256 } errors { field message code } } }"""
ACL_CREATE = """mutation($in: LoadbalancerAclCreateInput!) { loadbalancerAclCreate(input: $in) {
  acl { id cidrs } errors { field message code } } }"""
HEALTH = """query($id: ID!) { node(id: $id) { ... on Loadbalancer { status error backendGroups { name backends {
  id address port health } } } } }"""


class Backend:
    """A tiny HTTP server answering every request with its name (and 200 on /health)."""

    def __init__(self, name: str, host: str = "127.0.0.1") -> None:
        self.name = name
        self.host = host
        self.port = free_port()
        self.server: http.server.ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        name = self.name

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                body = name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Seen-Forwarded-For", self.headers.get("X-Forwarded-For", ""))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # health checks hang up early; that is not the test's business

        self.server = Server((self.host, self.port), Handler)
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
        self.state_dirs = [self.state_dir]
        self.masters: set[int] = set()

    async def start_lb_agent(self) -> None:
        self._run_agent()
        if (pid := self.haproxy().master_pid()) is not None:
            self.masters.add(pid)

    def _run_agent(self) -> None:
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

    async def stop(self) -> None:
        # The agent reports several times a second: stop its reports and let the jobs they
        # started end, so that closing cancels as little as possible mid-way.
        for worker in self.workers:
            reports = worker.ctx.get("reports")
            if reports is not None:
                reports.cancel()

        async def idle() -> bool:
            return all(t.done() for w in self.workers for t in w.tasks.values())

        with contextlib.suppress(AssertionError):
            await wait_for(idle, timeout=3)
        services = [w.ctx["lb"].service for w in self.workers if "lb" in w.ctx]
        # A job still running when a worker closes makes arq re-raise its cancellation from close().
        for worker in self.workers:
            try:
                await worker.close()
            except asyncio.CancelledError:
                await _finish_closing(worker)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.workers, self.tasks = [], []
        for service in services:  # an apply still running would start haproxy again after its stop
            await asyncio.to_thread(service.wait_idle)
        # Jobs and polls cancelled mid-pipeline leave arq's Redis pipelines unclosed; collect
        # them here, quietly, rather than in whichever later test the garbage collector runs.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()

    def move_state(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.state_dirs.append(state_dir)

    def haproxy(self) -> Haproxy:
        return Haproxy(self.state_dir)

    def stop_haproxy(self) -> None:
        for state_dir in self.state_dirs:
            Haproxy(state_dir).stop()
        for pid in self.masters:  # in case its state directory went away under it
            with contextlib.suppress(OSError):
                if b"haproxy" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGTERM)


async def _finish_closing(worker: Worker) -> None:
    """What arq's close() skips once a cancelled job's error escapes it: shutdown hook, pool."""
    if worker.on_shutdown is not None:
        await worker.on_shutdown(worker.ctx)
    if worker._pool is not None:
        await worker._pool.aclose(close_connection_pool=True)
        worker._pool = None


@pytest.fixture
async def lbcloud(settings: Settings, admin: GraphQLClient) -> AsyncIterator[LbCloud]:
    # Not under pytest's tmp_path: parallel pytest runs on the machine rotate those away.
    storage = Path(tempfile.mkdtemp(prefix="nimbus-lb-test-"))
    c = LbCloud(settings, storage)
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
        c.stop_haproxy()
        shutil.rmtree(storage, ignore_errors=True)


async def mutate(client: GraphQLClient, document: str, values: dict[str, Any], *, wait: bool = True) -> dict[str, Any]:
    """Run a mutation, check it was accepted, and (by default) wait for its task to succeed."""
    data = await client.ok(document, {"in": values})
    payload: dict[str, Any] = next(iter(data.values()))
    assert payload["errors"] == [], payload
    if wait and payload.get("task"):
        task = await wait_task(client, payload["task"]["id"])
        assert task["status"] == "SUCCEEDED", task
    return payload


async def http_lb(
    client: GraphQLClient,
    backends: list[Backend],
    *,
    port: int,
    check: dict[str, Any] | None = None,
    listener: dict[str, Any] | None = None,
    weights: tuple[int, int] = (1, 1),
) -> dict[str, Any]:
    """A load balancer on 127.0.0.1 with an HTTP listener over `backends`; returns the ids."""
    lb = (await mutate(client, LB_CREATE, {"name": f"web{port}", "vip": "127.0.0.1"}))["loadbalancer"]
    health = check or {
        "type": "HTTP",
        "path": "/health",
        "expectedCodes": [200],
        "intervalMs": 200,
        "rise": 1,
        "fall": 1,
    }
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
    settings = {
        "loadbalancerId": lb["id"],
        "name": "http",
        "protocol": "HTTP",
        "port": port,
        "backendGroupId": group["id"],
    }
    created = await mutate(client, LISTENER_CREATE, {**settings, **(listener or {})})
    return {"lb": lb["id"], "group": group["id"], "backends": ids, "listener": created["listener"]["id"]}


def make_certificate(common_name: str = "127.0.0.1", days: int = 30) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and its key, in PEM."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem
