"""baremetalHostRegister: a system admin registers a machine by its BMC; inspection starts at once."""

from __future__ import annotations

from domain.baremetal.models import BaremetalHost
from domain.baremetal.services import Registration, register
from domain.task.models import Task
from resolvers.baremetal.mutations.common import host_task_mutation
from resolvers.context import Context
from resolvers.mutation import Result


async def host_register(ctx: Context, registration: Registration) -> Result[tuple[BaremetalHost, Task]]:
    def start(session, principal, outbox, meta):  # type: ignore[no-untyped-def]
        return register(session, principal, outbox, meta, ctx.services.secret_key, registration)

    return await host_task_mutation(ctx, "baremetalHostRegister", None, start)
