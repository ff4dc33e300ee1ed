"""Two lb agents of one cluster, each in its own network namespace with keepalived: the VIP is held
by the higher priority node and moves to the other when that node drops off the network."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from agents.lb.keepalived import Keepalived, VrrpSettings
from nimbus.processes import build_lb_agent
from nimbus.settings import Settings
from tests.compute.conftest import wait_for, wait_task
from tests.conftest import GraphQLClient, free_port
from tests.loadbalancer.conftest import (
    BACKEND_CREATE,
    GROUP_CREATE,
    LB_CREATE,
    LISTENER_CREATE,
    Backend,
    LbCloud,
    mutate,
)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@dataclass
class Lan:
    """A bridge in the test's namespace with one namespace per lb node plugged into it."""

    tag: str
    subnet: str  # e.g. 10.231.7

    @property
    def bridge(self) -> str:
        return f"nlb{self.tag}"

    def ns(self, node: str) -> str:
        return f"nlb{self.tag}{node}"

    @property
    def gateway(self) -> str:
        return f"{self.subnet}.254"

    @property
    def vip(self) -> str:
        return f"{self.subnet}.100"

    def up(self, nodes: dict[str, int]) -> None:
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("link", "set", self.bridge, "up")
        _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        for node, host in nodes.items():
            ns, outside = self.ns(node), f"nlb{self.tag}{node}h"
            _ip("netns", "add", ns)
            _ip("link", "add", outside, "type", "veth", "peer", "name", f"{outside}n")
            _ip("link", "set", outside, "master", self.bridge, "up")
            _ip("link", "set", f"{outside}n", "netns", ns)
            _ip("-n", ns, "link", "set", f"{outside}n", "name", "eth0")
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "link", "set", "eth0", "up")
            _ip("-n", ns, "addr", "add", f"{self.subnet}.{host}/24", "dev", "eth0")

    def down(self, nodes: list[str]) -> None:
        for node in nodes:
            subprocess.run(["ip", "netns", "del", self.ns(node)], check=False, capture_output=True)
            subprocess.run(["ip", "link", "del", f"nlb{self.tag}{node}h"], check=False, capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], check=False, capture_output=True)

    def holds_vip(self, node: str) -> bool:
        out = subprocess.run(["ip", "-n", self.ns(node), "addr", "show", "eth0"], capture_output=True, text=True)
        return f"inet {self.vip}/32" in out.stdout


def _namespaces_work() -> bool:
    if shutil.which("keepalived") is None or shutil.which("ip") is None:
        return False
    probe = f"nlbprobe{secrets.token_hex(2)}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode == 0
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return made


pytestmark = pytest.mark.skipif(
    not _namespaces_work(), reason="needs root, `ip netns` and keepalived (network namespaces for two lb nodes)"
)


@pytest.fixture
def lan() -> Iterator[Lan]:
    network = Lan(secrets.token_hex(2), f"10.231.{secrets.randbelow(250) + 1}")
    network.up({"a": 1, "b": 2})
    try:
        yield network
    finally:
        network.down(["a", "b"])


@pytest.fixture
async def ha(settings: Settings, admin: GraphQLClient, lan: Lan) -> AsyncIterator[LbCloud]:
    storage = Path(tempfile.mkdtemp(prefix="nimbus-lb-ha-"))
    cloud = LbCloud(settings, storage)
    try:
        await cloud.start_worker()
        for node, priority in (("a", 150), ("b", 100)):
            cloud.state_dirs.append(storage / node)
            cloud._run(
                build_lb_agent(
                    settings,
                    cluster="ha",
                    agent_name=node,
                    state_dir=storage / node,
                    report_seconds=0.3,
                    vrrp_interface="eth0",
                    vrrp_priority=priority,
                    netns=lan.ns(node),
                    handle_signals=False,
                )
            )
        yield cloud
    finally:
        await cloud.stop()
        for node in ("a", "b"):
            Keepalived(storage / node, "ha", node, VrrpSettings("eth0", 1)).stop()
        cloud.stop_haproxy()
        shutil.rmtree(storage, ignore_errors=True)


async def test_the_vip_moves_to_the_other_node_when_its_holder_drops_off(
    admin: GraphQLClient, lan: Lan, ha: LbCloud
) -> None:
    async def both_registered() -> str | None:
        data = await admin.ok(
            '{ loadbalancerClusters(filter: {name: "ha"}) { edges { node { id agents { name } } } } }'
        )
        edges = data["loadbalancerClusters"]["edges"]
        return edges[0]["node"]["id"] if edges and len(edges[0]["node"]["agents"]) == 2 else None

    cluster = await wait_for(both_registered)
    backend = Backend("behind-the-vip", host=lan.gateway)
    backend.start()
    try:
        lb = (await mutate(admin, LB_CREATE, {"name": "ha", "vip": lan.vip, "clusterId": cluster}))["loadbalancer"]
        group = (await mutate(admin, GROUP_CREATE, {"loadbalancerId": lb["id"], "name": "g"}))["backendGroup"]
        await mutate(
            admin, BACKEND_CREATE, {"backendGroupId": group["id"], "address": lan.gateway, "port": backend.port}
        )
        port = free_port()
        created = await admin.ok(
            LISTENER_CREATE,
            {
                "in": {
                    "loadbalancerId": lb["id"],
                    "name": "web",
                    "protocol": "HTTP",
                    "port": port,
                    "backendGroupId": group["id"],
                }
            },
        )
        task = await wait_task(admin, created["loadbalancerListenerCreate"]["task"]["id"])
        assert task["status"] == "SUCCEEDED", task
        assert sorted(task["result"]["agents"]) == ["a", "b"]  # both nodes serve the configuration

        async def holder() -> str | None:
            held = [node for node in ("a", "b") if lan.holds_vip(node)]
            return held[0] if len(held) == 1 else None

        assert await wait_for(holder, timeout=15) == "a"  # the higher priority
        url = f"http://{lan.vip}:{port}/"
        async with httpx.AsyncClient(timeout=2) as http:
            assert (await http.get(url)).text == "behind-the-vip"

        _ip("-n", lan.ns("a"), "link", "set", "eth0", "down")  # node a drops off the network

        async def moved() -> bool:
            return lan.holds_vip("b")

        await wait_for(moved, timeout=15)

        async def served() -> bool:
            with contextlib.suppress(httpx.TransportError):
                async with httpx.AsyncClient(timeout=2) as http:
                    return (await http.get(url)).text == "behind-the-vip"
            return False

        await wait_for(served, timeout=15)
    finally:
        await asyncio.to_thread(backend.stop)
