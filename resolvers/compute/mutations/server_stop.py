"""serverStop: shut a running server down (ACPI, then power off)."""

from __future__ import annotations

from domain.compute.models import Server
from domain.task.models import Task
from resolvers.compute.mutations.server_action import server_action
from resolvers.context import Context
from resolvers.mutation import Result


async def server_stop(ctx: Context, *, id: str, force: bool = False) -> Result[tuple[Server, Task]]:
    return await server_action(ctx, "serverStop", "stop", id, {"force": force})
