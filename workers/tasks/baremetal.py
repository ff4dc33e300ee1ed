"""baremetal.inspect / baremetal.power / baremetal.boot_device: one baremetal agent call each,
the host row updated from the BMC's answer, and the host released whatever happens."""

from __future__ import annotations

from typing import Any

from agents.baremetal.protocol import INSPECT, POWER, SET_BOOT_DEVICE
from domain.baremetal.models import BaremetalHost, BaremetalStatus
from domain.baremetal.scheduling import publish
from domain.baremetal.services import access_of, apply_inventory, lock
from workers.handler import StageContext, TaskHandler, register


async def _host(sc: StageContext) -> BaremetalHost:
    host = await lock(sc.session, sc.task.params["host_id"])
    if host is None:
        sc.fail("the baremetal host no longer exists")
    assert host is not None
    return host


def _release(sc: StageContext, host: BaremetalHost, status: BaremetalStatus, error: str | None = None) -> None:
    if host.task_id == sc.task.id:
        host.task_id = None
    host.status = status
    host.error = error
    sc.outbox.changed("BaremetalHost", host.id, host.status.value, host.project_id, host.domain_id)


async def _publish(sc: StageContext, host: BaremetalHost) -> None:
    """Keep the scheduler's view of the machine in step once it has been READY."""
    if host.compute_host_id is not None or host.status is BaremetalStatus.READY:
        compute = await publish(sc.session, host)
        sc.outbox.changed("Host", compute.id, compute.status.value, None, None)


class BaremetalOperation(TaskHandler):
    function: str
    what: str

    def agent_args(self, params: dict[str, Any]) -> list[Any]:
        return []

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        host = await _host(sc)
        access = access_of(host, sc.deps.secret_key)
        job = sc.agent("baremetal", host.agent, self.function, "on_done", access, *self.agent_args(sc.task.params))
        sc.wait("on_done", job, progress=30)

    async def on_done(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if payload.get("error"):
            sc.fail(f"could not {self.what}: {payload['error']} [{payload.get('code', 'BMC_ERROR')}]")
        host = await _host(sc)
        result = self.apply(host, payload)
        _release(sc, host, self.after(host, sc.task.params))
        await _publish(sc, host)
        sc.succeed(result)

    def apply(self, host: BaremetalHost, payload: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def after(self, host: BaremetalHost, params: dict[str, Any]) -> BaremetalStatus:
        return BaremetalStatus(params["from_status"])

    async def on_failed(self, sc: StageContext, error: str) -> None:
        host = await lock(sc.session, sc.task.params["host_id"])
        if host is not None:
            _release(sc, host, self.after_failure(sc.task.params), error)

    def after_failure(self, params: dict[str, Any]) -> BaremetalStatus:
        return BaremetalStatus(params["from_status"])


@register
class BaremetalInspect(BaremetalOperation):
    kind, function, what = "baremetal.inspect", INSPECT, "inspect the host"

    def apply(self, host: BaremetalHost, payload: dict[str, Any]) -> dict[str, Any]:
        apply_inventory(host, payload["inventory"])
        return {"inventory": payload["inventory"]}

    def after(self, host: BaremetalHost, params: dict[str, Any]) -> BaremetalStatus:
        was = BaremetalStatus(params["from_status"])
        return BaremetalStatus.MAINTENANCE if was is BaremetalStatus.MAINTENANCE else BaremetalStatus.READY

    def after_failure(self, params: dict[str, Any]) -> BaremetalStatus:
        was = BaremetalStatus(params["from_status"])
        return BaremetalStatus.MAINTENANCE if was is BaremetalStatus.MAINTENANCE else BaremetalStatus.ERROR


@register
class BaremetalPower(BaremetalOperation):
    kind, function, what = "baremetal.power", POWER, "change the power state"

    def agent_args(self, params: dict[str, Any]) -> list[Any]:
        return [params["action"]]

    def apply(self, host: BaremetalHost, payload: dict[str, Any]) -> dict[str, Any]:
        host.power_state = str(payload["power_state"])
        return {"power_state": host.power_state}


@register
class BaremetalBootDevice(BaremetalOperation):
    kind, function, what = "baremetal.boot_device", SET_BOOT_DEVICE, "set the boot device"

    def agent_args(self, params: dict[str, Any]) -> list[Any]:
        return [params["device"].lower()]

    def apply(self, host: BaremetalHost, payload: dict[str, Any]) -> dict[str, Any]:
        host.boot_device = str(payload["boot_device"]).upper()
        return {"boot_device": host.boot_device}
