"""baremetalHostSetBootDevice: the device the machine boots from next."""

from __future__ import annotations

from domain.baremetal.models import BaremetalHost, BootDevice
from domain.baremetal.services import set_boot_device
from domain.task.models import Task
from resolvers.baremetal.mutations.common import host_task_mutation
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result


async def host_set_boot_device(ctx: Context, id: str, device: BootDevice) -> Result[tuple[BaremetalHost, Task]]:
    def start(session, principal, outbox, meta):  # type: ignore[no-untyped-def]
        return set_boot_device(session, principal, outbox, meta, decode_id(id, "BaremetalHost"), device)

    return await host_task_mutation(ctx, "baremetalHostSetBootDevice", id, start)
