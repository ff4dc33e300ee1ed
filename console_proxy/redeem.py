"""Turning a presented console token into a target, with the same checks the api makes.

Every attempt with a token is audited as `consoleConnect`: SUCCESS with the target server, or
DENIED with why, so an operator sees who opened which console and who tried to.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.audit.models import Outcome
from domain.audit.services import TOPIC, RequestMeta, Target, record, to_message
from domain.compute.consoles import (
    PERMISSION_ACTION,
    ConsoleProtocol,
    ConsoleRefused,
    ConsoleTarget,
    ConsoleTicket,
    TicketStore,
    target_of,
)
from domain.compute.models import Server
from domain.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from domain.events import publish
from domain.identity.access import Principal
from domain.identity.auth import resolve_principal
from domain.identity.tokens import TokenCodec
from domain.scoping import get_for_change
from resolvers.ids import to_global_id

log = logging.getLogger("nimbus.console")
OPERATION = "consoleConnect"


@dataclass
class Redeemer:
    sessions: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    prefix: str
    codec: TokenCodec

    async def redeem(self, token: str, protocol: ConsoleProtocol, client_ip: str | None) -> ConsoleTarget:
        meta = RequestMeta(request_id=f"console-{protocol.value.lower()}", client_ip=client_ip)
        principal: Principal | None = None
        target = Target("Server")
        try:
            ticket = await TicketStore(self.redis, self.prefix).take(token)
            target.id = to_global_id("Server", ticket.server_id)
            if ticket.protocol is not protocol:
                raise ConsoleRefused(f"This token opens a {ticket.protocol.value} console, not {protocol.value}")
            async with self.sessions() as session, session.begin():
                principal, found = await self._check(session, ticket)
                target.domain_id, target.project_id = found.server.scope_ref()
                event = record(session, meta, principal, OPERATION, target, Outcome.SUCCESS)
        except ConsoleRefused as refused:
            await self._refused(meta, principal, target, refused.code)
            raise
        await publish(self.redis, self.prefix, TOPIC, to_message(event))
        return found

    async def _check(self, session: AsyncSession, ticket: ConsoleTicket) -> tuple[Principal, ConsoleTarget]:
        try:
            principal = await resolve_principal(session, self.codec, ticket.bearer)
        except Unauthenticated as exc:
            raise ConsoleRefused(f"Your session no longer allows this console ({exc})", "UNAUTHENTICATED") from exc
        try:
            server = await get_for_change(session, Server, principal, ticket.server_id, PERMISSION_ACTION)
            return principal, await target_of(session, server, ticket.protocol, ticket.ssh_port)
        except (NotFound, PermissionDenied) as exc:
            raise ConsoleRefused("You may no longer open this server's console", "FORBIDDEN") from exc
        except DomainError as exc:
            raise ConsoleRefused(exc.message, exc.code) from exc

    async def _refused(self, meta: RequestMeta, principal: Principal | None, target: Target, code: str) -> None:
        try:
            async with self.sessions() as session, session.begin():
                event = record(session, meta, principal, OPERATION, target, Outcome.DENIED, code)
            await publish(self.redis, self.prefix, TOPIC, to_message(event))
        except Exception:  # the refusal stands even if the audit store is down
            log.exception("could not audit a refused console connection")
