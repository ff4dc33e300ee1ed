"""Uploads nobody finishes end KILLED after the expiry, with their bytes removed; live ones stay."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from domain.image.local_store import LocalDirStore
from nimbus.settings import Settings
from tests.conftest import GraphQLClient
from tests.image.conftest import create_image, image, put
from tests.image.test_convert import raw_id
from workers.deps import Deps
from workers.image_sweep import expire_uploads

DAY = 24 * 3600


async def test_abandoned_uploads_are_killed_and_their_bytes_removed(
    admin: GraphQLClient, app: Starlette, engine: AsyncEngine, settings: Settings, images: dict[str, Path]
) -> None:
    data = images["RAW"].read_bytes()
    assert admin.token
    abandoned = await create_image(admin, diskFormat="RAW")
    paused = await create_image(admin, diskFormat="RAW")
    for created in (abandoned, paused):
        response = await put(admin.http, admin.token, created["uploadUrl"], data[:100], f"bytes 0-99/{len(data)}")
        assert response.status_code == 202
    store = LocalDirStore(settings.effective_image_dir)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE image SET updated_at = now() - interval '2 days'"))
    old = time.time() - 2 * DAY
    os.utime(store.staged(raw_id(abandoned["image"]["id"])), (old, old))  # the paused one got a byte lately

    services = app.state.services
    deps = Deps(services.sessions, services.redis, settings.redis_prefix, images=store)
    assert await expire_uploads(deps, DAY) == 1

    killed = await image(admin, abandoned["image"]["id"])
    assert killed["status"] == "KILLED"
    assert "abandoned" in killed["error"]
    assert not store.staged(raw_id(abandoned["image"]["id"])).exists()
    assert (await image(admin, paused["image"]["id"]))["status"] == "SAVING"
