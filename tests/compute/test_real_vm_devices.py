"""Volumes, NICs and resize on a real guest: GraphQL → worker → host agent on qemu:///system → QEMU.

The guest boots from a blank image (no OS), which is enough for everything QEMU does on its own
(plugging devices in, vCPU and DIMM hotplug) and shows what needs a guest's help: hot-unplug,
which such a guest never acknowledges, so a hot detach is refused and undone, and the cold one
(server stopped) takes the device out.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.compute.conftest import Cloud, hosts, wait_for, wait_task
from tests.compute.disk_helpers import (
    DISK,
    DISK_ATTACH,
    DISK_CREATE,
    DISK_DELETE,
    DISK_DETACH,
    NIC_ATTACH,
    NIC_DETACH,
    RESIZE,
    SERVER,
    mutate,
    node,
)
from tests.compute.test_real_vm_graphql import _blank_image, libvirtd  # noqa: F401 (fixture)
from tests.compute.test_servers import act, create
from tests.conftest import GraphQLClient, LiveServer

VIRSH = ["virsh", "-c", "qemu:///system"]


def _domain_uuids() -> str:
    return subprocess.run([*VIRSH, "list", "--all", "--uuid"], capture_output=True, text=True, timeout=30).stdout


def _raw(global_id: str) -> str:
    return base64.urlsafe_b64decode(global_id + "==").decode().split(":", 1)[1]


def _domain(server_id: str, *, inactive: bool = False) -> ET.Element:
    command = [*VIRSH, "dumpxml", _raw(server_id), *(["--inactive"] if inactive else [])]
    out = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)
    return ET.fromstring(out.stdout)


def _disk_sources(root: ET.Element) -> list[str]:
    return [s.get("file", "") for s in root.findall("devices/disk/source")]


def _macs(root: ET.Element) -> list[str]:
    return [m.get("address", "") for m in root.findall("devices/interface/mac")]


def _vcpus(server_id: str) -> int:
    out = subprocess.run(
        [*VIRSH, "vcpucount", _raw(server_id), "--live", "--current"], capture_output=True, text=True, timeout=30
    )
    return int(out.stdout.strip())


def _memory_mib(root: ET.Element) -> int:
    memory = root.find("memory")
    assert memory is not None
    assert memory.get("unit") == "KiB"
    return int(memory.text or 0) // 1024


def _virtual_size(path: Path) -> int:
    out = subprocess.run(["qemu-img", "info", "-U", "--output=json", str(path)], capture_output=True, text=True)
    return int(json.loads(out.stdout)["virtual-size"])


async def _done(admin: GraphQLClient, payload: dict[str, Any], status: str = "SUCCEEDED") -> dict[str, Any]:
    assert payload["errors"] == [], payload["errors"]
    task = await wait_task(admin, payload["task"]["id"], timeout=90)
    assert task["status"] == status, task
    return task


@pytest.mark.timeout(300)
async def test_disks_nics_and_resize_on_a_real_guest(
    libvirtd: None,  # noqa: F811
    admin: GraphQLClient,
    cloud: Cloud,
    tmp_path: Path,
    live_server: LiveServer,
) -> None:
    host_name = f"qemu-{uuid.uuid4().hex[:6]}"
    await cloud.start_agent(host_name, "qemu:///system", api_url=live_server.url)
    image_id = await _blank_image(admin, tmp_path)

    async def registered() -> str | None:
        return next((h["id"] for h in await hosts(admin) if h["name"] == host_name and h["status"] == "ONLINE"), None)

    host_id = await wait_for(registered)
    lan = f"lan-{uuid.uuid4().hex[:6]}"
    made_net = await admin.ok(
        'mutation($n: String!) { networkCreate(input: {name: $n, cidr: "10.77.0.0/28"}) { network { id } } }',
        {"n": lan},
    )
    network_id = made_net["networkCreate"]["network"]["id"]
    created = await create(admin, name="devices", memoryMb=64, diskGb=1, hostId=host_id, imageId=image_id)
    await _done(admin, created)
    server_id = created["servers"][0]["id"]
    try:
        await _exercise(admin, cloud, server_id, network_id, host_name)
    finally:
        if (await node(admin, SERVER, server_id))["status"] != "DELETED":
            await wait_task(admin, (await act(admin, "Delete", server_id))["task"]["id"], timeout=60)
    assert _raw(server_id) not in await asyncio.to_thread(_domain_uuids)


async def _exercise(admin: GraphQLClient, cloud: Cloud, server_id: str, network_id: str, host_name: str) -> None:
    storage = cloud.storage / host_name
    # A volume beside the server, hot-attached: the running domain and its definition both have it.
    made = await mutate(admin, DISK_CREATE, **{"in": {"name": "data", "sizeGb": 1, "serverId": server_id}})
    await _done(admin, made)
    disk_id = made["disk"]["id"]
    volume = storage / "_volumes" / f"{_raw(disk_id)}.qcow2"
    assert volume.exists()
    await _done(admin, await mutate(admin, DISK_ATTACH, id=server_id, disk=disk_id))
    assert str(volume) in _disk_sources(_domain(server_id))
    assert str(volume) in _disk_sources(_domain(server_id, inactive=True))
    disk = await node(admin, DISK, disk_id)
    assert (disk["device"], disk["server"]["id"], disk["status"]) == ("vdb", server_id, "READY")

    # Grown while attached to the running guest (QEMU resizes the block device).
    await _done(
        admin,
        await mutate(
            admin,
            "mutation($id: ID!) { diskResize(input: {id: $id, sizeGb: 2}) "
            "{ task { id status } errors { field message code } } }",
            id=disk_id,
        ),
    )
    assert _virtual_size(volume) == 2 * 1024**3

    # A NIC hot-plugged with an address from IPAM.
    nic = await mutate(admin, NIC_ATTACH, id=server_id, net=network_id)
    await _done(admin, nic)
    assert nic["nic"]["ipAddress"] == "10.77.0.1"
    assert nic["nic"]["mac"] in _macs(_domain(server_id))

    # An interface on a bridge the host lacks: QEMU refuses it, and the address and the NIC go.
    bridge = f"nbr{uuid.uuid4().hex[:8]}"
    made_net = await admin.ok(
        'mutation($n: String!, $b: String!) { networkCreate(input: {name: $n, cidr: "10.78.0.0/29", bridge: $b}) '
        "{ network { id } errors { message } } }",
        {"n": bridge, "b": bridge},
    )
    broken = await mutate(admin, NIC_ATTACH, id=server_id, net=made_net["networkCreate"]["network"]["id"])
    failed = await _done(admin, broken, "FAILED")
    assert bridge in failed["error"]
    vm = await node(admin, SERVER, server_id)
    assert (vm["status"], [n["mac"] for n in vm["nics"]]) == ("RUNNING", [nic["nic"]["mac"]])
    assert broken["nic"]["mac"] not in _macs(_domain(server_id, inactive=True))
    again = await mutate(admin, NIC_ATTACH, id=server_id, net=made_net["networkCreate"]["network"]["id"])
    assert again["nic"]["ipAddress"] == broken["nic"]["ipAddress"]  # the address went back to the pool
    await _done(admin, again, "FAILED")

    # A guest without an OS never lets a device go: the hot detach fails and is undone.
    refused = await _done(admin, await mutate(admin, DISK_DETACH, id=server_id, disk=disk_id), "FAILED")
    assert "did not release" in refused["error"]
    assert str(volume) in _disk_sources(_domain(server_id, inactive=True))
    vm = await node(admin, SERVER, server_id)
    assert vm["status"] == "RUNNING"
    assert (await node(admin, DISK, disk_id))["server"]["id"] == server_id

    # Live resize within the maxima set at create: a vCPU and a DIMM plugged in.
    await _done(
        admin, await mutate(admin, RESIZE, **{"in": {"id": server_id, "vcpus": 2, "memoryMb": 192, "live": True}})
    )
    assert _vcpus(server_id) == 2
    assert _memory_mib(_domain(server_id)) == 192
    vm = await node(admin, SERVER, server_id)
    assert (vm["status"], vm["vcpus"], vm["memoryMb"]) == ("RUNNING", 2, 192)

    # Cold resize: stop, redefine smaller with a bigger boot disk, start again.
    await _done(
        admin, await mutate(admin, RESIZE, **{"in": {"id": server_id, "vcpus": 1, "memoryMb": 128, "diskGb": 2}})
    )
    vm = await node(admin, SERVER, server_id)
    assert (vm["status"], vm["vcpus"], vm["memoryMb"], vm["diskGb"]) == ("RUNNING", 1, 128, 2)
    assert _vcpus(server_id) == 1
    assert _memory_mib(_domain(server_id)) == 128
    (boot,) = [p for p in storage.glob(f"{_raw(server_id)}/*.qcow2")]
    assert _virtual_size(boot) == 2 * 1024**3
    assert str(volume) in _disk_sources(_domain(server_id))  # the volume survives the redefinition

    # Stopped, the detaches take the devices out of the definition and give the address back.
    await _done(
        admin,
        await mutate(
            admin,
            "mutation($id: ID!) { serverStop(input: {id: $id, force: true}) "
            "{ task { id status } errors { field message code } } }",
            id=server_id,
        ),
    )
    await _done(admin, await mutate(admin, DISK_DETACH, id=server_id, disk=disk_id))
    assert str(volume) not in _disk_sources(_domain(server_id, inactive=True))
    await _done(admin, await mutate(admin, NIC_DETACH, id=server_id, nic=nic["nic"]["id"]))
    assert nic["nic"]["mac"] not in _macs(_domain(server_id, inactive=True))
    assert (await node(admin, SERVER, server_id))["nics"] == []

    # Attached cold again, the volume outlives the server: deleting it only detaches the volume.
    await _done(admin, await mutate(admin, DISK_ATTACH, id=server_id, disk=disk_id))
    assert str(volume) in _disk_sources(_domain(server_id, inactive=True))
    await _done(admin, await act(admin, "Delete", server_id))
    disk = await node(admin, DISK, disk_id)
    assert (disk["status"], disk["server"], disk["device"]) == ("READY", None, None)
    assert volume.exists()
    await _done(admin, await mutate(admin, DISK_DELETE, id=disk_id))
    assert not volume.exists()
