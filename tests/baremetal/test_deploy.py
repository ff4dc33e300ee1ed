"""serverCreate with hypervisor BAREMETAL: the scheduler picks a READY machine, the baremetal agent
PXE-boots it through Redfish on an isolated provisioning network, and the server is RUNNING."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agents.baremetal.agent import AgentState
from nimbus.processes import build_baremetal_agent
from nimbus.settings import Settings
from tests.baremetal.conftest import HOST, HOSTS, REGISTER, host
from tests.baremetal.peers import machine, sushy_emulator
from tests.baremetal.test_pxe import ProvisioningNet, provisioning_net  # noqa: F401 (a fixture)
from tests.compute.conftest import Cloud, wait_task
from tests.compute.test_compute_isolation import tenant
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.timeout(300)

CREATE = """mutation($in: ServerCreateInput!) { serverCreate(input: $in) {
  servers { id status } task { id } errors { field message code } } }"""
SERVER = "query($id: ID!) { node(id: $id) { ... on Server { status host { name } } } }"
ACTION = """mutation($id: ID!) { serverACTION(input: {id: $id}) { task { id } errors { code message } } }"""
FORECAST = """query($in: ServerCreateInput!) { schedulerForecast(input: $in) {
  fits candidates { host { name } } rejections { host { name } filter reason } } }"""


@pytest.fixture
async def pxe_cloud(
    settings: Settings,
    tmp_path: Path,
    admin: GraphQLClient,
    provisioning_net: ProvisioningNet,  # noqa: F811
) -> AsyncIterator[Cloud]:
    net = provisioning_net
    c = Cloud(settings, tmp_path)
    await c.start_worker()
    pxe = (net.ns_interface, net.server, (f"{net.prefix}.100", f"{net.prefix}.150"), net.netns)
    c._run(
        build_baremetal_agent(settings, agent_name="default", pxe=pxe, state_dir=tmp_path / "pxe", handle_signals=False)
    )
    yield c
    await c.stop()


async def test_server_create_deploys_a_baremetal_host(
    pxe_cloud: Cloud,
    admin: GraphQLClient,
    gql: GraphQLClient,
    provisioning_net: ProvisioningNet,  # noqa: F811
    tmp_path: Path,
) -> None:
    with (
        machine("deploy", bridge=provisioning_net.bridge, memory_mb=1024) as m,
        sushy_emulator(tmp_path, [m]) as bmc,
    ):
        values = {"name": "rack2-u7", "protocol": "REDFISH", "address": bmc.address, "port": bmc.port,
                  "username": bmc.username, "password": bmc.password}  # fmt: skip
        registered = (await admin.ok(REGISTER, {"in": values}))["baremetalHostRegister"]
        assert (await wait_task(admin, registered["task"]["id"], timeout=60))["status"] == "SUCCEEDED"
        host_id = registered["host"]["id"]
        assert (await host(admin, host_id))["status"] == "READY"

        blue = await tenant(admin, gql, "blue", "bob")
        red = await tenant(admin, gql, "red", "rita")
        request: dict[str, Any] = {"name": "metal", "vcpus": 1, "memoryMb": 1024, "diskGb": 10}
        # A virtual server never lands on the machine, and the machine is the only home of a baremetal one.
        virtual = (await admin.ok(FORECAST, {"in": request}))["schedulerForecast"]
        assert {"host": {"name": "baremetal-rack2-u7"}, "filter": "baremetal", "reason": "baremetal host"} in virtual[
            "rejections"
        ]
        created = (await blue.ok(CREATE, {"in": {**request, "hypervisor": "BAREMETAL"}}))["serverCreate"]
        assert created["errors"] == [], created
        task = await wait_task(blue, created["task"]["id"], timeout=240)
        agent: AgentState = pxe_cloud.workers[-1].ctx["baremetal"]
        pxe = agent.agent.pxe
        assert pxe is not None
        assert task["status"] == "SUCCEEDED", (task, pxe.fetches, pxe.dnsmasq_log()[-2000:])

        server_id = created["servers"][0]["id"]
        assert (await blue.ok(SERVER, {"id": server_id}))["node"]["status"] == "RUNNING"
        # Hosts are infrastructure: the admin sees where it runs.
        assert (await admin.ok(SERVER, {"id": server_id}))["node"]["host"] == {"name": "baremetal-rack2-u7"}
        assert m.state() == "on"
        deployed = await host(admin, host_id)
        assert (deployed["status"], deployed["powerState"], deployed["bootDevice"]) == ("ACTIVE", "on", "PXE")
        # The chain as the agent saw it: a DHCP lease for the machine's MAC, then its scripts over HTTP.
        assert [lease["mac"] for lease in pxe.leases()] == [m.mac]
        assert [f.path for f in pxe.fetches][:3] == ["/boot.ipxe", f"/boot/{m.mac}", f"/booted/{m.mac}"]

        # The project the machine is allocated to sees it; another project does not.
        assert (await blue.ok(HOSTS))["baremetalHosts"]["totalCount"] == 1
        seen = (await blue.ok(HOST.replace("status", "status bmcAddress bmcUsername", 1), {"id": host_id}))["node"]
        assert (seen["status"], seen["bmcAddress"], seen["bmcUsername"]) == ("ACTIVE", None, None)
        assert (await red.ok(HOSTS))["baremetalHosts"]["totalCount"] == 0
        assert (await red.ok("query($id: ID!) { node(id: $id) { id } }", {"id": host_id}))["node"] is None

        # The server's lifecycle is the machine's power.
        for action, status, power in (
            ("Stop", "STOPPED", "off"),
            ("Start", "RUNNING", "on"),
            ("Reboot", "RUNNING", "on"),
        ):
            done = (await blue.ok(ACTION.replace("ACTION", action), {"id": server_id}))[f"server{action}"]
            assert (await wait_task(blue, done["task"]["id"], timeout=60))["status"] == "SUCCEEDED"
            assert (await blue.ok(SERVER, {"id": server_id}))["node"]["status"] == status
            assert m.state() == power
        deleted = (await blue.ok(ACTION.replace("ACTION", "Delete"), {"id": server_id}))["serverDelete"]
        assert (await wait_task(blue, deleted["task"]["id"], timeout=60))["status"] == "SUCCEEDED"
        assert m.state() == "off"
        released = await host(admin, host_id)
        assert (released["status"], released["powerState"]) == ("READY", "off")
        assert (await blue.ok(HOSTS))["baremetalHosts"]["totalCount"] == 0
