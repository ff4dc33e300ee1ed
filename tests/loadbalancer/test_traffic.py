"""Real traffic through haproxy on loopback: scheduling, weights, health checks shown in GraphQL."""

from __future__ import annotations

import ssl
from collections import Counter

import httpx
import pytest

from tests.compute.conftest import wait_for
from tests.conftest import GraphQLClient, free_port
from tests.loadbalancer.conftest import (
    ACL_CREATE,
    BACKEND_CREATE,
    BACKEND_UPDATE,
    CERT_CREATE,
    GROUP_CREATE,
    HEALTH,
    LISTENER_UPDATE,
    RULE_CREATE,
    Backend,
    LbCloud,
    http_lb,
    make_certificate,
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


async def test_https_termination_sticky_cookie_and_acl_deny(
    admin: GraphQLClient, lbcloud: LbCloud, backends: list[Backend]
) -> None:
    cert_pem, key_pem = make_certificate()
    cert = (await mutate(admin, CERT_CREATE, {"name": "site", "certificate": cert_pem, "privateKey": key_pem}))[
        "certificate"
    ]
    assert cert["commonName"] == "127.0.0.1"
    assert cert["expired"] is False
    port = free_port()
    ids = await http_lb(
        admin,
        backends,
        port=port,
        listener={"protocol": "HTTPS", "certificateId": cert["id"], "stickyCookie": "NIMBUS", "xForwardedFor": True},
    )
    await wait_for(lambda: _all_up(admin, ids["lb"]))
    tls = ssl.create_default_context(cadata=cert_pem)
    url = f"https://127.0.0.1:{port}/"

    async with httpx.AsyncClient(verify=tls) as sticky:
        first = await sticky.get(url)
        assert first.headers["x-seen-forwarded-for"] == "127.0.0.1"
        assert "NIMBUS" in first.cookies
        assert {(await sticky.get(url)).text for _ in range(10)} == {first.text}
    seen = set()
    for _ in range(4):  # without the cookie, round robin goes on
        async with httpx.AsyncClient(verify=tls) as fresh:
            seen.add((await fresh.get(url)).text)
    assert seen == {"b1", "b2"}

    acl = (await mutate(admin, ACL_CREATE, {"name": "loopback", "cidrs": ["127.0.0.0/8"]}))["acl"]
    await mutate(admin, LISTENER_UPDATE, {"id": ids["listener"], "aclId": acl["id"], "aclType": "DENY"})
    async with httpx.AsyncClient(verify=tls) as refused:
        with pytest.raises(httpx.TransportError):
            await refused.get(url)
    await mutate(admin, LISTENER_UPDATE, {"id": ids["listener"], "aclType": "ALLOW"})
    async with httpx.AsyncClient(verify=tls) as allowed:
        assert (await allowed.get(url)).status_code == 200


async def test_host_and_path_rules_and_https_redirect(
    admin: GraphQLClient, lbcloud: LbCloud, backends: list[Backend]
) -> None:
    port = free_port()
    ids = await http_lb(admin, backends[:1], port=port)
    other = (
        await mutate(admin, GROUP_CREATE, {"loadbalancerId": ids["lb"], "name": "api", "healthCheck": {"type": "TCP"}})
    )["backendGroup"]
    await mutate(
        admin, BACKEND_CREATE, {"backendGroupId": other["id"], "address": "127.0.0.1", "port": backends[1].port}
    )
    await mutate(admin, RULE_CREATE, {"listenerId": ids["listener"], "path": "/api", "backendGroupId": other["id"]})
    await mutate(
        admin, RULE_CREATE, {"listenerId": ids["listener"], "host": "api.example", "backendGroupId": other["id"]}
    )
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{base}/")).text == "b1"
        assert (await http.get(f"{base}/api/v1")).text == "b2"
        assert (await http.get(f"{base}/", headers={"host": "api.example:80"})).text == "b2"
    await mutate(admin, LISTENER_UPDATE, {"id": ids["listener"], "redirectHttps": True})
    async with httpx.AsyncClient() as http:
        moved = await http.get(f"{base}/x")
        assert moved.status_code == 301
        assert moved.headers["location"] == f"https://127.0.0.1:{port}/x"
