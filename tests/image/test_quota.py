"""The per-image size limit and the per-project image quota, at create and at upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette

from domain.image.quota import ImageLimits
from tests.conftest import GraphQLClient
from tests.image.conftest import create_image, put, upload


@pytest.fixture
def limits(app: Starlette, monkeypatch: pytest.MonkeyPatch, images: dict[str, Path]) -> ImageLimits:
    qcow2 = images["QCOW2"].stat().st_size
    value = ImageLimits(max_image_bytes=qcow2 * 2, project_quota_bytes=qcow2 * 3)
    monkeypatch.setattr(app.state.services.images, "limits", value)
    return value


async def test_an_image_over_the_size_limit_is_refused_before_any_byte(
    admin: GraphQLClient, limits: ImageLimits, images: dict[str, Path]
) -> None:
    refused = await create_image(admin, diskFormat="RAW", size=limits.max_image_bytes + 1)
    assert refused["errors"][0]["code"] == "OUT_OF_RANGE"
    created = await create_image(admin, diskFormat="RAW")
    assert admin.token
    too_big = images["RAW"].read_bytes()[: limits.max_image_bytes + 1]
    response = await put(admin.http, admin.token, created["uploadUrl"], too_big)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "OUT_OF_RANGE"


async def test_the_project_quota_counts_stored_and_announced_images(
    admin: GraphQLClient, limits: ImageLimits, images: dict[str, Path]
) -> None:
    qcow2 = images["QCOW2"].stat().st_size
    for _ in range(2):
        _image, response = await upload(admin, images["QCOW2"], "QCOW2")
        assert response.status_code == 201
    announced = await create_image(admin, diskFormat="QCOW2", size=qcow2)
    assert announced["errors"] == []
    over = await create_image(admin, diskFormat="QCOW2", size=qcow2)
    assert over["errors"][0]["code"] == "QUOTA_EXCEEDED"
    created = await create_image(admin, diskFormat="QCOW2")
    assert admin.token
    response = await put(admin.http, admin.token, created["uploadUrl"], images["QCOW2"].read_bytes())
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "QUOTA_EXCEEDED"


async def test_an_upload_must_be_the_size_announced_at_create(admin: GraphQLClient, images: dict[str, Path]) -> None:
    data = images["RAW"].read_bytes()
    created = await create_image(admin, diskFormat="RAW", size=len(data) - 1)
    assert admin.token
    response = await put(admin.http, admin.token, created["uploadUrl"], data)
    assert response.status_code == 400
    assert "bytes in all" in response.json()["error"]["message"]
