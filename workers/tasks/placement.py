"""Placing the servers of a create task, and recording why when the scheduler finds no room."""

from __future__ import annotations

import uuid
from typing import Any

from domain.audit.services import Target, record_task_failure, to_message
from domain.compute import scheduler
from domain.compute.models import Server
from domain.db import utcnow
from workers.handler import StageContext
from workers.tasks.common import resources


async def place_servers(sc: StageContext, servers: list[Server], params: dict[str, Any]) -> scheduler.Placement:
    """Claim hosts for `servers` (all alike) and set their host; the failure is kept in the audit log."""
    first = servers[0]
    pinned, network = params.get("host_id"), params.get("network_id")
    request = await scheduler.build_request(
        sc.session,
        resources(first),
        count=len(servers),
        project_id=first.project_id,
        host_id=uuid.UUID(pinned) if pinned else None,
        network_id=uuid.UUID(network) if network else None,
        hints=scheduler.PlacementHints.from_params(params.get("placement")),
    )
    try:
        placement = await scheduler.place(sc.session, sc.deps.host_cache, request)
    except scheduler.PlacementFailed as exc:
        _audit(sc, servers, exc)
        raise
    for server, host_id in zip(servers, placement.host_ids, strict=False):
        server.host_id = host_id
    for host_id in set(placement.host_ids):
        sc.outbox.changed("Host", host_id, "ALLOCATED", None, None)
    if placement.shortfall is not None:
        _audit(sc, servers[len(placement.host_ids) :], placement.shortfall)
    return placement


def _audit(sc: StageContext, servers: list[Server], exc: scheduler.PlacementFailed) -> None:
    first = servers[0]
    target = Target("Server", ",".join(str(s.id) for s in servers)[:128], first.domain_id, first.project_id)
    event = record_task_failure(sc.session, sc.task, "serverSchedule", target, exc.code, exc.message)
    event.time = utcnow()  # set now: the message is built before the row is flushed
    sc.outbox.audits.append(to_message(event))
