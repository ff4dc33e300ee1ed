"""`resourceChanged(kind)`: state changes of resources, for those who may read them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from domain.task.services import RESOURCE_TOPIC
from resolvers.context import Context

PERMISSIONS = {"Server": "compute.server.get", "Image": "image.image.get"}


def _uid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


async def resource_changed(ctx: Context, kind: str | None) -> AsyncIterator[dict[str, Any]]:
    principal = ctx.require_principal()
    reach = {k: principal.visibility(p) for k, p in PERMISSIONS.items()}
    async for change in ctx.services.event_hub.listen(RESOURCE_TOPIC):
        if kind is not None and change["kind"] != kind:
            continue
        vis = reach.get(change["kind"])
        if vis is None or not vis.covers(_uid(change.get("domain_id")), _uid(change.get("project_id"))):
            continue
        yield change
