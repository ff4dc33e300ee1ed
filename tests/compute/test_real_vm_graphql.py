"""A real VM through the whole platform: GraphQL → worker → host agent on qemu:///system → QEMU."""

from __future__ import annotations

import asyncio
import base64
import subprocess
from pathlib import Path

import pytest

from tests.compute.conftest import Cloud, hosts, wait_for, wait_task
from tests.compute.test_servers import act, create, server
from tests.conftest import GraphQLClient

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def libvirtd() -> None:
    result = subprocess.run([str(ROOT / "scripts" / "libvirt-setup.sh")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"libvirt-setup.sh failed: {result.stderr}"


async def _vnc_greeting(port: int) -> bytes:
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
    try:
        return await asyncio.wait_for(reader.readexactly(12), 5)
    finally:
        writer.close()
        await writer.wait_closed()


def _virsh_domains() -> str:
    return subprocess.run(
        ["virsh", "-c", "qemu:///system", "list", "--all", "--uuid"], capture_output=True, text=True, timeout=30
    ).stdout


@pytest.mark.timeout(120)
async def test_a_real_vm_boots_serves_vnc_stops_and_is_deleted(
    libvirtd: None, admin: GraphQLClient, cloud: Cloud, tmp_path: Path
) -> None:
    await cloud.start_agent("qemu-host", "qemu:///system")

    async def registered() -> str | None:
        return next((h["id"] for h in await hosts(admin) if h["name"] == "qemu-host" and h["status"] == "ONLINE"), None)

    host_id = await wait_for(registered)
    created = await create(admin, name="real", memoryMb=64, diskGb=1, hostId=host_id)
    assert created["errors"] == []
    task = await wait_task(admin, created["task"]["id"], timeout=60)
    assert task["status"] == "SUCCEEDED", task
    server_id = created["servers"][0]["id"]
    vm = await server(admin, server_id)
    assert vm["status"] == "RUNNING"
    assert vm["host"]["name"] == "qemu-host"
    assert vm["vncPort"]
    assert vm["vncPort"] >= 5900
    assert await _vnc_greeting(vm["vncPort"]) == b"RFB 003.008\n"

    stop = (
        await admin.ok(
            "mutation($id: ID!) { serverStop(input: {id: $id, force: true}) { task { id } } }", {"id": server_id}
        )
    )["serverStop"]
    assert (await wait_task(admin, stop["task"]["id"], timeout=60))["status"] == "SUCCEEDED"
    assert (await server(admin, server_id))["status"] == "STOPPED"

    delete = await act(admin, "Delete", server_id)
    assert (await wait_task(admin, delete["task"]["id"], timeout=60))["status"] == "SUCCEEDED"
    raw_id = base64.urlsafe_b64decode(server_id + "==").decode().split(":", 1)[1]
    assert raw_id not in _virsh_domains()
    assert not list((cloud.storage / "qemu-host").rglob("*.qcow2"))
