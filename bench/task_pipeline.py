"""1,000 serverCreate end to end across 20 hosts (api, worker and agents as separate processes),
then the 1,000 servers listed page by page with host, project and NICs."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import event

from bench.harness import ADMIN_PASSWORD, Platform
from nimbus.app import create_app
from nimbus.settings import Settings

HOSTS = 20
SERVERS = 1000
CONCURRENCY = 20
LOGIN = """mutation($p: String!) { tokenCreate(input: {username: "admin", password: $p, project: "admin"})
  { token } }"""
CREATE = """mutation($n: String!, $net: ID!) { serverCreate(input: {name: $n, vcpus: 1, memoryMb: 64, diskGb: 1,
  networkId: $net}) { task { id } errors { code message } } }"""
PAGE = """query($after: String) { servers(first: 100, after: $after) { edges { node { id name status
  host { name } project { name } nics { ipAddress mac } } } pageInfo { hasNextPage endCursor } } }"""


async def _gql(http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    if "errors" in body:
        raise RuntimeError(body["errors"])
    data: dict[str, Any] = body["data"]
    return data


async def _setup(http: httpx.AsyncClient) -> str:
    while True:
        edges = (await _gql(http, "{ hosts(first: 100) { edges { node { id status } } } }"))["hosts"]["edges"]
        if sum(e["node"]["status"] == "ONLINE" for e in edges) >= HOSTS:
            break
        await asyncio.sleep(0.2)
    net = await _gql(
        http, 'mutation { networkCreate(input: {name: "bench", cidr: "10.128.0.0/20"}) { network { id } } }'
    )
    network_id: str = net["networkCreate"]["network"]["id"]
    return network_id


async def _create_all(http: httpx.AsyncClient, network: str) -> list[str]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(SERVERS):
        queue.put_nowait(i)
    tasks: list[str] = []

    async def client() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            payload = (await _gql(http, CREATE, {"n": f"b{i:04d}", "net": network}))["serverCreate"]
            if payload["errors"]:
                raise RuntimeError(payload["errors"])
            tasks.append(payload["task"]["id"])

    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    return tasks


async def _wait_done(http: httpx.AsyncClient) -> dict[str, int]:
    while True:
        counts = {}
        for status in ("SUCCEEDED", "FAILED"):
            data = await _gql(
                http, "query($s: TaskStatus) { tasks(filter: {status: $s}) { totalCount } }", {"s": status}
            )
            counts[status] = data["tasks"]["totalCount"]
        if counts["SUCCEEDED"] + counts["FAILED"] >= SERVERS:
            if counts["FAILED"]:
                failed = await _gql(http, "{ tasks(first: 3, filter: {status: FAILED}) { edges { node { error } } } }")
                print("failures, e.g.:", [e["node"]["error"] for e in failed["tasks"]["edges"]])
            return counts
        await asyncio.sleep(0.25)


async def _pages(http: httpx.AsyncClient) -> tuple[int, list[float]]:
    samples, after, total = [], None, 0
    while True:
        started = time.perf_counter()
        page = (await _gql(http, PAGE, {"after": after}))["servers"]
        samples.append(time.perf_counter() - started)
        total += len(page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return total, samples
        after = page["pageInfo"]["endCursor"]


async def _statements_per_page(settings: Settings, token: str) -> list[int]:
    """SQL statements of a page, counted in an in-process app on the same database."""
    app = create_app(settings)
    counts: list[int] = []
    async with app.router.lifespan_context(app):
        engine = app.state.services.sessions.kw["bind"]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            http.headers["authorization"] = f"Bearer {token}"
            await _gql(http, PAGE, {"after": None})  # warm the token cache
            seen: list[str] = []

            def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
                seen.append(statement)

            for _ in range(3):
                seen.clear()
                event.listen(engine.sync_engine, "before_cursor_execute", count)
                await _gql(http, PAGE, {"after": None})
                event.remove(engine.sync_engine, "before_cursor_execute", count)
                counts.append(len(seen))
    return counts


async def _run(url: str, settings: Settings, quiet: Callable[[], None]) -> list[tuple[str, str]]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        token = (await _gql(http, LOGIN, {"p": ADMIN_PASSWORD}))["tokenCreate"]["token"]
        http.headers["authorization"] = f"Bearer {token}"
        network = await _setup(http)
        started = time.perf_counter()
        await _create_all(http, network)
        submitted = time.perf_counter() - started
        counts = await _wait_done(http)
        elapsed = time.perf_counter() - started
        busy_listed, busy = await _pages(http)  # while 20 agents still heartbeat into the worker
        quiet()
        await _pages(http)  # warm
        listed, samples = await _pages(http)
    statements = await _statements_per_page(settings, token)
    return [
        (f"serverCreate x{SERVERS} accepted ({CONCURRENCY} clients)", f"{SERVERS / submitted:.1f} req/s"),
        (
            f"serverCreate x{SERVERS} end to end, {HOSTS} hosts (target >= 25/s)",
            f"{SERVERS / elapsed:.1f} creates/s ({counts['SUCCEEDED']} succeeded, {counts['FAILED']} failed, "
            f"{elapsed:.1f} s)",
        ),
        (
            f"servers(first: 100) with host/project/NICs, {busy_listed} listed while agents heartbeat",
            f"p50 {statistics.median(busy) * 1000:.1f} ms, max {max(busy) * 1000:.1f} ms",
        ),
        (
            f"servers(first: 100) with host/project/NICs, {listed} listed, api alone (target p50 <= 30 ms)",
            f"p50 {statistics.median(samples) * 1000:.1f} ms, max {max(samples) * 1000:.1f} ms",
        ),
        ("SQL statements per page of 100 servers (target <= 8)", ", ".join(map(str, statements))),
    ]


def run(platform: Platform) -> list[tuple[str, str]]:
    platform.start("worker")
    platform.start("-m", "bench.agents", str(HOSTS))
    background = platform.processes[-2:]

    def quiet() -> None:
        for process in background:
            process.terminate()
        for process in background:
            process.wait(timeout=20)

    return asyncio.run(_run(platform.url, platform.settings, quiet))
