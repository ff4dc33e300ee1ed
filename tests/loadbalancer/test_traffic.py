"""Real traffic through haproxy on loopback: scheduling, weights, health checks shown in GraphQL."""

from __future__ import annotations

from collections import Counter

import httpx

from tests.compute.conftest import wait_for
from tests.conftest import GraphQLClient, free_port
from tests.loadbalancer.conftest import (
    BACKEND_UPDATE,
    HEALTH,
    LISTENER_UPDATE,
    Backend,
    LbCloud,
    http_lb,
    mutate,
)


async def _hits(url: str, n: int) -> list[str]:
    async with httpx.AsyncClient() as http:
        return [(await http.get(url)).text for _ in range(n)]


async def _all_up(client: GraphQLClient, lb_id: str) -> bool:
    node = (await client.ok(HEALTH, {"id": lb_id}))["node"]
    return all(b["health"] == "UP" for g in node["backendGroups"] for b in g["backends"])


async def test_round_robin_weights_and_a_stopped_backend_going_down(
    admin: GraphQLClient, lbcloud: LbCloud, backends: list[Backend]
) -> None:
    port = free_port()
    ids = await http_lb(admin, backends, port=port)
    url = f"http://127.0.0.1:{port}/"
    await wait_for(lambda: _all_up(admin, ids["lb"]))

    hits = await _hits(url, 8)
    assert hits in (["b1", "b2"] * 4, ["b2", "b1"] * 4), hits

    await mutate(admin, LISTENER_UPDATE, {"id": ids["listener"], "scheduler": "WEIGHTED_ROUND_ROBIN"})
    await mutate(admin, BACKEND_UPDATE, {"id": ids["backends"][0], "weight": 3})
    assert Counter(await _hits(url, 40)) == {"b1": 30, "b2": 10}

    backends[1].stop()

    async def b2_down() -> bool:
        node = (await admin.ok(HEALTH, {"id": ids["lb"]}))["node"]
        health = {b["port"]: b["health"] for b in node["backendGroups"][0]["backends"]}
        return health == {backends[0].port: "UP", backends[1].port: "DOWN"}

    await wait_for(b2_down, timeout=10)
    assert set(await _hits(url, 10)) == {"b1"}
