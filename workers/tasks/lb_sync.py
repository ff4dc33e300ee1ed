"""loadbalancer.sync: render the cluster's configuration, have every agent serve it, then settle
the change (or undo it when an agent refuses, since the agents still serve the old one)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from agents.lb.protocol import APPLY_CONFIG
from domain.loadbalancer import changes
from domain.loadbalancer.models import LbAgent, LbCluster, Loadbalancer
from domain.task.services import now
from workers.handler import StageContext, TaskHandler, register
from workers.lb_config import cluster_config

# An agent that has not reported for this long is not waited for.
AGENT_ALIVE = timedelta(seconds=30)


async def _loadbalancer(sc: StageContext) -> Loadbalancer:
    lb = await changes.lock(sc.session, uuid.UUID(sc.task.params["loadbalancer_id"]))
    if lb is None:
        sc.fail("the load balancer no longer exists")
    assert lb is not None
    return lb


@register
class LoadbalancerSync(TaskHandler):
    kind = changes.SYNC_KIND

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        lb = await _loadbalancer(sc)
        stmt = select(LbCluster).where(LbCluster.id == lb.cluster_id).with_for_update()
        cluster = (await sc.session.execute(stmt)).scalar_one()
        agents = list(
            (
                await sc.session.execute(
                    select(LbAgent.name)
                    .where(LbAgent.cluster_id == cluster.id, LbAgent.last_seen > now() - AGENT_ALIVE)
                    .order_by(LbAgent.name)
                )
            ).scalars()
        )
        if not agents:
            sc.fail(f"no lb agent of cluster {cluster.name} is online")
        cluster.generation += 1
        conf = await cluster_config(sc.session, cluster, sc.deps.secret_key)
        sc.task.params = {**sc.task.params, "agents": agents, "generation": cluster.generation}
        sc.task.result = {"agents": {}}
        # One job per agent, told apart by id: arq would take same-id jobs for duplicates.
        jobs = [
            dataclasses.replace(job, job_id=f"{job.job_id}:{a}")
            for a in agents
            for job in [sc.agent("lb", f"{cluster.name}.{a}", APPLY_CONFIG, "on_applied", conf)]
        ]
        sc.wait("on_applied", jobs[0], progress=30)
        for job in jobs[1:]:
            sc.send_later(job)

    async def on_applied(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if payload.get("error"):
            sc.fail(f"haproxy on {payload.get('agent')} refused the configuration: {payload['error']}")
        answered = {**(sc.task.result or {}).get("agents", {}), str(payload.get("agent")): payload.get("outcome")}
        sc.task.result = {"agents": answered}
        expected = sc.task.params["agents"]
        if not set(expected) <= set(answered):
            sc.task.progress = 30 + int(60 * len(answered) / len(expected))
            sc.outbox.touch(sc.task)
            return  # still the same stage: the other agents' replies run it again
        lb = await _loadbalancer(sc)
        await changes.commit(sc.session, lb, sc.task.params["change"])
        if sc.task.params["change"]["op"] != "delete_lb":
            sc.outbox.changed("Loadbalancer", lb.id, lb.status.value, lb.project_id, lb.domain_id)
        sc.succeed({"agents": answered, "generation": sc.task.params["generation"]})

    async def on_failed(self, sc: StageContext, error: str) -> None:
        lb = await changes.lock(sc.session, uuid.UUID(sc.task.params["loadbalancer_id"]))
        if lb is not None and lb.task_id == sc.task.id:
            await changes.undo(sc.session, lb, sc.task.params["change"], error)
