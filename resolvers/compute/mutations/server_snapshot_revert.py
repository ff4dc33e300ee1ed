"""serverSnapshotRevert: bring the server's disks (and memory) back to the snapshot."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import ServerSnapshot
from domain.compute.snapshots import begin_snapshot_revert
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def server_snapshot_revert(ctx: Context, *, id: str) -> Result[tuple[ServerSnapshot, Task]]:
    async def run(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        return await begin_snapshot_revert(session, principal, outbox, ctx.meta, decode_id(id, "ServerSnapshot"))

    return await run_task_mutation(ctx, "serverSnapshotRevert", Target("ServerSnapshot", id[:128]), run)
