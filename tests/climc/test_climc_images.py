"""climc's image commands against a real API: upload that resumes after a dropped connection,
list, show, update, download verified byte-identical, convert --wait, delete."""

import asyncio
import contextlib
import hashlib
import json
import subprocess
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from typer.testing import CliRunner, Result

from climc import cli, config
from climc.client import NimbusClient
from nimbus.settings import Settings
from tests.compute.conftest import Cloud
from tests.conftest import LiveServer

runner = CliRunner()


class DropsFirstUpload(httpx.BaseTransport):
    """Cuts the first PUT off halfway, as a flaky network would; the rest goes through."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.dropped = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and not self.dropped:
            self.dropped = True
            body = b"".join(request.stream)  # type: ignore[union-attr]
            half = httpx.ByteStream(body[: len(body) // 2])
            # h11 refuses to end a body shorter than announced (after sending it): the server
            # has half the bytes, then the connection goes away.
            with contextlib.suppress(Exception):
                self.inner.handle_request(httpx.Request("PUT", request.url, headers=request.headers, stream=half))
            self.inner.close()
            self.inner = httpx.HTTPTransport()
            raise httpx.WriteError("connection reset during the upload")
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
async def signed_in(live_server: LiveServer, app: Starlette) -> str:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        body = await http.post(
            "/graphql",
            json={
                "query": "mutation($i: TokenCreateInput!) { tokenCreate(input: $i) { token } }",
                "variables": {"i": {"username": "admin", "password": live_server.admin_password, "project": "admin"}},
            },
        )
    token = body.json()["data"]["tokenCreate"]["token"]
    config.save(config.Credentials(url=live_server.url, token=token, user="admin"))
    return live_server.url


@pytest.fixture
async def worker(settings: Settings, tmp_path: Path) -> AsyncIterator[Cloud]:
    cloud = Cloud(settings, tmp_path)
    await cloud.start_worker()
    yield cloud
    await cloud.stop()


async def climc(*args: str) -> Result:
    return await asyncio.to_thread(runner.invoke, cli.app, list(args))


async def test_upload_resumes_then_list_show_download_convert_delete(
    signed_in: str, worker: Cloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = tmp_path / "debian.qcow2"
    raw = tmp_path / "seed.raw"
    raw.write_bytes(bytes(range(256)) * 16384)
    command = ["qemu-img", "convert", "-O", "qcow2", str(raw), str(disk)]
    await asyncio.to_thread(subprocess.run, command, check=True, timeout=30)
    flaky = DropsFirstUpload()
    monkeypatch.setattr(cli, "NimbusClient", partial(NimbusClient, transport=flaky))

    uploaded = await climc("image-upload", str(disk), "--os-distro", "debian-12")
    assert uploaded.exit_code == 0, uploaded.output
    assert flaky.dropped
    digest = hashlib.sha256(disk.read_bytes()).hexdigest()
    assert f"ACTIVE, sha256 {digest}" in uploaded.output

    listed = await climc("image-list", "-o", "json")
    images = json.loads(listed.output)
    assert [(i["name"], i["status"], i["diskFormat"]) for i in images] == [("debian", "ACTIVE", "QCOW2")]
    image_id = images[0]["id"]
    shown = await climc("image-show", image_id)
    assert "debian-12" in shown.output

    assert (await climc("image-update", image_id, "--name", "debian-12", "--protected")).exit_code == 0
    refused = await climc("image-delete", image_id)
    assert refused.exit_code == 1
    assert "PROTECTED" in refused.output

    target = tmp_path / "back.qcow2"
    downloaded = await climc("image-download", image_id, str(target))
    assert downloaded.exit_code == 0, downloaded.output
    assert target.read_bytes() == disk.read_bytes()

    converted = await climc("image-convert", image_id, "--format", "raw", "--wait")
    assert converted.exit_code == 0, converted.output
    assert "image.convert SUCCEEDED" in converted.output

    assert (await climc("image-update", image_id, "--unprotected")).exit_code == 0
    deleted = await climc("image-delete", image_id)
    assert deleted.exit_code == 0, deleted.output
