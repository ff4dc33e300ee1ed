"""The PXE chain: IPMI sets network boot and powers on a libvirt machine on an isolated bridge;
its iPXE ROM gets a lease from dnsmasq (in a network namespace), fetches the chain script and its
own per-MAC script over HTTP from the agent, runs it, and calls back: the deploy completes."""

from __future__ import annotations

import random
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from agents.baremetal.agent import BaremetalAgent
from agents.baremetal.protocol import BmcAccess, PxeBoot
from agents.baremetal.pxe import PxeService
from tests.baremetal.peers import RUN, machine, virtualbmc

pytestmark = pytest.mark.timeout(240)


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@dataclass
class ProvisioningNet:
    bridge: str
    netns: str
    ns_interface: str
    server: str  # the bridge's own address, where the agent's HTTP server answers
    prefix: str


@pytest.fixture
def provisioning_net() -> Iterator[ProvisioningNet]:
    """An isolated bridge (no uplink, no NAT) with dnsmasq's end of a veth pair in a namespace."""
    tag = uuid.uuid4().hex[:4]
    bridge, netns, outer, inner = f"{RUN[:7]}b{tag}", f"{RUN}-pxe-{tag}", f"{RUN[:7]}o{tag}", f"{RUN[:7]}i{tag}"
    prefix = f"10.{random.randint(200, 250)}.{random.randint(0, 255)}"
    ip("link", "add", bridge, "type", "bridge")
    try:
        ip("netns", "add", netns)
        ip("link", "add", outer, "type", "veth", "peer", "name", inner)
        ip("link", "set", inner, "netns", netns)
        ip("link", "set", outer, "master", bridge)
        ip("addr", "add", f"{prefix}.2/24", "dev", bridge)
        for link in (bridge, outer):
            ip("link", "set", link, "up")
        ip("-n", netns, "addr", "add", f"{prefix}.1/24", "dev", inner)
        ip("-n", netns, "link", "set", inner, "up")
        ip("-n", netns, "link", "set", "lo", "up")
        yield ProvisioningNet(bridge, netns, inner, f"{prefix}.2", prefix)
    finally:
        subprocess.run(["ip", "netns", "del", netns], check=False, capture_output=True)
        subprocess.run(["ip", "link", "del", outer], check=False, capture_output=True)
        subprocess.run(["ip", "link", "del", bridge], check=False, capture_output=True)


async def test_pxe_deploy_reaches_the_boot_script(provisioning_net: ProvisioningNet, tmp_path: Path) -> None:
    net = provisioning_net
    pxe = PxeService(
        interface=net.ns_interface,
        netns=net.netns,
        server_address=net.server,
        http_bind=net.server,
        dhcp_range=(f"{net.prefix}.100", f"{net.prefix}.150"),
        work_dir=tmp_path / "pxe",
    )
    await pxe.start()
    try:
        with machine("pxe", bridge=net.bridge, memory_mb=256) as m, virtualbmc(tmp_path, [m]) as bmcs:
            bmc = bmcs[m.name]
            access = BmcAccess(str(uuid.uuid4()), "IPMI", bmc.address, bmc.port, bmc.username, bmc.password)
            script = "#!ipxe\necho Nimbus deploy of this machine\n"
            agent = BaremetalAgent(pxe=pxe)
            answer = await agent.deploy(access, PxeBoot(access.host_id, [m.mac], script), timeout_s=90)
            assert "error" not in answer, (answer, pxe.dnsmasq_log()[-3000:], pxe.fetches)
            assert m.state() == "on"
            # The evidence, step by step: DHCP lease, the chain script, the per-MAC script, the callback.
            leases = pxe.leases()
            assert [lease["mac"] for lease in leases] == [m.mac]
            client = leases[0]["ip"]
            assert client.startswith(f"{net.prefix}.")
            log = pxe.dnsmasq_log()
            assert f"DHCPACK({net.ns_interface}) {client} {m.mac}" in log
            paths = [(f.client, f.path) for f in pxe.fetches]
            assert paths[:3] == [(client, "/boot.ipxe"), (client, f"/boot/{m.mac}"), (client, f"/booted/{m.mac}")]
            assert answer["fetched"]["mac"] == m.mac
    finally:
        await pxe.stop()
