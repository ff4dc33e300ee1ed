"""The shared body of the listener, rule, backend group and backend deletions."""

from __future__ import annotations

import uuid

from domain.loadbalancer.listeners import delete_part
from domain.task.models import Task
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.loadbalancer.mutations.common import sync_mutation
from resolvers.mutation import Result


async def part_delete(
    ctx: Context, operation: str, part: str, type_name: str, id: str
) -> Result[tuple[uuid.UUID, Task]]:
    def change(session, principal, outbox, meta):
        return delete_part(session, principal, outbox, meta, part, decode_id(id, type_name))

    return await sync_mutation(ctx, operation, type_name, id, change)
