"""Real images go up and come down byte-identical; bad ones end KILLED with nothing left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from nimbus.settings import Settings
from tests.conftest import GraphQLClient
from tests.image.conftest import create_image, image, path_of, put, sha256, upload


def stored_files(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.effective_image_dir.glob("*") if p.is_file())


@pytest.mark.parametrize("fmt", ["QCOW2", "RAW", "VMDK", "VHD", "VHDX", "ISO"])
async def test_real_images_upload_and_download_byte_identical(
    admin: GraphQLClient, images: dict[str, Path], fmt: str
) -> None:
    source = images[fmt]
    uploaded, response = await upload(admin, source, fmt)
    assert response.status_code == 201, response.text
    assert uploaded["status"] == "ACTIVE", uploaded
    assert uploaded["checksum"] == sha256(source)
    assert uploaded["size"] == source.stat().st_size
    assert uploaded["virtualSize"] >= 8 * 1024 * 1024 or fmt == "ISO"

    path = f"/images/{path_of_id(uploaded['id'])}/file"
    got = await admin.http.get(path, headers={"authorization": f"Bearer {admin.token}"})
    assert got.status_code == 200
    assert got.content == source.read_bytes()
    assert got.headers["x-checksum-sha256"] == sha256(source)


def path_of_id(global_id: str) -> str:
    import base64

    return base64.urlsafe_b64decode(global_id + "==").decode().split(":", 1)[1]


async def test_download_honours_range(admin: GraphQLClient, images: dict[str, Path]) -> None:
    uploaded, _ = await upload(admin, images["QCOW2"], "QCOW2")
    data = images["QCOW2"].read_bytes()
    path = f"/images/{path_of_id(uploaded['id'])}/file"
    auth = {"authorization": f"Bearer {admin.token}"}
    part = await admin.http.get(path, headers={**auth, "range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    tail = await admin.http.get(path, headers={**auth, "range": "bytes=-10"})
    assert tail.content == data[-10:]
    beyond = await admin.http.get(path, headers={**auth, "range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416


@pytest.mark.parametrize(
    ("kind", "declared", "reason"),
    [
        ("QCOW2", "RAW", "declared RAW but the file is qcow2"),
        ("RAW", "QCOW2", "declared QCOW2 but the file is raw"),
        ("RAW", "ISO", "no ISO 9660 volume descriptor"),
        ("BACKED", "QCOW2", "backing file"),
        ("TRUNCATED", "QCOW2", "corrupt or truncated"),
    ],
)
async def test_bad_images_end_killed_with_no_file_left(
    admin: GraphQLClient, images: dict[str, Path], settings: Settings, kind: str, declared: str, reason: str
) -> None:
    before = stored_files(settings)
    uploaded, response = await upload(admin, images[kind], declared)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "KILLED"
    assert uploaded["status"] == "KILLED"
    assert reason in uploaded["error"]
    assert stored_files(settings) == before


async def test_a_checksum_that_differs_from_the_promised_one_kills_the_upload(
    admin: GraphQLClient, images: dict[str, Path], settings: Settings
) -> None:
    raw = images["RAW"]
    uploaded, response = await upload(admin, raw, "RAW", sha256="0" * 64)
    assert response.status_code == 422
    assert uploaded["status"] == "KILLED"
    assert "checksum mismatch" in uploaded["error"]
    assert not (settings.effective_image_dir / path_of_id(uploaded["id"])).exists()


async def test_chunks_resume_from_the_stored_offset(admin: GraphQLClient, images: dict[str, Path]) -> None:
    data = images["QCOW2"].read_bytes()
    half = len(data) // 2
    created = await create_image(admin, diskFormat="QCOW2")
    url, token = created["uploadUrl"], admin.token
    assert token
    first = await put(admin.http, token, url, data[:half], f"bytes 0-{half - 1}/{len(data)}")
    assert first.status_code == 202
    assert first.headers["upload-offset"] == str(half)
    head = await admin.http.head(path_of(url), headers={"authorization": f"Bearer {token}"})
    assert head.headers["upload-offset"] == str(half)
    assert head.headers["x-image-status"] == "SAVING"
    # A chunk that does not continue where the stored bytes end is refused, with the offset to use.
    wrong = await put(admin.http, token, url, data[10:20], f"bytes 10-19/{len(data)}")
    assert wrong.status_code == 409
    assert wrong.headers["upload-offset"] == str(half)
    rest = await put(admin.http, token, url, data[half:], f"bytes {half}-{len(data) - 1}/{len(data)}")
    assert rest.status_code == 201, rest.text
    assert rest.json()["sha256"] == sha256(images["QCOW2"])
    assert (await image(admin, created["image"]["id"]))["status"] == "ACTIVE"
