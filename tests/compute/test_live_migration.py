"""Live migration of a real QEMU (TCG) guest between two libvirtd instances on this machine,
then a cold migration back: each host agent has its own libvirtd and storage directory."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import libvirt
import pytest

from agents.host.domain_xml import vnc_port
from tests.compute.conftest import Cloud, hosts, wait_for, wait_task
from tests.compute.libvirt_peer import second_libvirtd
from tests.compute.test_migration import HOST_UPDATE, MIGRATE, raw_id
from tests.compute.test_real_vm_graphql import (
    _backing_file,
    _blank_image,
    _vnc_greeting,
    libvirtd,  # noqa: F401 (fixture)
)
from tests.compute.test_servers import act, create, server
from tests.conftest import GraphQLClient, LiveServer

ENTER = """mutation($id: ID!) { hostMaintenanceEnter(input: {id: $id, live: true}) { task { id } errors { code } } }"""
EXIT = """mutation($id: ID!) { hostMaintenanceExit(input: {id: $id}) { host { status } errors { code } } }"""
LIVE = """mutation($in: ServerLiveMigrateInput!) { serverLiveMigrate(input: $in) {
  server { id status } task { id } errors { field message code } } }"""
SOURCE_URI = "qemu:///system"


@pytest.fixture
def peer(libvirtd: None, tmp_path: Path) -> Iterator[str]:  # noqa: F811
    with second_libvirtd(tmp_path / "libvirtd2") as uri:
        yield uri


def nbd_exports(uid: str) -> bool:
    return subprocess.run(["pgrep", "-f", f"qemu-nbd.*{uid}"], capture_output=True).returncode == 0


def display_port(uri: str, uid: str) -> int:
    conn = libvirt.open(uri)
    try:
        return int(vnc_port(conn.lookupByUUIDString(uid).XMLDesc(0)) or 0)
    finally:
        conn.close()


def state(uri: str, uid: str) -> str | None:
    """The guest's state on one libvirtd: running, defined (stopped) or None (not there)."""
    conn = libvirt.open(uri)
    try:
        return "running" if conn.lookupByUUIDString(uid).isActive() else "defined"
    except libvirt.libvirtError:
        return None
    finally:
        conn.close()


@pytest.mark.timeout(180)
async def test_a_running_guest_moves_live_and_back_cold(
    admin: GraphQLClient, cloud: Cloud, peer: str, tmp_path: Path, live_server: LiveServer
) -> None:
    await cloud.start_agent("kvm-a", SOURCE_URI, api_url=live_server.url)
    await cloud.start_agent("kvm-b", peer, api_url=live_server.url)
    image_id = await _blank_image(admin, tmp_path)

    async def registered() -> dict[str, Any] | None:
        found = {h["name"]: h for h in await hosts(admin) if h["status"] == "ONLINE"}
        return found if {"kvm-a", "kvm-b"} <= set(found) else None

    found = await wait_for(registered, timeout=30)
    created = await create(admin, name="live", memoryMb=64, diskGb=1, hostId=found["kvm-a"]["id"], imageId=image_id)
    assert (await wait_task(admin, created["task"]["id"], timeout=60))["status"] == "SUCCEEDED"
    server_id = created["servers"][0]["id"]
    uid = raw_id(server_id)
    assert state(SOURCE_URI, uid) == "running"
    try:
        moved = (await admin.ok(LIVE, {"in": {"id": server_id, "hostId": found["kvm-b"]["id"]}}))["serverLiveMigrate"]
        assert moved["errors"] == []
        task = await wait_task(admin, moved["task"]["id"], timeout=90)
        assert task["status"] == "SUCCEEDED", task
        vm = await server(admin, server_id)
        assert (vm["status"], vm["host"]["name"]) == ("RUNNING", "kvm-b")
        assert state(peer, uid) == "running"
        assert state(SOURCE_URI, uid) is None
        assert not (cloud.storage / "kvm-a" / uid).exists()
        (disk,) = (cloud.storage / "kvm-b" / uid).glob("*.qcow2")
        assert str(cloud.storage / "kvm-b" / "_image-cache") in _backing_file(disk)  # its own copy
        assert vm["vncPort"] == display_port(peer, uid)
        assert await _vnc_greeting(vm["vncPort"]) == b"RFB 003.008\n"

        back = (await admin.ok(MIGRATE, {"in": {"id": server_id, "hostId": found["kvm-a"]["id"]}}))["serverMigrate"]
        assert back["errors"] == []
        task = await wait_task(admin, back["task"]["id"], timeout=90)
        assert task["status"] == "SUCCEEDED", task
        vm = await server(admin, server_id)
        assert (vm["status"], vm["host"]["name"]) == ("RUNNING", "kvm-a")
        assert vm["vncPort"] == display_port(SOURCE_URI, uid)
        (disk,) = (cloud.storage / "kvm-a" / uid).glob("*.qcow2")
        assert str(cloud.storage / "kvm-a" / "_image-cache") in _backing_file(disk)
        assert state(SOURCE_URI, uid) == "running"
        assert state(peer, uid) is None
        assert not (cloud.storage / "kvm-b" / uid).exists()

        # Maintenance on kvm-a drains it live: the guest goes back to the second libvirtd (h1,
        # the fixture's test:/// host, is disabled so that the scheduler has only kvm-b left).
        await admin.ok(HOST_UPDATE, {"in": {"id": found["h1"]["id"], "enabled": False}})
        entered = (await admin.ok(ENTER, {"id": found["kvm-a"]["id"]}))["hostMaintenanceEnter"]
        drain = await wait_task(admin, entered["task"]["id"], timeout=90)
        assert drain["status"] == "SUCCEEDED", drain
        assert (await server(admin, server_id))["host"]["name"] == "kvm-b"
        assert state(peer, uid) == "running"
        assert state(SOURCE_URI, uid) is None
        exited = (await admin.ok(EXIT, {"id": found["kvm-a"]["id"]}))["hostMaintenanceExit"]
        assert exited["host"]["status"] == "ONLINE"
    finally:
        delete = await act(admin, "Delete", server_id)
        if delete["task"]:
            await wait_task(admin, delete["task"]["id"], timeout=60)
    assert state(SOURCE_URI, uid) is None
    assert state(peer, uid) is None
    assert not await asyncio.to_thread(nbd_exports, uid)
