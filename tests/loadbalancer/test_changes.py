"""Changes reach haproxy without dropping traffic; refused ones leave the old configuration serving."""

from __future__ import annotations

import asyncio

import httpx

from tests.compute.conftest import wait_for, wait_task
from tests.conftest import GraphQLClient, free_port
from tests.loadbalancer.conftest import BACKEND_CREATE, HEALTH, LISTENER_UPDATE, Backend, LbCloud, http_lb, mutate

# Health checks a loaded machine cannot flap: these tests are about reloads, not health.
LENIENT = {"type": "TCP", "intervalMs": 1000, "rise": 1, "fall": 3}


async def _stream(url: str, stop: asyncio.Event, results: list[int | str]) -> None:
    """Requests one after another on fresh connections, as many clients would make them."""
    async with httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0), timeout=10) as http:
        while not stop.is_set():
            try:
                results.append((await http.get(url)).status_code)
            except httpx.TransportError as exc:
                results.append(f"{type(exc).__name__}: {exc}")


async def test_twenty_reloads_under_traffic_fail_no_request(
    admin: GraphQLClient, lbcloud: LbCloud, backends: list[Backend]
) -> None:
    port = free_port()
    ids = await http_lb(admin, backends, port=port, check=LENIENT)
    url = f"http://127.0.0.1:{port}/"
    master = lbcloud.haproxy().master_pid()
    before = lbcloud.haproxy().proc().reloads
    stop = asyncio.Event()
    results: list[int | str] = []
    streams = [asyncio.create_task(_stream(url, stop, results)) for _ in range(4)]
    try:
        for n in range(20):
            await mutate(admin, LISTENER_UPDATE, {"id": ids["listener"], "clientTimeoutMs": 30_000 + n})
    finally:
        stop.set()
        await asyncio.gather(*streams)
    assert lbcloud.haproxy().proc().reloads - before >= 20
    assert lbcloud.haproxy().master_pid() == master
    failed = [r for r in results if r != 200]
    assert len(results) > 100
    assert failed == [], f"{len(failed)} of {len(results)} requests failed: {failed[:5]}"


async def test_a_refused_change_fails_its_task_and_the_old_configuration_serves(
    admin: GraphQLClient, lbcloud: LbCloud, backends: list[Backend]
) -> None:
    port = free_port()
    ids = await http_lb(admin, backends[:1], port=port)
    url = f"http://127.0.0.1:{port}/"
    reloads = lbcloud.haproxy().proc().reloads

    data = await admin.ok(
        BACKEND_CREATE, {"in": {"backendGroupId": ids["group"], "address": "nope.invalid", "port": 80}}
    )
    task = await wait_task(admin, data["loadbalancerBackendCreate"]["task"]["id"])
    assert task["status"] == "FAILED"
    assert "could not resolve address 'nope.invalid'" in task["error"], task["error"]
    assert task["error"].startswith("haproxy on a1 refused the configuration: ")

    node = (await admin.ok(HEALTH, {"id": ids["lb"]}))["node"]
    assert node["status"] == "ACTIVE"
    assert "nope.invalid" in node["error"]
    assert [b["address"] for b in node["backendGroups"][0]["backends"]] == ["127.0.0.1"]  # the change was undone

    async def caught_up() -> bool:
        # The agent reports the generation before the refused one; it is sent the current
        # configuration (the undone one), which is what it serves already: no reload.
        data = await admin.ok("{ loadbalancerClusters { edges { node { generation agents { generation } } } } }")
        cluster = data["loadbalancerClusters"]["edges"][0]["node"]
        return bool(cluster["agents"][0]["generation"] == cluster["generation"])

    await wait_for(caught_up, timeout=10)
    assert lbcloud.haproxy().proc().reloads == reloads  # the refused configuration was never loaded
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).text == "b1"

    # The next change is judged on its own, not on the one refused before it.
    await mutate(
        admin, BACKEND_CREATE, {"backendGroupId": ids["group"], "address": "127.0.0.1", "port": backends[1].port}
    )
    node = (await admin.ok(HEALTH, {"id": ids["lb"]}))["node"]
    assert node["error"] is None
    assert len(node["backendGroups"][0]["backends"]) == 2


async def test_haproxy_serves_on_while_the_agent_and_controller_are_away(
    admin: GraphQLClient, lbcloud: LbCloud, backends: list[Backend]
) -> None:
    port = free_port()
    ids = await http_lb(admin, backends, port=port, check=LENIENT)
    url = f"http://127.0.0.1:{port}/"
    master = lbcloud.haproxy().master_pid()
    await lbcloud.stop()  # worker and agent gone: nothing answers jobs any more

    async with httpx.AsyncClient() as http:
        assert {(await http.get(url)).text for _ in range(4)} == {"b1", "b2"}
    await lbcloud.start_worker()
    await lbcloud.start_lb_agent()
    assert lbcloud.haproxy().master_pid() == master  # adopted, not restarted
    await mutate(admin, LISTENER_UPDATE, {"id": ids["listener"], "xForwardedFor": True})
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).headers["x-seen-forwarded-for"] == "127.0.0.1"


async def test_a_new_agent_catches_up_with_the_cluster(
    admin: GraphQLClient, lbcloud: LbCloud, backends: list[Backend]
) -> None:
    """An agent that lost its state (a replaced node) is sent the configuration on its first report."""
    port = free_port()
    await http_lb(admin, backends[:1], port=port)
    await lbcloud.stop()
    lbcloud.stop_haproxy()
    lbcloud.move_state(lbcloud.storage / "lb-replaced")
    await lbcloud.start_worker()
    await lbcloud.start_lb_agent()

    async def serving() -> bool:
        try:
            async with httpx.AsyncClient() as http:
                return (await http.get(f"http://127.0.0.1:{port}/")).text == "b1"
        except httpx.TransportError:
            return False

    await wait_for(serving, timeout=15)
