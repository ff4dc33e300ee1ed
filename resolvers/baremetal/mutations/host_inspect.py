"""baremetalHostInspect: read the machine's inventory from its BMC again."""

from __future__ import annotations

from domain.baremetal.models import BaremetalHost
from domain.baremetal.services import begin
from domain.task.models import Task
from resolvers.baremetal.mutations.common import host_task_mutation
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result


async def host_inspect(ctx: Context, id: str) -> Result[tuple[BaremetalHost, Task]]:
    def start(session, principal, outbox, meta):  # type: ignore[no-untyped-def]
        return begin(session, principal, outbox, meta, decode_id(id, "BaremetalHost"), "inspect")

    return await host_task_mutation(ctx, "baremetalHostInspect", id, start)
