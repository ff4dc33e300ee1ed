"""server.create: schedule, allocate disk and address, then the host agent defines and boots."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.models import Disk, Network, Nic, Server, ServerStatus
from domain.compute.server_devices import new_nic
from domain.errors import DomainError
from domain.task.models import TaskStatus
from domain.task.services import finish
from domain.vmware.inventory import lock_account_of_server
from workers.handler import StageContext, TaskHandler, register
from workers.tasks import baremetal_deploy, vmware
from workers.tasks.common import (
    agent_error,
    announce,
    best_effort_delete,
    host_of,
    lock_server,
    release_placement,
    spec_from,
    spec_of,
    unlock,
)
from workers.tasks.images import image_refs
from workers.tasks.placement import place_servers


async def _attach_network(session: AsyncSession, server: Server, network_id: str) -> Nic:
    network = await session.get(Network, uuid.UUID(network_id))
    if network is None:
        raise DomainError("NOT_FOUND", "The network no longer exists", "networkId")
    return await new_nic(session, server, network, index=0)


@register
class ServerCreate(TaskHandler):
    kind = "server.create"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        if server.status in (ServerStatus.PENDING, ServerStatus.SCHEDULING):  # not yet set up
            server.status = ServerStatus.SCHEDULING
            if server.host_id is None:  # a batch's parent task places its servers before they start
                await place_servers(sc, [server], sc.task.params)
            disk = Disk(
                id=uuid.uuid4(),
                server_id=server.id,
                project_id=server.project_id,
                domain_id=server.domain_id,
                size_gb=server.disk_gb,
                boot_index=0,
                host_id=server.host_id,
                image_id=server.image_id,
            )
            sc.session.add(disk)
            nics = []
            if sc.task.params.get("network_id"):
                nics.append(await _attach_network(sc.session, server, sc.task.params["network_id"]))
            images = await image_refs(sc.session, sc.deps.link_secret, [disk.image_id])
            spec = spec_from(server, [disk], nics, images)
        else:
            spec = await spec_of(sc.session, server, sc.deps.link_secret)
        server.status = ServerStatus.CREATING
        announce(sc, server)
        host = await host_of(sc.session, server)
        if baremetal_deploy.is_baremetal(host):
            sc.wait("on_created", await baremetal_deploy.deploy_job(sc, server, host), progress=40)
            return
        job = await vmware.create_job(sc, server, host, "on_created")
        sc.wait(
            "on_created", job or sc.agent("host", host.name, "create_server", "on_created", spec.to_dict()), progress=40
        )

    async def on_created(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the host could not create the server: {error}")
        await lock_account_of_server(sc.session, uuid.UUID(sc.task.params["server_id"]))
        server = await lock_server(sc.session, sc.task.params["server_id"])
        await vmware.created(sc, server, payload.get("state", {}))
        server.vnc_port = payload.get("state", {}).get("vnc_port")
        await baremetal_deploy.deployed(sc, server)
        unlock(sc, server, ServerStatus.RUNNING)
        sc.succeed({"host_id": str(server.host_id), "vnc_port": server.vnc_port})

    async def on_cancel(self, sc: StageContext, payload: dict[str, Any]) -> None:
        """A cancelled create leaves no server behind, not an ERROR one."""
        await self.on_failed(sc, "cancelled")
        server = await lock_server(sc.session, sc.task.params["server_id"])
        unlock(sc, server, ServerStatus.DELETED)
        finish(sc.task, sc.outbox, TaskStatus.CANCELLED, error=f"cancelled by {sc.task.actor_name}")

    async def on_failed(self, sc: StageContext, error: str) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        if server.host_id is not None and not await baremetal_deploy.undeploy(sc, server):
            host = await host_of(sc.session, server)
            job = await vmware.cleanup_job(sc, host, str(server.id))
            if job is not None:
                sc.send_later(job)
            else:
                best_effort_delete(sc, host, str(server.id))
        await release_placement(sc, server)
        unlock(sc, server, ServerStatus.ERROR, error)
