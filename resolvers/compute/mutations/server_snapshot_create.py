"""serverSnapshotCreate: snapshot a server's disks (and memory, when it runs)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import ServerSnapshot
from domain.compute.snapshots import begin_snapshot_create
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id, to_global_id
from resolvers.mutation import Result, run_task_mutation


async def server_snapshot_create(
    ctx: Context, *, server_id: str, name: str, quiesce: bool
) -> Result[tuple[ServerSnapshot, Task]]:
    target = Target("ServerSnapshot")

    async def run(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        server = decode_id(server_id, "Server", "serverId")
        deadline = ctx.services.action_deadline_s
        snapshot, task = await begin_snapshot_create(
            session, principal, outbox, ctx.meta, server, name, quiesce, deadline
        )
        # The audit record names the new snapshot, which only exists from here on.
        target.id = to_global_id("ServerSnapshot", snapshot.id)
        target.domain_id, target.project_id = snapshot.scope_ref()
        return snapshot, task

    return await run_task_mutation(ctx, "serverSnapshotCreate", target, run)
