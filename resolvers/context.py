"""The per-request context: who is calling, a database session for reads, and fresh DataLoaders."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.audit.services import RequestMeta
from domain.compute.consoles import ConsoleEndpoints
from domain.compute.scheduler import HostStateCache
from domain.errors import Unauthenticated
from domain.identity.access import Principal
from domain.identity.auth import resolve_principal
from domain.identity.providers.oidc import OidcClient
from domain.identity.providers.secrets import SecretBox
from domain.identity.services import PasswordRules
from domain.identity.throttle import LoginThrottle
from domain.identity.tokens import TokenCodec
from resolvers.principals import PrincipalCache


@dataclass
class Services:
    """Long-lived, process-wide collaborators; built once in the app's lifespan."""

    sessions: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    redis_prefix: str
    tokens: TokenCodec
    throttle: LoginThrottle
    password_rules: PasswordRules
    event_hub: Any  # resolvers.events.EventHub; Any to avoid an import cycle at wiring time
    principals: PrincipalCache = field(default_factory=PrincipalCache)
    # Seals and opens identity provider secrets; derived from the platform secret.
    secret_box: SecretBox | None = None
    oidc: OidcClient | None = None
    # Host states for schedulerForecast, kept fresh from `Host` resource events (nimbus.app).
    host_cache: HostStateCache = field(default_factory=HostStateCache)
    create_deadline_s: float = 600.0
    action_deadline_s: float = 300.0
    consoles: ConsoleEndpoints = field(default_factory=ConsoleEndpoints)
    images: Any = None  # domain.image.upload.Uploads: the image store, limits and running uploads
    # The image data listener (nimbus.image_data), when it runs: its port, or the URL clients reach it at.
    image_data_port: int | None = None
    image_data_url: str | None = None
    # Encrypts and decrypts load balancer certificate keys.
    secret_key: str = ""


@dataclass
class Context:
    services: Services
    meta: RequestMeta
    principal: Principal | None = None
    token: str | None = None
    # Set by strawberry's graphql-transport-ws handler on connection_init.
    connection_params: dict[str, Any] | None = None
    # The URL the client reached the API at, for links handed back (an image's upload URL).
    base_url: str = ""
    _session: AsyncSession | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _loaders: dict[str, Any] = field(default_factory=dict)

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise Unauthenticated()
        return self.principal

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """The request's read session; a lock because sibling resolvers run concurrently."""
        async with self._lock:
            if self._session is None:
                self._session = self.services.sessions()
            yield self._session

    def loader(self, name: str, factory: Callable[[Context], Any]) -> Any:
        """A DataLoader that lives exactly as long as this request."""
        if name not in self._loaders:
            self._loaders[name] = factory(self)
        return self._loaders[name]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._loaders.clear()

    async def authenticate(self, token: str | None) -> None:
        """Resolve a bearer token (if any) into the principal; a bad token raises `Unauthenticated`."""
        self.token = token
        if not token:
            self.principal = None
            return
        cached = self.services.principals.get(token)
        if cached is not None:
            self.principal = cached
            return
        async with self.services.sessions() as session:
            self.principal = await resolve_principal(session, self.services.tokens, token)
        self.services.principals.put(token, self.principal)


def bearer(value: str | None) -> str | None:
    """The token in an `Authorization: Bearer ...` value; a malformed header is a bad token."""
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("invalid Authorization header: expected 'Bearer <token>'")
    return token.strip()
