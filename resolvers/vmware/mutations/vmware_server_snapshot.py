"""vmwareServerSnapshotCreate, vmwareServerSnapshotRevert, vmwareServerSnapshotDelete."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Server
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from domain.vmware import servers
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation

OPERATIONS = {
    "create": "vmwareServerSnapshotCreate",
    "revert": "vmwareServerSnapshotRevert",
    "delete": "vmwareServerSnapshotDelete",
}


async def vmware_server_snapshot(ctx: Context, op: str, *, id: str, name: str) -> Result[tuple[Server, Task]]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        return await servers.snapshot(session, principal, outbox, ctx.meta, decode_id(id, "Server"), op, name)

    return await run_task_mutation(ctx, OPERATIONS[op], Target("Server", id[:128]), action)
