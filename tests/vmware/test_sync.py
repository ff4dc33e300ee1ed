"""Inventory sync against the vCenter simulator: the first snapshot, then changes as they happen."""

from __future__ import annotations

import asyncio
import time

import pytest
from pyVim.connect import Disconnect
from pyVmomi import vim

from agents.esxi.protocol import CHUNK_VMS
from tests.conftest import GraphQLClient
from tests.vmware.conftest import (
    ACCOUNTS,
    VMWARE_HOSTS,
    VmwareCloud,
    server_status,
    servers,
    sim_hosts,
    sim_vms,
    sim_wait,
    synced_account,
)
from tests.vmware.vcsim import Vcsim
from workers.settings import SWEEP_INTERVAL_S

NODE = "query($id: ID!) { node(id: $id) { ... on VmwareAccount { name status inventory { vms } } } }"


async def test_first_sync_maps_every_host_and_vm(
    admin: GraphQLClient, platform: VmwareCloud, vcsim: Vcsim, request: pytest.FixtureRequest
) -> None:
    account = await synced_account(admin, platform, vcsim)
    assert account["task"]["progress"] == 100
    si = vcsim.connect()
    request.addfinalizer(lambda: Disconnect(si))
    hosts = {h["name"]: h for e in (await admin.ok(VMWARE_HOSTS))["hosts"]["edges"] if (h := e["node"])}
    for name, host in sim_hosts(si).items():
        synced = hosts[f"vc1-{name}"]
        assert synced["hypervisor"] == "VMWARE"
        assert synced["cpus"] == host.summary.hardware.numCpuThreads
        assert synced["memoryMb"] == host.summary.hardware.memorySize // (1024 * 1024)
        assert synced["status"] == "ONLINE"
    listed = await servers(admin)
    vms = sim_vms(si)
    assert set(listed) == set(vms)
    for name, vm in vms.items():
        server = listed[name]
        assert server["vcpus"] == vm.config.hardware.numCPU
        assert server["memoryMb"] == vm.config.hardware.memoryMB
        on = vm.runtime.powerState == vim.VirtualMachinePowerState.poweredOn
        assert server["status"] == ("RUNNING" if on else "STOPPED")
        assert server["host"]["name"] == f"vc1-{vm.runtime.host.name}"
    node = (await admin.ok(ACCOUNTS))["vmwareAccounts"]["edges"][0]["node"]
    assert node["status"] == "CONNECTED"
    assert node["lastSyncAt"] is not None
    assert node["inventory"]["hosts"] == len(hosts)
    assert node["inventory"]["vms"] == len(vms)
    assert node["inventory"]["datacenters"] == 1
    assert node["inventory"]["clusters"] == 1
    content = si.RetrieveContent()
    for kind, cls in (("datastores", vim.Datastore), ("networks", vim.Network)):
        view = content.viewManager.CreateContainerView(content.rootFolder, [cls], True)
        assert node["inventory"][kind] == len(view.view)
        view.Destroy()

    # No host agent heartbeats for VMware hosts: the reaper leaves them to the sync.
    await asyncio.sleep(SWEEP_INTERVAL_S * 1.5)
    statuses = {e["node"]["status"] for e in (await admin.ok(VMWARE_HOSTS))["hosts"]["edges"]}
    assert statuses == {"ONLINE"}


async def test_changes_behind_nimbus_back_arrive_incrementally(
    admin: GraphQLClient, platform: VmwareCloud, vcsim: Vcsim, request: pytest.FixtureRequest
) -> None:
    await synced_account(admin, platform, vcsim)
    si = vcsim.connect()
    request.addfinalizer(lambda: Disconnect(si))
    vms = sim_vms(si)
    name, vm = next((n, v) for n, v in sorted(vms.items()) if v.runtime.powerState == "poweredOn")
    follower = platform.esxi_state().followers[next(iter(platform.esxi_state().followers))]
    seq_before = follower.seq

    await asyncio.to_thread(sim_wait, vm.PowerOffVM_Task())
    started = time.monotonic()
    await server_status(admin, name, "STOPPED", timeout=5)
    assert time.monotonic() - started < 5
    # One small change message, not a new snapshot.
    assert follower.seq == seq_before + 1

    spec = vim.vm.CloneSpec(location=vim.vm.RelocateSpec(), powerOn=False)
    clone = await asyncio.to_thread(sim_wait, vm.CloneVM_Task(folder=vm.parent, name="made-in-vcenter", spec=spec))
    await server_status(admin, "made-in-vcenter", "STOPPED", timeout=5)
    await asyncio.to_thread(sim_wait, clone.PowerOnVM_Task())
    await server_status(admin, "made-in-vcenter", "RUNNING", timeout=5)

    await asyncio.to_thread(sim_wait, vm.Destroy_Task())
    await server_status(admin, name, "DELETED", timeout=5)


async def test_a_bigger_first_sync_advances_in_chunks(admin: GraphQLClient, platform: VmwareCloud) -> None:
    sim = Vcsim(cluster_hosts=2, hosts=0, vms=CHUNK_VMS + 50).start()
    try:
        account = await synced_account(admin, platform, sim)
        assert account["task"]["result"] == {
            "inventory": {"datacenter": 1, "cluster": 1, "host": 2, "datastore": 1, "network": 3, "vm": CHUNK_VMS + 50},
            "chunks": 2,
        }
        node = (await admin.ok(NODE, {"id": account["id"]}))["node"]
        assert node == {"name": "vc1", "status": "CONNECTED", "inventory": {"vms": CHUNK_VMS + 50}}
    finally:
        sim.stop()


async def test_only_the_chosen_datacenters_are_synced(admin: GraphQLClient, platform: VmwareCloud) -> None:
    sim = Vcsim(datacenters=2).start()
    try:
        await synced_account(admin, platform, sim, datacenters=["DC1"])
        listed = await servers(admin)
        assert listed
        assert all(name.startswith("DC1_") for name in listed)
        regions = await admin.ok("{ regions { edges { node { name } } } }")
        assert [e["node"]["name"] for e in regions["regions"]["edges"]] == ["vc1-DC1"]
    finally:
        sim.stop()
