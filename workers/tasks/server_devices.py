"""server.disk_attach / disk_detach / nic_attach / nic_detach / resize.

Device changes are one agent call each (live on a running domain and in its definition, or only
in the definition while it is stopped); their undo puts the rows back as they were and releases
what the change took. A resize is a short pipeline of agent steps, live or stop → redefine →
(grow the boot disk) → start; its undo gives the capacity back and, for a cold resize, has the
agent restore the old definition and power state.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from sqlalchemy import delete, func, select

from agents.host.protocol import NicSpec, ServerSpec
from domain.compute import ipam, scheduler
from domain.compute.hotplug import hotplug_maxima
from domain.compute.models import Disk, DiskStatus, Network, Nic, Server, ServerStatus
from workers.handler import StageContext, TaskHandler, register
from workers.tasks.common import agent_error, announce, host_of, lock_server, spec_of, unlock
from workers.tasks.volumes import lock_disk, unlock_disk

STOP_TIMEOUT_S = 30


def _from(sc: StageContext) -> ServerStatus:
    return ServerStatus(sc.task.params["from_status"])


class _DiskChange(TaskHandler):
    function: str
    attached: bool  # whether the disk is the server's when the change is done

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        host = await host_of(sc.session, server)
        job = sc.agent("host", host.name, self.function, "on_done", str(server.id), sc.task.params["disk_id"])
        sc.wait("on_done", job, progress=30)

    async def on_done(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the host could not {self.function.replace('_', ' ')}: {error}")
        server = await lock_server(sc.session, sc.task.params["server_id"])
        disk = await lock_disk(sc.session, sc.task.params["disk_id"])
        if self.attached:
            position = await sc.session.scalar(
                select(func.coalesce(func.max(Disk.boot_index) + 1, 1)).where(Disk.server_id == server.id)
            )
            disk.server_id, disk.device, disk.boot_index = server.id, payload.get("result") or None, int(position or 1)
        else:
            disk.server_id, disk.device, disk.boot_index = None, None, 1
        unlock_disk(sc, disk, DiskStatus.READY)
        unlock(sc, server, _from(sc))
        sc.succeed({"device": disk.device})

    async def on_failed(self, sc: StageContext, error: str) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        disk = await lock_disk(sc.session, sc.task.params["disk_id"])
        unlock_disk(sc, disk, DiskStatus.READY, error)
        unlock(sc, server, _from(sc), error)


@register
class ServerDiskAttach(_DiskChange):
    kind, function, attached = "server.disk_attach", "attach_disk", True


@register
class ServerDiskDetach(_DiskChange):
    kind, function, attached = "server.disk_detach", "detach_disk", False


async def _nic(sc: StageContext) -> Nic | None:
    return await sc.session.get(Nic, uuid.UUID(sc.task.params["nic_id"]))


@register
class ServerNicAttach(TaskHandler):
    kind = "server.nic_attach"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        nic = await _nic(sc)
        if nic is None:
            sc.fail("the interface is gone")
        assert nic is not None
        network = await sc.session.get(Network, nic.network_id)
        spec = NicSpec(id=str(nic.id), mac=nic.mac, ip=nic.ip_address or "", bridge=network.bridge if network else None)
        host = await host_of(sc.session, server)
        job = sc.agent("host", host.name, "attach_nic", "on_done", str(server.id), dataclasses.asdict(spec))
        sc.wait("on_done", job, progress=30)

    async def on_done(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the host could not attach the interface: {error}")
        server = await lock_server(sc.session, sc.task.params["server_id"])
        unlock(sc, server, _from(sc))
        nic = await _nic(sc)
        sc.succeed({"ip_address": nic.ip_address if nic else None})

    async def on_failed(self, sc: StageContext, error: str) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        nic_id = uuid.UUID(sc.task.params["nic_id"])
        await ipam.release(sc.session, [nic_id])
        await sc.session.execute(delete(Nic).where(Nic.id == nic_id))
        unlock(sc, server, _from(sc), error)


@register
class ServerNicDetach(TaskHandler):
    kind = "server.nic_detach"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        nic = await _nic(sc)
        if nic is None:  # gone already: a resent stage after the first finished
            await self.on_done(sc, {})
            return
        host = await host_of(sc.session, server)
        job = sc.agent("host", host.name, "detach_nic", "on_done", str(server.id), nic.mac)
        sc.wait("on_done", job, progress=30)

    async def on_done(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the host could not detach the interface: {error}")
        server = await lock_server(sc.session, sc.task.params["server_id"])
        nic_id = uuid.UUID(sc.task.params["nic_id"])
        await ipam.release(sc.session, [nic_id])
        await sc.session.execute(delete(Nic).where(Nic.id == nic_id))
        unlock(sc, server, _from(sc))
        sc.succeed()

    async def on_failed(self, sc: StageContext, error: str) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        unlock(sc, server, _from(sc), error)


async def _definition(sc: StageContext, server: Server) -> ServerSpec:
    """The server's spec with each NIC on its network's bridge, as serverNicAttach plugged it."""
    spec = await spec_of(sc.session, server, sc.deps.link_secret)
    rows = await sc.session.execute(
        select(Nic.id, Network.bridge).join(Network, Network.id == Nic.network_id).where(Nic.server_id == server.id)
    )
    bridges = {str(nic_id): bridge for nic_id, bridge in rows.all()}
    nics = [dataclasses.replace(n, bridge=bridges.get(n.id)) for n in spec.nics]
    return dataclasses.replace(spec, nics=nics)


def _steps(params: dict[str, Any]) -> list[str]:
    running = params["from_status"] == ServerStatus.RUNNING.value
    grows_disk = params["delta"][2] > 0
    if params["mode"] == "live":
        return ["resize_live", *(["grow_disk"] if grows_disk else [])]
    steps = ["stop"] if running else []
    steps.append("redefine")
    if grows_disk:
        steps.append("grow_disk")
    return steps + (["start"] if running else [])


@register
class ServerResize(TaskHandler):
    kind = "server.resize"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        await self._send(sc, 0)

    async def on_step_0(self, sc: StageContext, payload: dict[str, Any]) -> None:
        await self._after(sc, 0, payload)

    async def on_step_1(self, sc: StageContext, payload: dict[str, Any]) -> None:
        await self._after(sc, 1, payload)

    async def on_step_2(self, sc: StageContext, payload: dict[str, Any]) -> None:
        await self._after(sc, 2, payload)

    async def on_step_3(self, sc: StageContext, payload: dict[str, Any]) -> None:
        await self._after(sc, 3, payload)

    async def _after(self, sc: StageContext, index: int, payload: dict[str, Any]) -> None:
        steps = _steps(sc.task.params)
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the host could not resize the server ({steps[index].replace('_', ' ')}): {error}")
        if "state" in payload:
            sc.task.result = {"vnc_port": payload["state"].get("vnc_port")}
        if index + 1 < len(steps):
            await self._send(sc, index + 1)
            return
        await self._finish(sc)

    async def _send(self, sc: StageContext, index: int) -> None:
        params = sc.task.params
        steps = _steps(params)
        server = await lock_server(sc.session, params["server_id"])
        host = await host_of(sc.session, server)
        reply, step, sid = f"on_step_{index}", steps[index], str(server.id)
        if step == "resize_live":
            job = sc.agent("host", host.name, "resize_live", reply, sid, params["vcpus"], params["memory_mb"])
        elif step == "stop":
            job = sc.agent("host", host.name, "stop_server", reply, sid, STOP_TIMEOUT_S)
        elif step == "redefine":
            spec = await _definition(sc, server)
            maxima = hotplug_maxima(params["vcpus"], params["memory_mb"])
            spec = dataclasses.replace(
                spec,
                vcpus=params["vcpus"],
                memory_mb=params["memory_mb"],
                max_vcpus=maxima["max_vcpus"],
                max_memory_mb=maxima["max_memory_mb"],
            )
            job = sc.agent("host", host.name, "redefine_server", reply, spec.to_dict())
        elif step == "grow_disk":
            boot = await sc.session.scalar(
                select(Disk.id).where(Disk.server_id == server.id, Disk.path.is_(None)).order_by(Disk.boot_index)
            )
            job = sc.agent("host", host.name, "resize_disk", reply, sid, str(boot), params["disk_gb"])
        else:
            job = sc.agent("host", host.name, "start_server", reply, sid)
        sc.wait(reply, job, progress=20 + 70 * index // len(steps))

    async def _finish(self, sc: StageContext) -> None:
        params = sc.task.params
        server = await lock_server(sc.session, params["server_id"])
        server.vcpus, server.memory_mb, server.disk_gb = params["vcpus"], params["memory_mb"], params["disk_gb"]
        if params["mode"] == "cold":  # the new definition carries maxima for the new size
            server.extra = {**(server.extra or {}), **hotplug_maxima(server.vcpus, server.memory_mb)}
        boot = await sc.session.scalar(
            select(Disk).where(Disk.server_id == server.id, Disk.path.is_(None)).order_by(Disk.boot_index).limit(1)
        )
        if boot is not None:
            boot.size_gb = server.disk_gb
        if sc.task.result and "vnc_port" in sc.task.result:
            server.vnc_port = sc.task.result["vnc_port"]
        unlock(sc, server, _from(sc))
        sc.succeed({"mode": params["mode"], "vcpus": server.vcpus, "memory_mb": server.memory_mb})

    async def on_failed(self, sc: StageContext, error: str) -> None:
        params = sc.task.params
        server = await lock_server(sc.session, params["server_id"])
        if server.status is not ServerStatus.RESIZING:
            return
        vcpus, memory_mb, disk_gb = params["delta"]
        host = await host_of(sc.session, server)
        await scheduler.adjust(sc.session, host.id, scheduler.Resources(-vcpus, -memory_mb, -disk_gb))
        sc.outbox.changed("Host", host.id, "RELEASED", None, None)
        if params["mode"] == "cold" and sc.task.stage != "on_init":
            # The old definition back (the rows still hold the old size), powered as it was.
            spec = await _definition(sc, server)
            running = _from(sc) is ServerStatus.RUNNING
            sc.send_later(sc.agent("host", host.name, "restore_server", "cleanup", spec.to_dict(), running))
        unlock(sc, server, _from(sc), error)
        announce(sc, server)
