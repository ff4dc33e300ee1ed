"""Snapshots, rebuild and screenshots of a real QEMU guest through the whole platform, checked on
the disk file itself with qemu-img and qemu-io."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.compute.conftest import Cloud, hosts, wait_for, wait_task
from tests.compute.test_real_vm_graphql import libvirtd  # noqa: F401  (fixture)
from tests.compute.test_servers import NETWORK, act, create, server
from tests.compute.test_snapshots import REBUILD, SCREENSHOT, snapshot, snapshot_act, snapshots
from tests.conftest import GraphQLClient, LiveServer
from tests.image.conftest import upload

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _qemu_io(disk: Path, command: str) -> str:
    done = _run("qemu-io", "-f", "qcow2", "-c", command, str(disk))
    return done.stdout + done.stderr


def _has_pattern(disk: Path, byte: int) -> bool:
    return "Pattern verification failed" not in _qemu_io(disk, f"read -P {byte:#x} 0 64k")


def _internal_snapshots(disk: Path) -> list[str]:
    info = json.loads(_run("qemu-img", "info", "-U", "--output=json", str(disk)).stdout)
    return [s["name"] for s in info.get("snapshots", [])]


def _raw(global_id: str) -> str:
    return base64.urlsafe_b64decode(global_id + "==").decode().split(":", 1)[1]


async def _image(admin: GraphQLClient, tmp_path: Path, size: str) -> str:
    path = tmp_path / f"blank-{size}.qcow2"
    await asyncio.to_thread(subprocess.run, ["qemu-img", "create", "-q", "-f", "qcow2", str(path), size], check=True)
    image, response = await upload(admin, path, "QCOW2")
    assert response.status_code == 201, response.text
    return str(image["id"])


async def _stop(admin: GraphQLClient, server_id: str) -> None:
    stop = await admin.ok(
        "mutation($id: ID!) { serverStop(input: {id: $id, force: true}) { task { id } } }", {"id": server_id}
    )
    assert (await wait_task(admin, stop["serverStop"]["task"]["id"], timeout=60))["status"] == "SUCCEEDED"


async def _done(admin: GraphQLClient, payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["errors"] == [], payload
    return await wait_task(admin, payload["task"]["id"], timeout=90)


@pytest.fixture
async def real_server(
    libvirtd: None,  # noqa: F811
    admin: GraphQLClient,
    cloud: Cloud,
    tmp_path: Path,
    live_server: LiveServer,
) -> Any:
    host = f"snap-{uuid.uuid4().hex[:8]}"
    await cloud.start_agent(host, "qemu:///system", api_url=live_server.url)

    async def registered() -> str | None:
        return next((h["id"] for h in await hosts(admin) if h["name"] == host and h["status"] == "ONLINE"), None)

    host_id = await wait_for(registered)
    image_id = await _image(admin, tmp_path, "64M")
    network = (await admin.ok(NETWORK))["networkCreate"]["network"]["id"]
    created = await create(
        admin, name="snap", memoryMb=64, diskGb=1, hostId=host_id, imageId=image_id, networkId=network
    )
    assert (await wait_task(admin, created["task"]["id"], timeout=60))["status"] == "SUCCEEDED"
    server_id = created["servers"][0]["id"]
    (disk,) = (cloud.storage / host).glob("*/*.qcow2")
    yield server_id, disk
    delete = await act(admin, "Delete", server_id)
    assert (await wait_task(admin, delete["task"]["id"], timeout=60))["status"] == "SUCCEEDED"
    assert _raw(server_id) not in _run("virsh", "-c", "qemu:///system", "list", "--all", "--uuid").stdout


@pytest.mark.timeout(180)
async def test_snapshot_write_revert_undoes_the_write(admin: GraphQLClient, real_server: Any) -> None:
    server_id, disk = real_server
    # No guest agent in this guest: quiesce is refused clearly and the server is left as it was.
    quiesced = await _done(admin, await snapshot(admin, server_id, name="quiet", quiesce=True))
    assert quiesced["status"] == "FAILED"
    assert "guest agent" in quiesced["error"]
    assert (await server(admin, server_id))["status"] == "RUNNING"
    assert await snapshots(admin, server_id) == []

    created = await snapshot(admin, server_id, name="before")
    assert (await _done(admin, created))["status"] == "SUCCEEDED"
    snapshot_id = created["snapshot"]["id"]
    assert _raw(snapshot_id) in _internal_snapshots(disk)

    await _stop(admin, server_id)
    assert "wrote 65536/65536" in _qemu_io(disk, "write -P 0xab 0 64k")
    assert _has_pattern(disk, 0xAB)

    reverted = await snapshot_act(admin, "Revert", snapshot_id)
    assert (await _done(admin, reverted))["status"] == "SUCCEEDED"
    vm = await server(admin, server_id)
    assert vm["status"] == "RUNNING"  # the snapshot was taken running: memory and all come back
    await _stop(admin, server_id)
    assert not _has_pattern(disk, 0xAB)
    assert _has_pattern(disk, 0x00)

    deleted = await snapshot_act(admin, "Delete", snapshot_id)
    assert (await _done(admin, deleted))["status"] == "SUCCEEDED"
    assert _internal_snapshots(disk) == []
    assert await snapshots(admin, server_id) == []


@pytest.mark.timeout(180)
async def test_a_revert_that_fails_on_the_host_leaves_the_server_as_it_was(
    admin: GraphQLClient, real_server: Any
) -> None:
    server_id, disk = real_server
    await _stop(admin, server_id)
    created = await snapshot(admin, server_id, name="doomed")
    assert (await _done(admin, created))["status"] == "SUCCEEDED"
    listed = (await snapshots(admin, server_id))[0]
    assert listed["includesMemory"] is False
    # Behind the platform's back, the data the snapshot points at disappears.
    assert _run("qemu-img", "snapshot", "-d", _raw(created["snapshot"]["id"]), str(disk)).returncode == 0

    reverted = await _done(admin, await snapshot_act(admin, "Revert", created["snapshot"]["id"]))
    assert reverted["status"] == "FAILED"
    assert "could not revert" in reverted["error"]
    vm = await server(admin, server_id)
    assert vm["status"] == "STOPPED"
    assert vm["task"] is None
    assert "could not revert" in vm["error"]
    assert (await snapshots(admin, server_id))[0]["status"] == "READY"


@pytest.mark.timeout(180)
async def test_rebuild_keeps_identity_and_address_and_screenshot_is_a_png(
    admin: GraphQLClient, real_server: Any, tmp_path: Path
) -> None:
    server_id, disk = real_server
    before = await server(admin, server_id)
    shot = (await admin.ok(SCREENSHOT, {"id": server_id}))["serverScreenshot"]
    assert shot["errors"] == []
    assert shot["screenshot"]["mimeType"] == "image/png"
    png = base64.b64decode(shot["screenshot"]["dataUrl"].split(",", 1)[1])
    assert png.startswith(PNG_MAGIC)

    created = await snapshot(admin, server_id, name="old-root")
    assert (await _done(admin, created))["status"] == "SUCCEEDED"
    await _stop(admin, server_id)
    _qemu_io(disk, "write -P 0xcd 0 64k")
    new_image = await _image(admin, tmp_path, "32M")
    rebuilt = (await admin.ok(REBUILD, {"id": server_id, "image": new_image}))["serverRebuild"]
    assert (await _done(admin, rebuilt))["status"] == "SUCCEEDED"

    after = await server(admin, server_id)
    assert after["id"] == server_id
    assert after["status"] == "STOPPED"  # as it was before the rebuild
    assert after["nics"] == before["nics"]
    assert after["nics"][0]["ipAddress"]
    assert not _has_pattern(disk, 0xCD)  # a fresh disk
    info = json.loads(_run("qemu-img", "info", "-U", "--output=json", str(disk)).stdout)
    assert _raw(new_image) in info["backing-filename"]
    assert await snapshots(admin, server_id) == []  # their data was in the old disk
    assert list(disk.parent.iterdir()) == [disk]  # nothing left aside


SAVE_IMAGE = """mutation($id: ID!, $name: String!) { imageCreateFromServer(input: {serverId: $id, name: $name}) {
  image { id status } task { id } errors { field message code } } }"""
IMAGE = "query($id: ID!) { node(id: $id) { ... on Image { status diskFormat virtualSize minDiskGb } } }"


@pytest.mark.timeout(180)
async def test_a_running_server_is_saved_as_an_image_with_its_data(
    admin: GraphQLClient, real_server: Any, tmp_path: Path
) -> None:
    server_id, disk = real_server
    await _stop(admin, server_id)
    _qemu_io(disk, "write -P 0xef 0 64k")
    started = await act(admin, "Start", server_id)
    assert (await wait_task(admin, started["task"]["id"], timeout=60))["status"] == "SUCCEEDED"

    saved = (await admin.ok(SAVE_IMAGE, {"id": server_id, "name": "golden"}))["imageCreateFromServer"]
    assert saved["image"]["status"] == "QUEUED"
    assert (await _done(admin, saved))["status"] == "SUCCEEDED"
    image = (await admin.ok(IMAGE, {"id": saved["image"]["id"]}))["node"]
    assert image["status"] == "ACTIVE"
    assert image["diskFormat"] == "QCOW2"
    assert image["minDiskGb"] == 1
    vm = await server(admin, server_id)
    assert vm["status"] == "RUNNING"
    assert vm["task"] is None
    assert _internal_snapshots(disk) == []  # the temporary snapshot of the copy is gone

    response = await admin.http.get(
        f"/images/{_raw(saved['image']['id'])}/file", headers={"authorization": f"Bearer {admin.token}"}
    )
    assert response.status_code == 200
    copy = tmp_path / "golden.qcow2"
    copy.write_bytes(response.content)
    info = json.loads(_run("qemu-img", "info", "--output=json", str(copy)).stdout)
    assert "backing-filename" not in info  # standalone: the image's own backing chain is flattened in
    assert _has_pattern(copy, 0xEF)

    refused = (await admin.ok(SAVE_IMAGE, {"id": server_id, "name": "bad name!"}))["imageCreateFromServer"]
    assert refused["errors"][0]["field"] == "name"
