"""Serving the built web console: hashed assets cached for a year, every other path the SPA's index."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"

_PLACEHOLDER = """<!doctype html><html><head><title>Nimbus</title></head><body>
<h1>Nimbus</h1><p>The web console is not built here (run <code>make web</code>).
The API and GraphiQL are at <a href="/graphql">/graphql</a>.</p></body></html>"""

# Vite names every file under assets/ after a hash of its content: it never changes.
IMMUTABLE = "public, max-age=31536000, immutable"
# index.html names the current assets, so browsers must ask for it again each time.
REVALIDATE = "no-cache"


class _HashedAssets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def console_routes(dist: Path = WEB_DIST) -> list[BaseRoute]:
    """Routes for `/`: the console when it is built, a pointer to GraphiQL when it is not."""
    index = dist / "index.html"
    if not index.exists():
        return [Route("/", lambda _r: HTMLResponse(_PLACEHOLDER))]

    # Files next to index.html (favicon, robots.txt), known once: nothing a request names
    # reaches the file system.
    top_level = {p.name: p for p in dist.iterdir() if p.is_file() and p.name != "index.html"}

    async def spa(request: Request) -> Response:
        # Client-side routes (/servers/…) load the app, which then routes itself; a missing
        # file with an extension is a real 404, not the app.
        path: str = request.path_params.get("path", "")
        if path in top_level:
            return FileResponse(top_level[path], headers={"Cache-Control": REVALIDATE})
        if "." in path.rsplit("/", 1)[-1]:
            return Response("Not Found", status_code=404, media_type="text/plain")
        return FileResponse(index, headers={"Cache-Control": REVALIDATE})

    routes: list[BaseRoute] = []
    if (dist / "assets").is_dir():
        routes.append(Mount("/assets", _HashedAssets(directory=dist / "assets")))
    routes.append(Route("/{path:path}", spa, methods=["GET", "HEAD"]))
    return routes
