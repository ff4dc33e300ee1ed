"""imageConvert: a task runs qemu-img convert in the worker and produces a new ACTIVE image."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from pathlib import Path

import pytest

from nimbus.settings import Settings
from tests.compute.conftest import Cloud, wait_task
from tests.compute.test_compute_isolation import _subscribe
from tests.conftest import GraphQLClient, LiveServer
from tests.image.conftest import image, upload
from workers import image_jobs

CONVERT = """
mutation($id: ID!, $fmt: DiskFormat!) {
  imageConvert(input: {id: $id, diskFormat: $fmt}) {
    image { id name status diskFormat } task { id status } errors { field message code }
  }
}"""


def raw_id(global_id: str) -> str:
    return base64.urlsafe_b64decode(global_id + "==").decode().split(":", 1)[1]


async def test_qcow2_converts_to_raw_identical_to_its_source(
    admin: GraphQLClient, worker: Cloud, images: dict[str, Path]
) -> None:
    source, _ = await upload(admin, images["QCOW2"], "QCOW2", osDistro="debian-12")
    converted = (await admin.ok(CONVERT, {"id": source["id"], "fmt": "RAW"}))["imageConvert"]
    assert converted["errors"] == [], converted
    assert converted["image"]["status"] == "SAVING"
    assert converted["image"]["name"] == "img-raw"
    task = await wait_task(admin, converted["task"]["id"], timeout=30)
    assert task["status"] == "SUCCEEDED", task
    assert task["progress"] == 100
    result = await image(admin, converted["image"]["id"])
    assert result["status"] == "ACTIVE"
    assert result["diskFormat"] == "RAW"
    body = await admin.http.get(
        f"/images/{raw_id(result['id'])}/file", headers={"authorization": f"Bearer {admin.token}"}
    )
    assert body.content == images["RAW"].read_bytes()
    assert result["checksum"] == body.headers["x-checksum-sha256"]


async def test_conversion_refuses_iso_targets_and_inactive_sources(
    admin: GraphQLClient, worker: Cloud, images: dict[str, Path]
) -> None:
    source, _ = await upload(admin, images["QCOW2"], "QCOW2")
    to_iso = (await admin.ok(CONVERT, {"id": source["id"], "fmt": "ISO"}))["imageConvert"]
    assert to_iso["errors"][0]["code"] == "UNSUPPORTED_FORMAT"
    same = (await admin.ok(CONVERT, {"id": source["id"], "fmt": "QCOW2"}))["imageConvert"]
    assert same["errors"][0]["code"] == "INVALID"
    killed, _ = await upload(admin, images["BACKED"], "QCOW2")
    refused = (await admin.ok(CONVERT, {"id": killed["id"], "fmt": "RAW"}))["imageConvert"]
    assert refused["errors"][0]["code"] == "INVALID_STATE"


@pytest.mark.timeout(90)
async def test_conversion_progress_is_reported_live(
    admin: GraphQLClient, worker: Cloud, live_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(image_jobs, "PROGRESS_EVERY_S", 0.0)
    source = tmp_path / "noise.raw"
    await asyncio.to_thread(source.write_bytes, os.urandom(96 * 1024 * 1024))
    image, _ = await upload(admin, source, "RAW")
    assert admin.token
    ws = await _subscribe(live_server.url, admin.token, "subscription { tasks { id kind status progress } }", {})
    try:
        await asyncio.sleep(0.3)
        converted = (await admin.ok(CONVERT, {"id": image["id"], "fmt": "VMDK"}))["imageConvert"]
        task_id = converted["task"]["id"]
        seen: list[tuple[str, int]] = []
        while not seen or seen[-1][0] not in ("SUCCEEDED", "FAILED"):
            frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
            task = frame["payload"]["data"]["tasks"]
            if task["id"] == task_id:
                seen.append((task["status"], task["progress"]))
    finally:
        await ws.close()
        await asyncio.sleep(0.3)  # let the server end the subscription before the session may stop it
    assert seen[-1] == ("SUCCEEDED", 100)
    running = [progress for status, progress in seen if status == "RUNNING"]
    assert any(0 < p < 100 for p in running), seen
    assert running == sorted(running)


async def test_a_cancelled_conversion_leaves_a_killed_image_and_no_file(
    admin: GraphQLClient, settings: Settings, tmp_path: Path, images: dict[str, Path]
) -> None:
    source, _ = await upload(admin, images["QCOW2"], "QCOW2")
    converted = (await admin.ok(CONVERT, {"id": source["id"], "fmt": "VHDX"}))["imageConvert"]
    cancel = "mutation($id: ID!) { taskCancel(input: {id: $id}) { errors { code } } }"
    assert (await admin.ok(cancel, {"id": converted["task"]["id"]}))["taskCancel"]["errors"] == []
    cloud = Cloud(settings, tmp_path)
    await cloud.start_worker()  # only now: the task was still queued when cancelled
    try:
        task = await wait_task(admin, converted["task"]["id"], timeout=30)
    finally:
        await cloud.stop()
    assert task["status"] == "CANCELLED"
    target = await image(admin, converted["image"]["id"])
    assert target["status"] == "KILLED"
    store = settings.effective_image_dir
    assert not any(p.name.startswith(raw_id(target["id"])) for p in store.iterdir())
