"""serverConsoleCreate: a one-time ticket to the server's VNC display or SSH, for the console proxy."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute import consoles
from domain.compute.consoles import ConsoleProtocol, ConsoleTicket, TicketStore
from domain.identity.access import Principal
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def server_console_create(
    ctx: Context, *, id: str, protocol: ConsoleProtocol, port: int
) -> Result[ConsoleTicket]:
    target = Target("Server", id[:128])
    endpoints = ctx.services.consoles

    async def action(session: AsyncSession, principal: Principal) -> ConsoleTicket:
        ticket, server = await consoles.issue(
            session,
            principal,
            ctx.token or "",
            decode_id(id, "Server"),
            protocol,
            ttl_s=endpoints.ttl_s,
            ssh_port=port,
        )
        target.domain_id, target.project_id = server.scope_ref()
        # Stored inside the transaction: should the audit record fail to commit, the caller never
        # learns the token, so the stored ticket can open nothing.
        await TicketStore(ctx.services.redis, ctx.services.redis_prefix, endpoints.ttl_s).put(ticket)
        return ticket

    return await run_mutation(ctx, "serverConsoleCreate", target, action)
