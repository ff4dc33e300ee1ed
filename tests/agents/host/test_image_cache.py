"""The host's image cache against the real API: one download per image, verified, cleanable."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path

import pytest

from agents.host.driver import DriverError
from agents.host.image_cache import ImageCache
from agents.host.protocol import ImageRef
from domain.image.links import signed_path
from nimbus.settings import Settings
from tests.conftest import ADMIN_PASSWORD, GraphQLClient, LiveServer
from tests.image.conftest import run, upload
from tests.image.test_convert import raw_id


@pytest.fixture
async def uploaded(admin: GraphQLClient, live_server: LiveServer, tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "small.qcow2"
    await asyncio.to_thread(run, "qemu-img", "create", "-f", "qcow2", str(path), "16M")
    image, response = await upload(admin, path, "QCOW2")
    assert response.status_code == 201
    return raw_id(image["id"]), path


def ref(settings: Settings, image_id: str, path: Path, sha256: str | None = None) -> ImageRef:
    digest = sha256 or hashlib.sha256(path.read_bytes()).hexdigest()
    link = signed_path(settings.effective_secret_key, uuid.UUID(image_id))
    return ImageRef(image_id, digest, path.stat().st_size, "qcow2", link)


async def test_concurrent_requests_share_one_verified_download(
    settings: Settings, live_server: LiveServer, uploaded: tuple[str, Path], tmp_path: Path
) -> None:
    image_id, source = uploaded
    cache = ImageCache(tmp_path / "cache", live_server.url, tmp_path / "disks")
    paths = await asyncio.gather(*(cache.fetch(ref(settings, image_id, source)) for _ in range(5)))
    assert cache.downloads == 1
    assert {p.read_bytes() for p in paths} == {source.read_bytes()}
    await cache.fetch(ref(settings, image_id, source))
    assert cache.downloads == 1  # cached
    assert [e.id for e in cache.entries()] == [image_id]
    assert cache.clean() == [image_id]  # no disk uses it
    assert cache.entries() == []


async def test_a_checksum_mismatch_leaves_nothing_in_the_cache(
    settings: Settings, live_server: LiveServer, uploaded: tuple[str, Path], tmp_path: Path
) -> None:
    image_id, source = uploaded
    cache = ImageCache(tmp_path / "cache", live_server.url)
    with pytest.raises(DriverError, match="checksum mismatch"):
        await cache.fetch(ref(settings, image_id, source, sha256="0" * 64))
    assert list((tmp_path / "cache").iterdir()) == []


async def test_a_forged_link_is_refused(live_server: LiveServer, uploaded: tuple[str, Path], tmp_path: Path) -> None:
    image_id, _source = uploaded
    cache = ImageCache(tmp_path / "cache", live_server.url)
    forged = ImageRef(image_id, "0" * 64, 1, "qcow2", f"/images/{image_id}/file?expires=9999999999&signature=00")
    with pytest.raises(DriverError, match="HTTP 403"):
        await cache.fetch(forged)
    assert ADMIN_PASSWORD  # the link alone, without any token, is what agents use
