"""server.delete: the agent removes domain and disks; then capacity and addresses are released."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update

from domain.compute.models import Disk, ServerScreenshot, ServerSnapshot, ServerStatus
from workers.handler import StageContext, TaskHandler, register
from workers.tasks import baremetal_deploy, vmware
from workers.tasks.common import agent_error, host_of, lock_server, release_placement, unlock


@register
class ServerDelete(TaskHandler):
    kind = "server.delete"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        if server.host_id is None:  # never placed (or already released): nothing on any host
            await self.on_done(sc, {})
            return
        host = await host_of(sc.session, server)
        if baremetal_deploy.is_baremetal(host):
            sc.wait("on_done", await baremetal_deploy.power_job(sc, host, "delete", "on_done"), progress=30)
            return
        job = await vmware.server_job(sc, server, host, "delete", "on_done")
        sc.wait("on_done", job or sc.agent("host", host.name, "delete_server", "on_done", str(server.id)), progress=30)

    async def on_done(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the host could not delete the server: {error}")
        server = await lock_server(sc.session, sc.task.params["server_id"])
        await baremetal_deploy.undeploy(sc, server, power_off=True)
        await release_placement(sc, server)
        await sc.session.execute(delete(Disk).where(Disk.server_id == server.id, Disk.path.is_(None)))
        # Volumes outlive the server: they are only detached (the agent left their files alone).
        await sc.session.execute(
            update(Disk).where(Disk.server_id == server.id).values(server_id=None, device=None, boot_index=1)
        )
        # Snapshots lived inside the disks; the row stays (DELETED), so nothing cascades.
        await sc.session.execute(delete(ServerSnapshot).where(ServerSnapshot.server_id == server.id))
        await sc.session.execute(delete(ServerScreenshot).where(ServerScreenshot.server_id == server.id))
        server.vnc_port = None
        unlock(sc, server, ServerStatus.DELETED)
        sc.succeed()

    async def on_failed(self, sc: StageContext, error: str) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        unlock(sc, server, ServerStatus.ERROR, error)
