"""`host_heartbeat`: an agent registers its host, reports capacity and the state of its domains."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from agents.host.protocol import DomainState, DomainStatus
from domain.compute.models import Host, HostStatus, Server, ServerStatus
from domain.events import publish
from domain.task.services import RESOURCE_TOPIC, Job, agent_queue, now
from workers.deps import Deps

log = logging.getLogger("nimbus.heartbeat")

# Power states an idle server can drift between behind Nimbus' back (a guest shutting itself down).
_SYNCED = {DomainStatus.RUNNING: ServerStatus.RUNNING, DomainStatus.STOPPED: ServerStatus.STOPPED}


SETTLE = timedelta(seconds=10)


async def host_heartbeat(
    ctx: dict[str, Any], facts: dict[str, Any], domains: list[dict[str, Any]], observed_at: str | None = None
) -> str:
    deps: Deps = ctx["deps"]
    seen = datetime.fromisoformat(observed_at) if observed_at else None
    try:
        await _record(deps, facts, domains, seen)
    except IntegrityError:
        # Two first heartbeats raced to register the host: the loser updates the winner's row.
        await _record(deps, facts, domains, seen)
    return "ok"


async def _record(deps: Deps, facts: dict[str, Any], domains: list[dict[str, Any]], seen: datetime | None) -> None:
    orphans: list[str] = []
    async with deps.sessions() as session, session.begin():
        host = (
            await session.execute(select(Host).where(Host.name == facts["name"]).with_for_update())
        ).scalar_one_or_none()
        before = _placement_facts(host)
        if host is None:
            host = Host(id=uuid.uuid4(), name=facts["name"], status=HostStatus.ONLINE)
            session.add(host)
            log.info("host %s registered", facts["name"])
        host.libvirt_uri = facts["libvirt_uri"]
        host.cpus, host.memory_mb, host.storage_gb = facts["cpus"], facts["memory_mb"], facts["storage_gb"]
        host.arch, host.hypervisor = facts["arch"], facts["hypervisor"]
        host.console_address = facts.get("console_address") or "127.0.0.1"
        host.last_heartbeat = now()
        if host.status is HostStatus.OFFLINE:
            host.status = HostStatus.ONLINE
        await session.flush()
        if seen is not None:
            states = [DomainState.from_dict(d) for d in domains]
            await _sync_servers(session, host, states, seen)
            orphans = await _orphans(session, host, states)
    if _placement_facts(host) != before:
        await _announce(deps, host)
    for server_id in orphans:
        log.warning("removing domain of server %s from host %s: no server expects it there", server_id, host.name)
        job = Job(
            agent_queue("host", host.name),
            "delete_server",
            [str(uuid.uuid4()), "cleanup", server_id],
            f"orphan:{host.name}:{server_id}:{uuid.uuid4().hex}",
        )
        await deps.send(job)


def _placement_facts(host: Host | None) -> tuple[Any, ...] | None:
    """What a heartbeat may change that the scheduler reads: only then are schedulers told."""
    if host is None:
        return None
    return (host.status, host.cpus, host.memory_mb, host.storage_gb, host.arch, host.hypervisor)


async def _announce(deps: Deps, host: Host) -> None:
    change = {"kind": "Host", "id": str(host.id), "status": host.status.value, "project_id": None, "domain_id": None}
    try:
        await publish(deps.redis, deps.prefix, RESOURCE_TOPIC, change)
    except Exception:  # the schedulers' periodic reload catches up
        log.warning("could not announce host %s", host.name, exc_info=True)


async def _sync_servers(session: Any, host: Host, domains: list[DomainState], observed_at: datetime) -> None:
    seen = {d.server_id: d for d in domains}
    stmt = select(Server).where(
        Server.host_id == host.id,
        Server.task_id.is_(None),
        Server.status.in_((ServerStatus.RUNNING, ServerStatus.STOPPED)),
        # A server that changed shortly before the agent listed its domains may not be listed yet.
        Server.updated_at < observed_at - SETTLE,
    )
    for server in (await session.execute(stmt)).scalars():
        state = seen.get(str(server.id))
        if state is None:
            server.status, server.error = ServerStatus.ERROR, "the domain disappeared from its host"
        elif state.status in _SYNCED and _SYNCED[state.status] is not server.status:
            server.status = _SYNCED[state.status]
            server.vnc_port = state.vnc_port


async def _orphans(session: Any, host: Host, domains: list[DomainState]) -> list[str]:
    """Domains no server expects on this host: left by a task that failed while its agent was away."""
    if not domains:
        return []
    ids = [uuid.UUID(d.server_id) for d in domains]
    # A migrating server has a domain on its target before the server names that host.
    expected = select(Server.id).where(
        Server.id.in_(ids),
        or_(Server.host_id == host.id, Server.status == ServerStatus.MIGRATING),
        Server.status != ServerStatus.DELETED,
    )
    keep = {str(i) for i in (await session.execute(expected)).scalars()}
    return [d.server_id for d in domains if d.server_id not in keep]
