"""server.migrate: move a server to the host claimed for it, cold or live.

Cold: stop on the source → the source serves the disks over NBD → the target pulls them, defines
the domain and starts it if it ran before → the server switches host (the source's claim is
released) → the source removes its copy. Live: the target makes empty disks → the source's
libvirtd migrates memory and disks peer to peer → switch → the target reports the guest's
display → the source removes the disk files.

Until the switch, a failure gives the target's claim back, has the target remove what it built
and leaves the server on its source in its previous state (restarted if the move had stopped it).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import update

from domain.compute import scheduler
from domain.compute.migration import MIGRATE_KIND
from domain.compute.models import Disk, Host, Server, ServerStatus
from workers.handler import StageContext, TaskHandler, register
from workers.tasks.common import agent_error, lock_server, resources, spec_of, unlock

STOP_TIMEOUT_S = 30


async def _host(sc: StageContext, key: str) -> Host:
    host = await sc.session.get(Host, uuid.UUID(sc.task.params[key]))
    if host is None:
        sc.fail("a host of the migration was removed")
    assert host is not None
    return host


def _remember(sc: StageContext, **values: Any) -> None:
    sc.task.params = {**sc.task.params, **values}


def live_uris(target: Host) -> tuple[str, str]:
    """Where the source's libvirtd reaches the target's (its reported URI when that names a
    remote host, else qemu+tcp on the host's address), and where QEMU sends the guest's memory."""
    uri = target.libvirt_uri
    parts = urlsplit(uri)
    if not parts.hostname:
        uri = f"qemu+tcp://{target.console_address}/system"
        parts = urlsplit(uri)
    return uri, f"tcp://{parts.hostname}"


async def _switch(sc: StageContext, server: Server) -> None:
    """The server is on its target: the source's claim goes back, the server and disks name the target."""
    if sc.task.params.get("switched"):
        return
    source, target = await _host(sc, "source_host_id"), await _host(sc, "target_host_id")
    await scheduler.release(sc.session, source.id, resources(server))
    server.host_id = target.id
    await sc.session.execute(update(Disk).where(Disk.server_id == server.id).values(host_id=target.id))
    _remember(sc, switched=True)
    sc.outbox.changed("Host", source.id, "RELEASED", None, None)


@register
class ServerMigrate(TaskHandler):
    kind = MIGRATE_KIND

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        source, target = await _host(sc, "source_host_id"), await _host(sc, "target_host_id")
        if sc.task.params.get("live"):
            spec = await spec_of(sc.session, server, sc.deps.link_secret)
            job = sc.agent("host", target.name, "prepare_incoming", "on_prepared", spec.to_dict())
            sc.wait("on_prepared", job, progress=10)
        elif sc.task.params["from_status"] == ServerStatus.RUNNING.value:
            job = sc.agent("host", source.name, "stop_server", "on_stopped", str(server.id), STOP_TIMEOUT_S)
            sc.wait("on_stopped", job, progress=10)
        else:
            await self.on_stopped(sc, {})

    # --- cold ---------------------------------------------------------------------------------

    async def on_stopped(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the source host could not stop the server: {error}")
        _remember(sc, stopped=sc.task.params["from_status"] == ServerStatus.RUNNING.value)
        source = await _host(sc, "source_host_id")
        job = sc.agent("host", source.name, "export_disks", "on_exported", sc.task.params["server_id"])
        sc.wait("on_exported", job, progress=20)

    async def on_exported(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the source host could not serve the disks: {error}")
        server = await lock_server(sc.session, sc.task.params["server_id"])
        target = await _host(sc, "target_host_id")
        spec = await spec_of(sc.session, server, sc.deps.link_secret)
        start = sc.task.params["from_status"] == ServerStatus.RUNNING.value
        job = sc.agent(
            "host", target.name, "receive_server", "on_arrived", spec.to_dict(), dict(payload["exports"]), start
        )
        sc.wait("on_arrived", job, progress=40)

    # --- live ---------------------------------------------------------------------------------

    async def on_prepared(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the target host could not prepare the disks: {error}")
        source, target = await _host(sc, "source_host_id"), await _host(sc, "target_host_id")
        dest_uri, migrate_uri = live_uris(target)
        job = sc.agent(
            "host",
            source.name,
            "migrate_live",
            "on_migrated",
            sc.task.params["server_id"],
            dest_uri,
            migrate_uri,
            dict(payload["disk_paths"]),
        )
        sc.wait("on_migrated", job, progress=30)

    async def on_migrated(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the server could not move: {error}")
        server = await lock_server(sc.session, sc.task.params["server_id"])
        await _switch(sc, server)  # the guest runs on the target now, whatever happens next
        target = await _host(sc, "target_host_id")
        # Idempotent on a running guest: it reads the display port, and resumes a guest left paused.
        job = sc.agent("host", target.name, "start_server", "on_settled", str(server.id))
        sc.wait("on_settled", job, progress=70)

    async def on_settled(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        server.vnc_port = payload.get("state", {}).get("vnc_port")
        await self._clean_source(sc, server)

    # --- both ---------------------------------------------------------------------------------

    async def on_arrived(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the server could not move: {error}")
        server = await lock_server(sc.session, sc.task.params["server_id"])
        await _switch(sc, server)
        server.vnc_port = payload.get("state", {}).get("vnc_port")
        await self._clean_source(sc, server)

    async def _clean_source(self, sc: StageContext, server: Server) -> None:
        source = await _host(sc, "source_host_id")
        sc.send_later(sc.agent("host", source.name, "unexport_disks", "cleanup", str(server.id)))
        job = sc.agent("host", source.name, "delete_server", "on_source_cleaned", str(server.id))
        sc.wait("on_source_cleaned", job, progress=80)

    async def on_source_cleaned(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        unlock(sc, server, ServerStatus(sc.task.params["from_status"]))
        result: dict[str, Any] = {"host_id": sc.task.params["target_host_id"], "live": bool(sc.task.params.get("live"))}
        if (error := agent_error(payload)) is not None:
            # The server runs on its new host; the source's heartbeat removes the orphaned copy.
            result["source_cleanup_error"] = error
        sc.succeed(result)

    async def on_failed(self, sc: StageContext, error: str) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        from_status = ServerStatus(sc.task.params["from_status"])
        if sc.task.params.get("switched"):
            unlock(sc, server, from_status)  # it moved; only the source's clean-up was left
            return
        await self._undo(sc, server, from_status)
        unlock(sc, server, from_status, error)

    async def _undo(self, sc: StageContext, server: Server, from_status: ServerStatus) -> None:
        source, target = await _host(sc, "source_host_id"), await _host(sc, "target_host_id")
        await scheduler.release(sc.session, target.id, resources(server))
        sc.outbox.changed("Host", target.id, "RELEASED", None, None)
        server_id = str(server.id)
        if not sc.task.params.get("live"):
            sc.send_later(sc.agent("host", source.name, "unexport_disks", "cleanup", server_id))
            # Only a cold move builds on the target before the switch; a failed live migration
            # leaves the guest running on its source and libvirt removes the incoming domain.
        sc.send_later(sc.agent("host", target.name, "delete_server", "cleanup", server_id))
        if sc.task.params.get("stopped") and from_status is ServerStatus.RUNNING:
            sc.send_later(sc.agent("host", source.name, "start_server", "cleanup", server_id))
