"""Signed upload links, which host agents use to upload a saved server disk without a user token."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from pathlib import Path

from starlette.applications import Starlette

from domain.image.links import signed_path, signed_upload_path
from tests.conftest import GraphQLClient
from tests.image.conftest import create_image, image
from tests.image.test_upload import path_of_id


async def _qcow2(tmp_path: Path) -> bytes:
    path = tmp_path / "disk.qcow2"
    await asyncio.to_thread(subprocess.run, ["qemu-img", "create", "-q", "-f", "qcow2", str(path), "8M"], check=True)
    return path.read_bytes()


async def test_a_signed_upload_link_fills_the_image_and_nothing_else_does(
    admin: GraphQLClient, app: Starlette, tmp_path: Path
) -> None:
    data = await _qcow2(tmp_path)
    created = await create_image(admin, diskFormat="QCOW2")
    image_id = uuid.UUID(path_of_id(created["image"]["id"]))
    secret = app.state.services.images.link_secret

    forged = f"/images/{image_id}/file?expires=9999999999&upload-signature={'0' * 64}"
    assert (await admin.http.put(forged, content=data)).status_code == 403
    expired = signed_upload_path(secret, image_id, ttl_s=-10)
    assert (await admin.http.put(expired, content=data)).status_code == 403
    # A download link is not an upload link.
    download = signed_path(secret, image_id).replace("signature=", "upload-signature=")
    assert (await admin.http.put(download, content=data)).status_code == 403
    other_id = uuid.uuid4()  # a link signed for another image does not open this one
    stolen = signed_upload_path(secret, other_id).replace(str(other_id), str(image_id))
    assert (await admin.http.put(stolen, content=data)).status_code == 403
    assert (await image(admin, created["image"]["id"]))["status"] == "QUEUED"

    response = await admin.http.put(signed_upload_path(secret, image_id), content=data)
    assert response.status_code == 201, response.text
    assert (await image(admin, created["image"]["id"]))["status"] == "ACTIVE"
