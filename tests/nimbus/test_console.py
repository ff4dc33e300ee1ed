"""The api serves the built console: hashed assets cached for good, client routes answered by index.html."""

from __future__ import annotations

from pathlib import Path

import httpx
from starlette.applications import Starlette

from nimbus.console import IMMUTABLE, REVALIDATE, console_routes


def _dist(tmp: Path) -> Path:
    (tmp / "assets").mkdir()
    (tmp / "index.html").write_text("<!doctype html><div id=app></div>")
    (tmp / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp / "favicon.ico").write_bytes(b"\0")
    return tmp


async def _get(app: Starlette, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.get(path)


async def test_hashed_assets_are_immutable_and_routes_fall_back_to_the_app(tmp_path: Path) -> None:
    app = Starlette(routes=console_routes(_dist(tmp_path)))
    asset = await _get(app, "/assets/index-abc123.js")
    assert asset.status_code == 200
    assert asset.headers["cache-control"] == IMMUTABLE
    for route in ("/", "/servers", "/servers/U2VydmVyOjE="):
        page = await _get(app, route)
        assert page.status_code == 200
        assert 'id="app"' in page.text or "id=app" in page.text
        assert page.headers["cache-control"] == REVALIDATE
    assert (await _get(app, "/favicon.ico")).status_code == 200
    assert (await _get(app, "/assets/gone-123.js")).status_code == 404
    assert (await _get(app, "/missing.png")).status_code == 404
    assert (await _get(app, "/pyproject.toml")).status_code == 404


async def test_without_a_build_the_root_points_to_graphiql(tmp_path: Path) -> None:
    app = Starlette(routes=console_routes(tmp_path / "nothing"))
    page = await _get(app, "/")
    assert page.status_code == 200
    assert "/graphql" in page.text
