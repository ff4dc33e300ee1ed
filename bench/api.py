"""API figures: sign-in latency, trivial query throughput, and a nested 100-project list."""

from __future__ import annotations

import statistics
import time

import httpx

from bench.harness import ADMIN_PASSWORD, Platform

LOGIN = """mutation($p: String!) { tokenCreate(input: {username: "admin", password: $p, project: "admin"})
  { token errors { code } } }"""
LIST = """{ projects(first: 100) { totalCount edges { node { id name description enabled createdAt
  domain { id name } roleAssignments { id system role { name permissions } user { name } } } } } }"""


def _post(http: httpx.Client, query: str, variables: dict[str, object] | None = None) -> dict[str, object]:
    response = http.post("/graphql", json={"query": query, "variables": variables})
    response.raise_for_status()
    body: dict[str, object] = response.json()
    assert "errors" not in body, body
    return body


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def run(platform: Platform) -> list[tuple[str, str]]:
    figures: list[tuple[str, str]] = []
    with httpx.Client(base_url=platform.url, timeout=30) as http:
        samples = []
        for _ in range(20):
            started = time.perf_counter()
            body = _post(http, LOGIN, {"p": ADMIN_PASSWORD})
            samples.append(time.perf_counter() - started)
        figures.append(("tokenCreate (argon2id, RFC 9106 low-memory)", _ms(samples)))
        token = body["data"]["tokenCreate"]["token"]  # type: ignore[index]
        http.headers["authorization"] = f"Bearer {token}"

        n, started = 300, time.perf_counter()
        for _ in range(n):
            _post(http, "{ me { user { name } } }")
        elapsed = time.perf_counter() - started
        figures.append(("authenticated `me` queries, one sequential client", f"{n / elapsed:.0f} req/s"))

        for i in range(99):
            _post(
                http, "mutation($n: String!) { projectCreate(input: {name: $n}) { errors { code } } }", {"n": f"b{i}"}
            )
        samples = []
        for _ in range(20):
            started = time.perf_counter()
            _post(http, LIST)
            samples.append(time.perf_counter() - started)
        figures.append(("projects(first: 100) with domain and role assignments", _ms(samples)))
    return figures
