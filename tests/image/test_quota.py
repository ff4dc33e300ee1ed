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


QUOTA_UPDATE = """mutation($in: QuotaUpdateInput!) { quotaUpdate(input: $in) { errors { field message code } } }"""
QUOTAS = """query($f: QuotaFilter) { quotas(first: 10, filter: $f) { edges { node {
  resources { resource limit used } } } } }"""
DELETE = """mutation($id: ID!) { imageDelete(input: {id: $id}) { errors { code } } }"""


async def _project_quota(admin: GraphQLClient, **limits: int) -> str:
    project_id: str = (await admin.ok("{ me { project { id } } }"))["me"]["project"]["id"]
    done = await admin.ok(QUOTA_UPDATE, {"in": {"projectId": project_id, **limits}})
    assert done["quotaUpdate"]["errors"] == []
    return project_id


async def _used(admin: GraphQLClient, project_id: str) -> dict[str, int]:
    edges = (await admin.ok(QUOTAS, {"f": {"projectId": project_id}}))["quotas"]["edges"]
    return {r["resource"]: r["used"] for r in edges[0]["node"]["resources"]}


async def test_the_project_quota_limits_images_and_their_storage(admin: GraphQLClient, images: dict[str, Path]) -> None:
    project_id = await _project_quota(admin, images=2, imageStorageGb=1)
    first, _response = await upload(admin, images["QCOW2"], "QCOW2")
    second = await create_image(admin, diskFormat="RAW")
    assert second["errors"] == []
    third = await create_image(admin, diskFormat="RAW")
    assert [(e["code"], e["field"]) for e in third["errors"]] == [("QUOTA_EXCEEDED", "images")]
    used = await _used(admin, project_id)
    assert used["IMAGES"] == 2
    assert used["IMAGE_STORAGE_GB"] == 1  # a few MiB, rounded up to whole GiB

    # Deleting frees the slot at once; an announced size past the storage quota is refused.
    assert (await admin.ok(DELETE, {"id": second["image"]["id"]}))["imageDelete"]["errors"] == []
    big = await create_image(admin, diskFormat="RAW", size=2 * 1024**3)
    assert [(e["code"], e["field"]) for e in big["errors"]] == [("QUOTA_EXCEEDED", "imageStorageGb")]
    # An upload announcing its size only in the PUT is refused there, before any byte is stored.
    pending = await create_image(admin, diskFormat="RAW")
    assert pending["errors"] == []
    assert admin.token
    response = await put(admin.http, admin.token, pending["uploadUrl"], b"x" * 4096, f"bytes 0-4095/{2 * 1024**3}")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "QUOTA_EXCEEDED"
    assert first["status"] == "ACTIVE"
