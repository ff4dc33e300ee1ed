"""serverReboot: restart a running server."""

from __future__ import annotations

from domain.compute.models import Server
from domain.task.models import Task
from resolvers.compute.mutations.server_action import server_action
from resolvers.context import Context
from resolvers.mutation import Result


async def server_reboot(ctx: Context, *, id: str) -> Result[tuple[Server, Task]]:
    return await server_action(ctx, "serverReboot", "reboot", id)
