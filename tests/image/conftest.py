"""Real images made with qemu-img and genisoimage, and helpers to create and upload them."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from nimbus.settings import Settings
from tests.compute.conftest import Cloud
from tests.conftest import GraphQLClient

MIB = 1024 * 1024
CREATE = """
mutation($input: ImageCreateInput!) {
  imageCreate(input: $input) {
    image { id name status diskFormat size checksum visibility }
    uploadUrl
    errors { field message code }
  }
}"""
IMAGE = """
query($id: ID!) { node(id: $id) { ... on Image { id name status size virtualSize checksum error diskFormat
  visibility protected sharedWith } } }"""


def run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=60)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _raw(path: Path, mib: int) -> Path:
    # Random data in the first MiB, a hole after: the formats then have real clusters to describe.
    with path.open("wb") as fh:
        fh.write(bytes(range(256)) * 4096)
        fh.truncate(mib * MIB)
    return path


@pytest.fixture(scope="session")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One small image of each kind: raw, qcow2, vmdk, ISO, and a qcow2 with a backing file."""
    d = tmp_path_factory.mktemp("images")
    raw = _raw(d / "disk.raw", 8)
    made = {"RAW": raw}
    for fmt, name in (("qcow2", "QCOW2"), ("vmdk", "VMDK"), ("vpc", "VHD"), ("vhdx", "VHDX")):
        out = d / f"disk.{fmt}"
        run("qemu-img", "convert", "-f", "raw", "-O", fmt, str(raw), str(out))
        made[name] = out
    overlay = d / "overlay.qcow2"
    run("qemu-img", "create", "-f", "qcow2", "-b", str(made["QCOW2"]), "-F", "qcow2", str(overlay))
    made["BACKED"] = overlay
    tool = shutil.which("genisoimage") or shutil.which("xorrisofs") or shutil.which("mkisofs")
    assert tool, "genisoimage (Debian) is needed to build the test ISO"
    src = d / "iso-src"
    src.mkdir()
    (src / "hello.txt").write_text("hello from nimbus\n")
    run(tool, "-quiet", "-o", str(d / "disk.iso"), "-V", "NIMBUS", str(src))
    made["ISO"] = d / "disk.iso"
    truncated = d / "truncated.qcow2"
    truncated.write_bytes(made["QCOW2"].read_bytes()[: made["QCOW2"].stat().st_size // 2])
    made["TRUNCATED"] = truncated
    return made


async def create_image(client: GraphQLClient, **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.ok(CREATE, {"input": {"name": "img", **fields}}))["imageCreate"]
    return payload


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


async def put(
    http: httpx.AsyncClient, token: str, url: str, data: bytes, content_range: str | None = None
) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"}
    if content_range:
        headers["content-range"] = content_range
    return await http.put(path_of(url), content=data, headers=headers)


async def image(client: GraphQLClient, image_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await client.ok(IMAGE, {"id": image_id}))["node"]
    return node


async def upload(
    client: GraphQLClient, path: Path, disk_format: str, **fields: Any
) -> tuple[dict[str, Any], httpx.Response]:
    created = await create_image(client, diskFormat=disk_format, **fields)
    assert created["errors"] == [], created
    assert client.token
    data = await asyncio.to_thread(path.read_bytes)
    response = await put(client.http, client.token, created["uploadUrl"], data)
    return await image(client, created["image"]["id"]), response


@pytest.fixture
async def worker(settings: Settings, tmp_path: Path, admin: GraphQLClient) -> AsyncIterator[Cloud]:
    """The worker (task stages and image conversions) in the test's event loop."""
    cloud = Cloud(settings, tmp_path)
    await cloud.start_worker()
    yield cloud
    await cloud.stop()
