"""Assembling the api process: routes, middleware, and the services built in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from arq.connections import ArqRedis
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from domain.db import create_engine, session_factory
from domain.identity.providers.oidc import OidcClient
from domain.identity.providers.secrets import SecretBox
from domain.identity.services import PasswordRules
from domain.identity.throttle import LoginThrottle
from domain.identity.tokens import TokenCodec
from domain.image.local_store import STORES
from domain.image.quota import ImageLimits
from domain.image.upload import Uploads
from domain.task.services import RESOURCE_TOPIC
from nimbus import oidc_routes
from nimbus.console import console_routes
from nimbus.graphql_http import GraphQLHTTP
from nimbus.image_data import ImageDataServer
from nimbus.metrics import metrics_endpoint
from nimbus.middleware import RequestIdMiddleware
from nimbus.settings import Settings
from nimbus.websocket import GraphQLWebSocket
from resolvers.context import Services
from resolvers.events import EventHub
from resolvers.image.files import image_file
from resolvers.principals import IDENTITY_TOPIC
from schema import build_schema


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
    secret = settings.effective_secret_key
    sessions = session_factory(engine)
    services = Services(
        sessions=sessions,
        redis=redis,
        redis_prefix=settings.redis_prefix,
        tokens=TokenCodec(secret, settings.token_ttl_seconds),
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
        consoles=settings.console_endpoints(),
        secret_box=SecretBox(secret),
        oidc=OidcClient(redis, settings.redis_prefix),
        images=Uploads(
            sessions,
            STORES[settings.image_store](settings.effective_image_dir),
            ImageLimits(settings.image_max_bytes, settings.image_quota_bytes),
            settings.effective_secret_key,
        ),
        secret_key=settings.effective_secret_key,
    )
    return services, engine


async def _drop_cached_principals(services: Services) -> None:
    """Another replica changed identity data: forget every cached token check."""
    async for _message in services.event_hub.listen(IDENTITY_TOPIC):
        services.principals.clear()


async def _follow_hosts(services: Services) -> None:
    """Hosts changed somewhere: the forecast's host states reread them."""
    services.host_cache.invalidate_all()
    async for change in services.event_hub.listen(RESOURCE_TOPIC):
        services.host_cache.on_event(change)


async def _start_image_data(settings: Settings, services: Services) -> ImageDataServer | None:
    if settings.image_data_port is None:
        return None
    server = ImageDataServer(services, settings.image_data_host, settings.image_data_port)
    try:
        await server.start()
    except OSError as exc:
        # Image bytes still flow through the api's own route, only slower: not a reason to stop.
        logging.getLogger("nimbus.image_data").warning("image data listener not running: %s", exc)
        return None
    services.image_data_port, services.image_data_url = server.port, settings.image_data_url
    return server


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
        data_server = await _start_image_data(settings, services)
        background = [
            asyncio.create_task(_drop_cached_principals(services)),
            asyncio.create_task(_follow_hosts(services)),
        ]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if data_server is not None:
                await data_server.close()
            await services.event_hub.close()
            if services.oidc is not None:
                await services.oidc.close()
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

    routes: list[BaseRoute] = [
        Route("/graphql", graphql_http, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql_ws),
        # Uploads stream past the GraphQL body limit and have no request timeout: they are not GraphQL.
        Route("/images/{image_id}/file", image_file, methods=["GET", "HEAD", "PUT"]),
        Route("/healthz", healthz),
        Route("/metrics", metrics_endpoint),
        *oidc_routes.ROUTES,
        *console_routes(),  # last: its SPA fallback answers every other path
    ]
    return Starlette(routes=routes, middleware=[Middleware(RequestIdMiddleware)], lifespan=lifespan)
