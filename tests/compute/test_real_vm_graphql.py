"""A real VM through the whole platform: GraphQL → worker → host agent on qemu:///system → QEMU,
booting from an image overlay the agent made on an image it fetched from the API."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
from pathlib import Path

import pytest

from tests.compute.conftest import Cloud, hosts, wait_for, wait_task
from tests.compute.test_servers import act, create, server
from tests.conftest import GraphQLClient, LiveServer
from tests.image.conftest import upload

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


def _backing_file(disk: Path) -> str:
    out = subprocess.run(["qemu-img", "info", "-U", "--output=json", str(disk)], capture_output=True, text=True)
    return str(json.loads(out.stdout).get("backing-filename", ""))


def _virsh_domains() -> str:
    return subprocess.run(
        ["virsh", "-c", "qemu:///system", "list", "--all", "--uuid"], capture_output=True, text=True, timeout=30
    ).stdout


async def _blank_image(admin: GraphQLClient, tmp_path: Path) -> str:
    """A blank qcow2 uploaded as an image: the server's disk becomes an overlay of it."""
    path = tmp_path / "blank.qcow2"
    command = ["qemu-img", "create", "-q", "-f", "qcow2", str(path), "64M"]
    await asyncio.to_thread(subprocess.run, command, check=True, timeout=30)
    image, response = await upload(admin, path, "QCOW2")
    assert response.status_code == 201, response.text
    return str(image["id"])


@pytest.mark.timeout(120)
async def test_a_real_vm_boots_serves_vnc_stops_and_is_deleted(
    libvirtd: None, admin: GraphQLClient, cloud: Cloud, tmp_path: Path, live_server: LiveServer
) -> None:
    await cloud.start_agent("qemu-host", "qemu:///system", api_url=live_server.url)
    image_id = await _blank_image(admin, tmp_path)

    async def registered() -> str | None:
        return next((h["id"] for h in await hosts(admin) if h["name"] == "qemu-host" and h["status"] == "ONLINE"), None)

    host_id = await wait_for(registered)
    created = await create(admin, name="real", memoryMb=64, diskGb=1, hostId=host_id, imageId=image_id)
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
    disks = list((cloud.storage / "qemu-host").glob("*/*.qcow2"))
    assert len(disks) == 1
    assert "_image-cache" in _backing_file(disks[0])

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
