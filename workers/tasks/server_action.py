"""server.start / server.stop / server.reboot: one agent call each, back to a steady state."""

from __future__ import annotations

from typing import Any

from domain.compute.models import ServerStatus
from workers.handler import StageContext, TaskHandler, register
from workers.tasks import baremetal_deploy, vmware
from workers.tasks.common import agent_error, host_of, lock_server, unlock

STOP_TIMEOUT_S = 30


class ServerAction(TaskHandler):
    action: str
    after: ServerStatus

    def agent_args(self, params: dict[str, Any]) -> list[Any]:
        return []

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        host = await host_of(sc.session, server)
        if baremetal_deploy.is_baremetal(host):
            sc.wait("on_done", await baremetal_deploy.power_job(sc, host, self.action, "on_done"), progress=30)
            return
        job = await vmware.server_job(sc, server, host, self.action, "on_done") or sc.agent(
            "host", host.name, f"{self.action}_server", "on_done", str(server.id), *self.agent_args(sc.task.params)
        )
        sc.wait("on_done", job, progress=30)

    async def on_done(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the host could not {self.action} the server: {error}")
        server = await lock_server(sc.session, sc.task.params["server_id"])
        server.vnc_port = payload.get("state", {}).get("vnc_port", server.vnc_port)
        await baremetal_deploy.powered(sc, server, payload)
        unlock(sc, server, self.after)
        sc.succeed()

    async def on_failed(self, sc: StageContext, error: str) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        # The power state is whatever the next heartbeat reports; until then, the last known one.
        unlock(sc, server, ServerStatus(sc.task.params["from_status"]), error)


@register
class ServerStart(ServerAction):
    kind, action, after = "server.start", "start", ServerStatus.RUNNING


@register
class ServerStop(ServerAction):
    kind, action, after = "server.stop", "stop", ServerStatus.STOPPED

    def agent_args(self, params: dict[str, Any]) -> list[Any]:
        # A forced stop powers off at once; otherwise the guest gets time for an ACPI shutdown.
        return [0 if params.get("force") else STOP_TIMEOUT_S]


@register
class ServerReboot(ServerAction):
    kind, action, after = "server.reboot", "reboot", ServerStatus.RUNNING
