"""`lb_agent_report`: an lb agent registers, says which configuration it serves and how its
backends are; an agent behind the cluster's latest configuration is sent it."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from agents.lb.protocol import APPLY_CONFIG, NO_REPLY, AgentReport, agent_queue_suffix
from domain.loadbalancer.models import BackendHealth, LbAgent, LbBackend, LbCluster, Loadbalancer
from domain.task.services import Job, now
from workers.deps import Deps
from workers.lb_config import cluster_config

log = logging.getLogger("nimbus.lb")


async def _upsert(
    session: AsyncSession, model: Any, values: dict[str, Any], keys: list[str], changing: dict[str, Any]
) -> None:
    """Insert-or-update, so two first reports racing each other both succeed."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(model).values(**values, **changing)
    await session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changing))


async def lb_agent_report(ctx: dict[str, Any], report: AgentReport) -> str:
    deps: Deps = ctx["deps"]
    push: Job | None = None
    async with deps.sessions() as session, session.begin():
        await _upsert(
            session,
            LbCluster,
            {"id": uuid.uuid4(), "created_at": now(), "generation": 0},
            ["name"],
            {"name": report["cluster"]},
        )
        cluster = (await session.execute(select(LbCluster).where(LbCluster.name == report["cluster"]))).scalar_one()
        await _upsert(
            session,
            LbAgent,
            {"id": uuid.uuid4(), "created_at": now(), "cluster_id": cluster.id, "name": report["agent"]},
            ["cluster_id", "name"],
            {"generation": report["generation"], "haproxy_version": report["haproxy_version"], "last_seen": now()},
        )
        await _record_health(session, cluster, report)
        if report["generation"] < cluster.generation:
            # A new, restarted or lagging agent: send it what the cluster serves now.
            conf = await cluster_config(session, cluster, deps.secret_key)
            push = Job(
                agent_queue_suffix(cluster.name, report["agent"]),
                APPLY_CONFIG,
                [str(uuid.uuid4()), NO_REPLY, conf],
                # Not keyed by generation: a copy left behind by a previous agent must not swallow this one.
                f"lb-catch-up:{cluster.name}:{report['agent']}:{cluster.generation}:{uuid.uuid4().hex}",
            )
    if push is not None:
        await deps.send(push)
    return "ok"


async def _record_health(session: AsyncSession, cluster: LbCluster, report: AgentReport) -> None:
    by_status: dict[str, list[uuid.UUID]] = {}
    for entry in report["backends"]:
        try:
            by_status.setdefault(entry["status"], []).append(uuid.UUID(entry["id"]))
        except ValueError:
            continue
    in_cluster = select(Loadbalancer.id).where(Loadbalancer.cluster_id == cluster.id)
    for status, ids in by_status.items():
        health = BackendHealth(status) if status in BackendHealth.__members__ else BackendHealth.UNKNOWN
        await session.execute(
            update(LbBackend)
            .where(
                LbBackend.id.in_(ids),
                LbBackend.loadbalancer_id.in_(in_cluster),
                LbBackend.health != health,
            )
            .values(health=health, health_changed_at=now())
            .execution_options(synchronize_session=False)
        )
