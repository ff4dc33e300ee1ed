"""Assembling the api process: routes, middleware, and the services built in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from arq.connections import ArqRedis
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from domain.db import create_engine, session_factory
from domain.identity.services import PasswordRules
from domain.identity.throttle import LoginThrottle
from domain.identity.tokens import TokenCodec
from nimbus.graphql_http import GraphQLHTTP
from nimbus.metrics import metrics_endpoint
from nimbus.middleware import RequestIdMiddleware
from nimbus.settings import Settings
from nimbus.websocket import GraphQLWebSocket
from resolvers.context import Services
from resolvers.events import EventHub
from resolvers.principals import IDENTITY_TOPIC
from schema import build_schema

WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"

_PLACEHOLDER = """<!doctype html><html><head><title>Nimbus</title></head><body>
<h1>Nimbus</h1><p>The web console is not part of this build.
The API and GraphiQL are at <a href="/graphql">/graphql</a>.</p></body></html>"""


class _Lazy:
    """Routes are built before the lifespan creates the services they need; this defers them."""

    def __init__(self) -> None:
        self.http: GraphQLHTTP | None = None
        self.ws: GraphQLWebSocket | None = None


def build_services(settings: Settings) -> tuple[Services, object]:
    engine = create_engine(
        settings.effective_database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )
    redis = ArqRedis.from_url(settings.effective_redis_url)
    services = Services(
        sessions=session_factory(engine),
        redis=redis,
        redis_prefix=settings.redis_prefix,
        tokens=TokenCodec(settings.effective_secret_key, settings.token_ttl_seconds),
        throttle=LoginThrottle(
            redis,
            settings.redis_prefix,
            per_user=settings.login_max_failures_per_user,
            per_ip=settings.login_max_failures_per_ip,
            window_seconds=settings.login_failure_window_seconds,
        ),
        password_rules=PasswordRules(settings.password_min_length, settings.password_hash_profile),
        event_hub=EventHub(redis, settings.redis_prefix),
        create_deadline_s=settings.create_deadline_seconds,
        action_deadline_s=settings.action_deadline_seconds,
        secret_key=settings.effective_secret_key,
    )
    return services, engine


async def _drop_cached_principals(services: Services) -> None:
    """Another replica changed identity data: forget every cached token check."""
    async for _message in services.event_hub.listen(IDENTITY_TOPIC):
        services.principals.clear()


def create_app(settings: Settings) -> Starlette:
    schema = build_schema(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        max_cost=settings.max_query_cost,
    )
    lazy = _Lazy()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services, engine = build_services(settings)
        lazy.http = GraphQLHTTP(schema, services, settings.max_body_bytes)
        lazy.ws = GraphQLWebSocket(schema, services)
        app.state.services = services
        invalidator = asyncio.create_task(_drop_cached_principals(services))
        try:
            yield
        finally:
            invalidator.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await invalidator
            await services.event_hub.close()
            await services.redis.aclose()
            await engine.dispose()  # type: ignore[attr-defined]

    async def graphql_http(request: Request) -> Response:
        assert lazy.http is not None
        return await lazy.http(request)

    async def graphql_ws(websocket):  # type: ignore[no-untyped-def]
        assert lazy.ws is not None
        await lazy.ws(websocket.scope, websocket.receive, websocket.send)

    async def healthz(request: Request) -> Response:
        services: Services = request.app.state.services
        checks = {}
        try:
            async with services.sessions() as session:
                await session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # a health check reports, it does not raise
            checks["database"] = f"error: {type(exc).__name__}"
        try:
            await services.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if healthy else "degraded", **checks}, status_code=200 if healthy else 503)

    routes = [
        Route("/graphql", graphql_http, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql_ws),
        Route("/healthz", healthz),
        Route("/metrics", metrics_endpoint),
    ]
    if (WEB_DIST / "index.html").exists():
        routes.append(Mount("/", StaticFiles(directory=WEB_DIST, html=True)))
    else:
        routes.append(Route("/", lambda _r: HTMLResponse(_PLACEHOLDER)))
    return Starlette(routes=routes, middleware=[Middleware(RequestIdMiddleware)], lifespan=lifespan)
