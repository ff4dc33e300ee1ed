"""Helpers the server tasks share: locking the server row and giving back what it holds."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.host.protocol import DiskSpec, ImageRef, NicSpec, ServerSpec
from domain.compute import ipam, scheduler
from domain.compute.models import Disk, Host, Nic, Server, ServerStatus
from workers.handler import StageContext
from workers.tasks.images import image_refs


async def lock_server(session: AsyncSession, server_id: str) -> Server:
    stmt = select(Server).where(Server.id == uuid.UUID(server_id)).with_for_update()
    return (await session.execute(stmt)).scalar_one()


async def host_of(session: AsyncSession, server: Server) -> Host:
    assert server.host_id is not None
    host = await session.get(Host, server.host_id)
    assert host is not None
    return host


def resources(server: Server) -> scheduler.Resources:
    return scheduler.Resources(server.vcpus, server.memory_mb, server.disk_gb)


async def release_placement(sc: StageContext, server: Server) -> None:
    """Give back capacity and addresses; safe to call twice (the host is cleared the first time)."""
    session = sc.session
    nic_ids = list((await session.execute(select(Nic.id).where(Nic.server_id == server.id))).scalars())
    await ipam.release(session, nic_ids)
    await session.execute(delete(Nic).where(Nic.server_id == server.id))
    if server.host_id is not None:
        await scheduler.release(session, server.host_id, resources(server))
        sc.outbox.changed("Host", server.host_id, "RELEASED", None, None)  # schedulers reread it
        server.host_id = None


def unlock(sc: StageContext, server: Server, status: ServerStatus, error: str | None = None) -> None:
    server.status = status
    server.task_id = None
    server.error = error
    announce(sc, server)


def announce(sc: StageContext, server: Server) -> None:
    sc.outbox.changed("Server", server.id, server.status.value, server.project_id, server.domain_id)


async def spec_of(session: AsyncSession, server: Server, link_secret: str = "") -> ServerSpec:
    disks = list((await session.execute(select(Disk).where(Disk.server_id == server.id))).scalars())
    images = await image_refs(session, link_secret, (d.image_id for d in disks))
    nics = (await session.execute(select(Nic).where(Nic.server_id == server.id).order_by(Nic.index))).scalars()
    return spec_from(server, disks, list(nics), images)


def spec_from(
    server: Server, disks: list[Disk], nics: list[Nic], images: Mapping[uuid.UUID, ImageRef] | None = None
) -> ServerSpec:
    """The agent's view of a server, from rows the stage already holds."""
    images = images or {}
    return ServerSpec(
        id=str(server.id),
        name=server.name,
        vcpus=server.vcpus,
        memory_mb=server.memory_mb,
        disks=[
            DiskSpec(
                id=str(d.id),
                size_gb=d.size_gb,
                boot_index=d.boot_index,
                image=images.get(d.image_id) if d.image_id else None,
                path=d.path,
            )
            for d in disks
        ],
        nics=[NicSpec(id=str(n.id), mac=n.mac, ip=n.ip_address or "") for n in nics],
        max_vcpus=server.extra.get("max_vcpus") if server.extra else None,
        max_memory_mb=server.extra.get("max_memory_mb") if server.extra else None,
    )


def agent_error(payload: dict[str, Any]) -> str | None:
    error = payload.get("error")
    return str(error) if error else None


def best_effort_delete(sc: StageContext, host: Host, server_id: str) -> None:
    """Ask the agent to remove whatever it may have built; nobody waits for the answer."""
    sc.send_later(sc.agent("host", host.name, "delete_server", "cleanup", server_id))
