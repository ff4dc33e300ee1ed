"""Servers boot from images: the host agent caches each image once and gives every disk an overlay."""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from nimbus.settings import Settings
from tests.compute.conftest import Cloud, hosts, wait_for, wait_task
from tests.compute.test_compute_isolation import tenant
from tests.compute.test_servers import create
from tests.conftest import GraphQLClient, LiveServer
from tests.image.conftest import run, upload
from tests.image.test_convert import raw_id


@pytest.fixture
async def cloud_with_images(
    settings: Settings, tmp_path: Path, admin: GraphQLClient, live_server: LiveServer
) -> AsyncIterator[Cloud]:
    cloud = Cloud(settings, tmp_path)
    await cloud.start_worker()
    await cloud.start_agent("h1", api_url=live_server.url)

    async def registered() -> bool:
        return any(h["name"] == "h1" and h["status"] == "ONLINE" for h in await hosts(admin))

    await wait_for(registered)
    yield cloud
    await cloud.stop()


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("blank") / "blank.qcow2"
    run("qemu-img", "create", "-f", "qcow2", str(path), "64M")
    return path


def backing_of(disk: Path) -> str:
    info = subprocess.run(
        ["qemu-img", "info", "-U", "--output=json", str(disk)], capture_output=True, text=True, check=True
    )
    backing: str = json.loads(info.stdout)["backing-filename"]
    return backing


async def test_servers_from_one_image_share_one_cached_download(
    admin: GraphQLClient, cloud_with_images: Cloud, blank: Path
) -> None:
    image, _ = await upload(admin, blank, "QCOW2")
    created = await create(admin, name="web", memoryMb=64, diskGb=1, imageId=image["id"], count=3)
    assert created["errors"] == [], created
    task = await wait_task(admin, created["task"]["id"], timeout=30)
    assert task["status"] == "SUCCEEDED", task

    storage = cloud_with_images.storage / "h1"
    cached = storage / "_image-cache" / raw_id(image["id"])
    assert cached.exists()
    disks = sorted(storage.glob("*/*.qcow2"))
    assert len(disks) == 3
    assert {backing_of(d) for d in disks} == {str(cached)}
    agent = cloud_with_images.workers[-1].ctx["agent"]
    assert agent.images.downloads == 1
    entries = agent.images.entries()
    assert [(e.id, e.in_use) for e in entries] == [(raw_id(image["id"]), True)]
    assert agent.images.clean() == []  # in use: kept


async def test_server_create_checks_the_image(
    admin: GraphQLClient, gql: GraphQLClient, cloud_with_images: Cloud, blank: Path, images: dict[str, Path]
) -> None:
    blue = await tenant(admin, gql, "blue", "bob")
    red = await tenant(admin, gql, "red", "rita")
    private, _ = await upload(blue, blank, "QCOW2")
    refused = await create(red, name="x", memoryMb=64, diskGb=1, imageId=private["id"])
    assert refused["errors"][0]["field"] == "imageId"
    assert refused["errors"][0]["code"] == "NOT_FOUND"

    big = await upload(blue, images["QCOW2"], "QCOW2", minDiskGb=5, minMemoryMb=512)
    too_small = await create(blue, name="x", memoryMb=64, diskGb=1, imageId=big[0]["id"])
    assert {e["field"] for e in too_small["errors"]} == {"diskGb"}
    little_memory = await create(blue, name="x", memoryMb=64, diskGb=5, imageId=big[0]["id"])
    assert {e["field"] for e in little_memory["errors"]} == {"memoryMb"}
    iso, _ = await upload(blue, images["ISO"], "ISO")
    assert (await create(blue, name="x", memoryMb=64, diskGb=1, imageId=iso["id"]))["errors"][0]["field"] == "imageId"
