"""An upload cut off halfway over a real connection resumes from the stored offset."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.conftest import GraphQLClient, LiveServer
from tests.image.conftest import create_image, image, path_of, sha256

MIB = 1024 * 1024


async def _send_and_drop(base: str, path: str, token: str, data: bytes, total: int) -> None:
    """A PUT announcing `total` bytes that sends `data` only, then loses the connection."""
    parts = urlsplit(base)
    _reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = (
        f"PUT {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Length: {total}\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    writer.write(head.encode() + data)
    await writer.drain()
    await asyncio.sleep(0.3)
    writer.transport.abort()


async def test_an_interrupted_upload_resumes_and_completes_with_the_right_checksum(
    live_server: LiveServer, gql: GraphQLClient, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as http:
        admin = GraphQLClient(http)
        admin = admin.as_(await admin.login("admin", live_server.admin_password, "admin"))
        assert admin.token
        source = tmp_path / "big.raw"
        source.write_bytes(bytes(range(256)) * (24 * MIB // 256))
        data = source.read_bytes()
        created = await create_image(admin, diskFormat="RAW")
        path = path_of(created["uploadUrl"])
        auth = {"authorization": f"Bearer {admin.token}"}

        await _send_and_drop(live_server.url, path, admin.token, data[: len(data) // 2], len(data))

        head = await http.head(path, headers=auth)
        stored = int(head.headers["upload-offset"])
        assert stored <= len(data) // 2
        assert (await image(admin, created["image"]["id"]))["status"] == "SAVING"
        # The server may still be writing what arrived before the drop: a 409 names the offset to use.
        for _ in range(50):
            rest = await http.put(
                path,
                content=data[stored:],
                headers={**auth, "content-range": f"bytes {stored}-{len(data) - 1}/{len(data)}"},
            )
            if rest.status_code != 409:
                break
            stored = int(rest.headers["upload-offset"])
            await asyncio.sleep(0.1)
        assert rest.status_code == 201, rest.text
        assert 0 < stored <= len(data) // 2
        done = await image(admin, created["image"]["id"])
        assert done["status"] == "ACTIVE"
        assert done["checksum"] == sha256(source)
        got = await http.get(path, headers=auth)
        assert got.content == data
