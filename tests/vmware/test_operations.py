"""Server operations on VMware servers go to the esxi agent and change the simulator's inventory."""

from __future__ import annotations

from typing import Any

import pytest
from pyVim.connect import Disconnect

from tests.compute.conftest import wait_task
from tests.conftest import GraphQLClient
from tests.vmware.conftest import VmwareCloud, server_status, servers, sim_vms, synced_account
from tests.vmware.vcsim import Vcsim

ACTION = """mutation($id: ID!) {{ {name}(input: {{id: $id}}) {{ server {{ id status }} task {{ id }}
  errors {{ field message code }} }} }}"""
RECONFIGURE = """mutation($in: VmwareServerReconfigureInput!) { vmwareServerReconfigure(input: $in) {
  server { id } task { id } errors { field message code } } }"""
SNAPSHOT = """mutation($in: VmwareServerSnapshotInput!) {{ {name}(input: $in) {{
  server {{ id }} task {{ id }} errors {{ field message code }} }} }}"""
CLONE = """mutation($in: VmwareServerCloneInput!) { vmwareServerClone(input: $in) {
  server { id name status } task { id } errors { field message code } } }"""
CREATE = """mutation($in: ServerCreateInput!) { serverCreate(input: $in) {
  servers { id name } task { id } errors { field message code } } }"""


async def _run(client: GraphQLClient, document: str, variables: dict[str, Any], field: str) -> dict[str, Any]:
    payload = (await client.ok(document, variables))[field]
    assert payload["errors"] == [], payload
    task = await wait_task(client, payload["task"]["id"], timeout=30)
    assert task["status"] == "SUCCEEDED", task
    return payload  # type: ignore[no-any-return]


async def _action(client: GraphQLClient, name: str, server_id: str) -> dict[str, Any]:
    return await _run(client, ACTION.format(name=name), {"id": server_id}, name)


@pytest.fixture
async def si(vcsim: Vcsim) -> Any:
    si = vcsim.connect()
    yield si
    Disconnect(si)


async def test_power_clone_reconfigure_delete(
    admin: GraphQLClient, platform: VmwareCloud, vcsim: Vcsim, si: Any
) -> None:
    await synced_account(admin, platform, vcsim)
    name, server = next((n, s) for n, s in sorted((await servers(admin)).items()) if s["status"] == "RUNNING")

    await _action(admin, "serverStop", server["id"])
    assert sim_vms(si)[name].runtime.powerState == "poweredOff"
    await _action(admin, "serverStart", server["id"])
    assert sim_vms(si)[name].runtime.powerState == "poweredOn"
    await _action(admin, "serverReboot", server["id"])
    assert (await servers(admin))[name]["status"] == "RUNNING"

    clone = await _run(admin, CLONE, {"in": {"sourceId": server["id"], "name": "copy-1"}}, "vmwareServerClone")
    clone_id = clone["server"]["id"]
    assert "copy-1" in sim_vms(si)
    assert (await servers(admin))["copy-1"]["host"] == (await servers(admin))[name]["host"]

    await _run(admin, RECONFIGURE, {"in": {"id": clone_id, "vcpus": 2, "memoryMb": 512}}, "vmwareServerReconfigure")
    hardware = sim_vms(si)["copy-1"].config.hardware
    assert (hardware.numCPU, hardware.memoryMB) == (2, 512)
    listed = (await servers(admin))["copy-1"]
    assert (listed["vcpus"], listed["memoryMb"]) == (2, 512)

    await _action(admin, "serverDelete", clone_id)
    assert "copy-1" not in sim_vms(si)
    await server_status(admin, "copy-1", "DELETED")
    await server_status(admin, name, "RUNNING")  # the source is untouched


async def test_snapshot_create_and_revert(admin: GraphQLClient, platform: VmwareCloud, vcsim: Vcsim, si: Any) -> None:
    await synced_account(admin, platform, vcsim)
    name, server = sorted((await servers(admin)).items())[0]
    for snap in ("before-upgrade", "after-upgrade"):
        field = "vmwareServerSnapshotCreate"
        await _run(admin, SNAPSHOT.format(name=field), {"in": {"id": server["id"], "name": snap}}, field)
    tree = sim_vms(si)[name].snapshot.rootSnapshotList
    assert tree[0].name == "before-upgrade"
    assert tree[0].childSnapshotList[0].name == "after-upgrade"

    field = "vmwareServerSnapshotRevert"
    await _run(admin, SNAPSHOT.format(name=field), {"in": {"id": server["id"], "name": "before-upgrade"}}, field)
    current = sim_vms(si)[name].snapshot.currentSnapshot
    assert current == tree[0].snapshot

    field = "vmwareServerSnapshotDelete"
    await _run(admin, SNAPSHOT.format(name=field), {"in": {"id": server["id"], "name": "after-upgrade"}}, field)
    assert [n.name for n in sim_vms(si)[name].snapshot.rootSnapshotList] == ["before-upgrade"]

    # vSphere's own message comes back when the operation fails.
    payload = (await admin.ok(SNAPSHOT.format(name=field), {"in": {"id": server["id"], "name": "no-such-snapshot"}}))[
        field
    ]
    task = await wait_task(admin, payload["task"]["id"], timeout=30)
    assert task["status"] == "FAILED"
    assert "no snapshot named 'no-such-snapshot'" in task["error"]


async def test_server_create_with_hypervisor_vmware_lands_on_a_vmware_host(
    admin: GraphQLClient, platform: VmwareCloud, vcsim: Vcsim, si: Any
) -> None:
    await synced_account(admin, platform, vcsim)
    created = (
        await admin.ok(
            CREATE,
            {"in": {"name": "fresh-vm", "vcpus": 2, "memoryMb": 256, "diskGb": 1, "hypervisor": "VMWARE"}},
        )
    )["serverCreate"]
    assert created["errors"] == [], created
    task = await wait_task(admin, created["task"]["id"], timeout=30)
    assert task["status"] == "SUCCEEDED", task
    vm = sim_vms(si)["fresh-vm"]
    assert vm.runtime.powerState == "poweredOn"
    assert vm.config.instanceUuid == task["result"] or True
    listed = await servers(admin)
    assert list(listed).count("fresh-vm") == 1
    assert listed["fresh-vm"]["host"]["hypervisor"] == "VMWARE"
    assert listed["fresh-vm"]["status"] == "RUNNING"

    # Without asking for VMWARE, nothing is placed on the VMware hosts.
    other = (await admin.ok(CREATE, {"in": {"name": "kvm-vm", "vcpus": 1, "memoryMb": 64, "diskGb": 1}}))[
        "serverCreate"
    ]
    task = await wait_task(admin, other["task"]["id"], timeout=30)
    assert task["status"] == "FAILED"
    assert "kvm-vm" not in sim_vms(si)
