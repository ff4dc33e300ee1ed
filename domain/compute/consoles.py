"""Console tickets: one-time tokens that let a browser reach one server's VNC display or SSH.

A ticket is issued to a caller allowed to operate the server, lives a minute, and is taken
(GETDEL) by the first connection that presents it. It carries the caller's own bearer token,
so the proxy re-checks the caller exactly as the api would at the moment of use: a user
disabled, a role removed or a token revoked in the meantime closes the door too.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.models import Host, Nic, Server, ServerStatus
from domain.errors import DomainError
from domain.identity.access import Principal
from domain.scoping import get_for_change

PERMISSION_ACTION = "console"
EXPIRED_GRACE_S = 30


class ConsoleProtocol(StrEnum):
    VNC = "VNC"
    SSH = "SSH"


@dataclass(frozen=True)
class ConsoleTicket:
    token: str
    protocol: ConsoleProtocol
    server_id: uuid.UUID
    bearer: str  # the caller's api token, re-verified when the ticket is used
    expires_at: float  # epoch seconds
    ssh_port: int = 22

    def to_json(self) -> str:
        data = asdict(self)
        data["server_id"] = str(self.server_id)
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str | bytes) -> ConsoleTicket:
        data = json.loads(raw)
        return cls(
            token=data["token"],
            protocol=ConsoleProtocol(data["protocol"]),
            server_id=uuid.UUID(data["server_id"]),
            bearer=data["bearer"],
            expires_at=float(data["expires_at"]),
            ssh_port=int(data.get("ssh_port", 22)),
        )


@dataclass(frozen=True)
class ConsoleTarget:
    """Where the proxy connects for a redeemed ticket."""

    address: str
    port: int
    server: Server


class ConsoleRefused(Exception):
    """A ticket that does not open a console; the message is shown to the user as it is."""

    def __init__(self, message: str, code: str = "CONSOLE_REFUSED") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class _Redis(Protocol):
    async def set(self, name: str, value: str, ex: int | None = None, nx: bool = False) -> Any: ...
    async def getdel(self, name: str) -> Any: ...


class TicketStore:
    """Tickets in Redis: written once, taken once."""

    def __init__(self, redis: _Redis, prefix: str, ttl_s: int = 60) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl_s = ttl_s

    def _key(self, token: str) -> str:
        return f"{self.prefix}:console:{token}"

    async def put(self, ticket: ConsoleTicket) -> None:
        # Kept a little past its expiry so a late user is told "expired" rather than "unknown".
        await self.redis.set(self._key(ticket.token), ticket.to_json(), ex=self.ttl_s + EXPIRED_GRACE_S, nx=True)

    async def take(self, token: str) -> ConsoleTicket:
        # Tokens are URL-safe base64; anything else cannot have been issued (and is not echoed).
        if not token or len(token) > 128 or not all(c.isalnum() or c in "-_" for c in token):
            raise ConsoleRefused("The console token is malformed", "TOKEN_INVALID")
        raw = await self.redis.getdel(self._key(token))
        if raw is None:
            raise ConsoleRefused(
                "The console token has expired, was already used, or was never issued; open the console again",
                "TOKEN_INVALID",
            )
        ticket = ConsoleTicket.from_json(raw)
        if ticket.expires_at < time.time():
            raise ConsoleRefused("The console token has expired; open the console again", "TOKEN_EXPIRED")
        return ticket


async def issue(
    session: AsyncSession,
    principal: Principal,
    bearer: str,
    server_id: uuid.UUID,
    protocol: ConsoleProtocol,
    *,
    ttl_s: int,
    ssh_port: int = 22,
) -> tuple[ConsoleTicket, Server]:
    """A ticket for a caller allowed to operate the server, checked as far as can be now."""
    if not 1 <= ssh_port <= 65535:
        raise DomainError(Code.OUT_OF_RANGE, "port must be between 1 and 65535", "port")
    server = await get_for_change(session, Server, principal, server_id, PERMISSION_ACTION)
    await target_of(session, server, protocol, ssh_port)
    ticket = ConsoleTicket(
        token=secrets.token_urlsafe(32),
        protocol=protocol,
        server_id=server.id,
        bearer=bearer,
        expires_at=time.time() + ttl_s,
        ssh_port=ssh_port,
    )
    return ticket, server


async def target_of(session: AsyncSession, server: Server, protocol: ConsoleProtocol, ssh_port: int) -> ConsoleTarget:
    """Where to connect for the server's console now, or why there is nothing to connect to."""
    if server.status is not ServerStatus.RUNNING:
        raise DomainError(
            Code.INVALID_STATE,
            f"The server is {server.status.value}; a console needs it RUNNING",
            "id",
        )
    if protocol is ConsoleProtocol.VNC:
        host = await session.get(Host, server.host_id) if server.host_id else None
        if host is None or server.vnc_port is None:
            raise DomainError(Code.INVALID_STATE, "The server has no VNC display yet", "id")
        return ConsoleTarget(host.console_address, server.vnc_port, server)
    address = await session.scalar(
        select(Nic.ip_address).where(Nic.server_id == server.id, Nic.ip_address.is_not(None)).order_by(Nic.index)
    )
    if address is None:
        raise DomainError(Code.INVALID_STATE, "The server has no IP address to reach over SSH", "id")
    return ConsoleTarget(address, ssh_port, server)


@dataclass(frozen=True)
class ConsoleEndpoints:
    """Where clients go with a ticket: the proxy's WebSocket endpoints and the console page."""

    vnc_url: str = "ws://127.0.0.1:6080/"
    ssh_url: str = "ws://127.0.0.1:6081/ssh"
    page_base: str | None = None  # the web console; None: the api's own address
    ttl_s: int = 60

    def websocket_url(self, ticket: ConsoleTicket) -> str:
        base = self.vnc_url if ticket.protocol is ConsoleProtocol.VNC else self.ssh_url
        return f"{base}{'&' if '?' in base else '?'}token={ticket.token}"

    def page_url(self, ticket: ConsoleTicket) -> str:
        """The web console's page for the ticket; relative to the api when no page URL is set."""
        query = urlencode({"token": ticket.token, "ws": self.websocket_url(ticket)})
        return f"{(self.page_base or '').rstrip('/')}/console/{ticket.protocol.value.lower()}?{query}"
