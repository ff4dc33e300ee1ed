"""serverCreate: returns at once with the servers (PENDING) and the task that builds them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Server
from domain.compute.servers import ServerRequest, create_servers
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.compute.placement import PlacementArgs
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_task_mutation


async def server_create(
    ctx: Context,
    *,
    name: str,
    project_id: str | None,
    vcpus: int,
    memory_mb: int,
    disk_gb: int,
    image_id: str | None,
    network_id: str | None,
    count: int | None,
    host_id: str | None,
    placement: PlacementArgs | None = None,
    sku: str | None = None,
    cloud_image: str | None = None,
) -> Result[tuple[list[Server], Task]]:
    target = Target("Server")

    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        request = ServerRequest(
            name=name,
            project_id=decode_optional(project_id, "Project", "projectId"),
            vcpus=vcpus,
            memory_mb=memory_mb,
            disk_gb=disk_gb,
            image_id=decode_optional(image_id, "Image", "imageId"),
            network_id=decode_optional(network_id, "Network", "networkId"),
            count=1 if count is None else count,
            host_id=decode_optional(host_id, "Host", "hostId"),
            deadline_s=ctx.services.create_deadline_s,
            placement=(placement or PlacementArgs()).decode(),
            sku=sku or None,
            cloud_image=cloud_image or None,
        )
        servers, task = await create_servers(session, principal, outbox, ctx.meta, request)
        target.id = ",".join(str(s.id) for s in servers)[:128]
        target.domain_id, target.project_id = servers[0].domain_id, servers[0].project_id
        return servers, task

    return await run_task_mutation(ctx, "serverCreate", target, action)
