"""The image data listener: the same protocol as the api's /images route, on a port of its own."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from climc import transfer
from nimbus.app import create_app
from nimbus.settings import Settings
from tests.conftest import ADMIN_PASSWORD, GraphQLClient
from tests.image.conftest import create_image, image

MIB = 1024 * 1024
FILE_URL = "query($id: ID!) { node(id: $id) { ... on Image { fileUrl } } }"


@pytest.fixture
async def listening(settings: Settings, app: Starlette) -> AsyncIterator[Starlette]:
    """An api whose image bytes go to a data listener on a free port (`app` resets the state)."""
    application = create_app(settings.model_copy(update={"image_data_port": 0}))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def owner(listening: Starlette) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=listening)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        client = GraphQLClient(http)
        yield client.as_(await client.login("admin", ADMIN_PASSWORD, "admin"))


async def _exchange(url: str, head: str, body: bytes = b"", *, drop_after: float | None = None) -> bytes:
    """One raw HTTP exchange: what a client that is not httpx (curl, a cut connection) does."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(head.encode() + body)
    await writer.drain()
    if drop_after is not None:
        await asyncio.sleep(drop_after)
        writer.transport.abort()
        return b""
    answer = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    return answer


def _data(size: int) -> bytes:
    # Not a multiple of a page, and different in every MiB: offsets and checksums must be exact.
    block = hashlib.sha256(b"nimbus").digest() * (MIB // 32)
    return b"".join(bytes([i % 251]) + block[1:] for i in range(size // MIB + 1))[:size]


async def test_upload_url_leads_to_the_listener_and_bytes_round_trip(
    owner: GraphQLClient, listening: Starlette
) -> None:
    created = await create_image(owner, diskFormat="RAW")
    port = listening.state.services.image_data_port
    assert urlsplit(created["uploadUrl"]).port == port
    data = _data(9 * MIB + 4321)
    auth = {"authorization": f"Bearer {owner.token}"}
    async with httpx.AsyncClient(timeout=30) as http:
        put = await http.put(created["uploadUrl"], content=data, headers=auth)
        assert put.status_code == 201, put.text
        assert put.json()["status"] == "ACTIVE"
        file_url = (await owner.ok(FILE_URL, {"id": created["image"]["id"]}))["node"]["fileUrl"]
        assert file_url == created["uploadUrl"]
        got = await http.get(file_url, headers=auth)
        assert got.status_code == 200
        assert got.content == data
        assert got.headers["x-checksum-sha256"] == hashlib.sha256(data).hexdigest()
        part = await http.get(file_url, headers={**auth, "range": "bytes=5000000-5000099"})
        assert part.status_code == 206
        assert part.content == data[5000000:5000100]
        assert part.headers["content-range"] == f"bytes 5000000-5000099/{len(data)}"
        head = await http.head(file_url, headers=auth)
        assert head.headers["content-length"] == str(len(data))
        assert head.content == b""
        assert (await http.get(file_url, headers={**auth, "range": f"bytes={len(data)}-"})).status_code == 416
    assert (await image(owner, created["image"]["id"]))["checksum"] == hashlib.sha256(data).hexdigest()


async def test_a_cut_upload_resumes_at_an_unaligned_offset(owner: GraphQLClient) -> None:
    created = await create_image(owner, diskFormat="RAW")
    url, data = created["uploadUrl"], _data(12 * MIB + 777)
    path = urlsplit(url).path
    head = (
        f"PUT {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {owner.token}\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    await _exchange(url, head, data[: 5 * MIB + 12345], drop_after=0.5)
    auth = {"authorization": f"Bearer {owner.token}"}
    async with httpx.AsyncClient(timeout=30) as http:
        for _ in range(50):  # the listener may still be storing what arrived before the cut
            stored = int((await http.head(url, headers=auth)).headers["upload-offset"])
            rest = await http.put(
                url,
                content=data[stored:],
                headers={**auth, "content-range": f"bytes {stored}-{len(data) - 1}/{len(data)}"},
            )
            if rest.status_code != 409:
                break
            await asyncio.sleep(0.1)
        assert rest.status_code == 201, rest.text
        assert 0 < stored <= 5 * MIB + 12345
        assert (await http.get(url, headers=auth)).content == data
    done = await image(owner, created["image"]["id"])
    assert done["status"] == "ACTIVE"
    assert done["checksum"] == hashlib.sha256(data).hexdigest()


async def test_expect_100_continue_is_answered_once_the_upload_is_accepted(owner: GraphQLClient) -> None:
    created = await create_image(owner, diskFormat="RAW")
    url, data = created["uploadUrl"], _data(MIB)
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(
        f"PUT {parts.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {owner.token}\r\n"
        f"Content-Length: {len(data)}\r\nExpect: 100-continue\r\n\r\n".encode()
    )
    await writer.drain()
    interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert interim.startswith(b"HTTP/1.1 100 ")
    writer.write(data)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 201 "), answer[:200]


async def test_refused_requests_get_json_errors_and_no_bytes_are_kept(
    owner: GraphQLClient, listening: Starlette
) -> None:
    created = await create_image(owner, diskFormat="RAW")
    url = created["uploadUrl"]
    path = urlsplit(url).path
    async with httpx.AsyncClient(timeout=30) as http:
        anonymous = await http.put(url, content=b"x" * 1000)
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "UNAUTHENTICATED"
        forged = await http.put(url, content=b"x" * 1000, headers={"authorization": "Bearer forged"})
        assert forged.status_code == 401
        unknown = url.replace(path, "/images/not-a-uuid/file")
        assert (await http.get(unknown, headers={"authorization": f"Bearer {owner.token}"})).status_code == 404
        assert (await http.get(url.replace(path, "/graphql"))).status_code == 404
        wrong = await http.post(url, content=b"x", headers={"authorization": f"Bearer {owner.token}"})
        assert wrong.status_code == 405
        assert wrong.headers["allow"] == "GET, HEAD, PUT"
        chunked = await http.put(url, content=_chunks(), headers={"authorization": f"Bearer {owner.token}"})
        assert chunked.status_code == 411
    garbage = await _exchange(url, "NOT HTTP AT ALL\r\n\r\n")
    assert garbage.startswith(b"HTTP/1.1 400 ")
    assert (await image(owner, created["image"]["id"]))["status"] == "QUEUED"
    key = path.split("/")[2]  # the store keeps an image's bytes under its uuid
    store = listening.state.services.images.store
    assert store.partial_size(key) == 0
    assert not (store.directory / key).exists()


async def _chunks() -> AsyncIterator[bytes]:
    yield b"a" * 100


async def test_climc_sends_chunks_with_sendfile_to_the_listener(owner: GraphQLClient, tmp_path: Path) -> None:
    created = await create_image(owner, diskFormat="RAW")
    source = tmp_path / "disk.raw"
    source.write_bytes(_data(7 * MIB + 99))
    seen: list[tuple[int, int]] = []

    def send() -> dict[str, Any]:
        with httpx.Client() as http:
            auth = {"authorization": f"Bearer {owner.token}"}
            # Three chunks, each PUT with the kernel sending the file's bytes.
            return transfer.upload(
                http, created["uploadUrl"], auth, source, progress=lambda d, t: seen.append((d, t)), chunk_size=3 * MIB
            )

    answer = await asyncio.to_thread(send)
    assert answer["status"] == "ACTIVE"
    assert answer["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert seen[-1] == (source.stat().st_size, source.stat().st_size)


async def test_a_store_failure_mid_upload_is_answered_and_the_upload_resumes_with_the_right_checksum(
    owner: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domain.image import local_store

    created = await create_image(owner, diskFormat="RAW")
    url, data = created["uploadUrl"], _data(14 * MIB + 5)
    real = local_store._FileAppender.write_blocking
    calls = {"n": 0}

    def full_disk_once(self: Any, pieces: Any, also: Any = None) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # the third block: the disk is full, nothing of it is written
            raise OSError(28, "No space left on device")
        real(self, pieces, also)

    monkeypatch.setattr(local_store._FileAppender, "write_blocking", full_disk_once)
    auth = {"authorization": f"Bearer {owner.token}"}
    async with httpx.AsyncClient(timeout=30) as http:
        failed = await http.put(url, content=data, headers=auth)
        assert failed.status_code == 507
        assert failed.json()["error"]["message"] == "The image store could not write: No space left on device"
        stored = int((await http.head(url, headers=auth)).headers["upload-offset"])
        assert 0 < stored < len(data)
        rest = await http.put(
            url, content=data[stored:], headers={**auth, "content-range": f"bytes {stored}-{len(data) - 1}/{len(data)}"}
        )
        assert rest.status_code == 201, rest.text
    # The checksum of the resumed upload covers exactly the bytes stored, once each.
    assert (await image(owner, created["image"]["id"]))["checksum"] == hashlib.sha256(data).hexdigest()
