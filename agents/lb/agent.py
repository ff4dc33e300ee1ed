"""The lb agent process: configuration jobs from the controller go to haproxy; the outcome, and a
periodic report with every backend's health, go back on the controller's queue.

haproxy runs as its own daemon: when the agent or the controller is away, it keeps serving the
last configuration that worked, and a restarted agent adopts it instead of restarting it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arq.connections import ArqRedis, RedisSettings

from agents.lb.haproxy import HaproxyError
from agents.lb.keepalived import Keepalived, VrrpSettings
from agents.lb.protocol import (
    LB_AGENT_REPORT,
    NO_REPLY,
    RUN_STAGE,
    AgentReport,
    ClusterConfig,
    controller_queue,
    queue_name,
)
from agents.lb.service import LbService

log = logging.getLogger("nimbus.agent.lb")


@dataclass
class LbAgentState:
    service: LbService
    cluster: str
    agent: str
    prefix: str
    redis: ArqRedis
    report_seconds: float
    haproxy_version: str = ""

    async def reply(self, task_id: str, stage: str, payload: dict[str, Any]) -> None:
        if stage == NO_REPLY:
            return
        await self.redis.enqueue_job(
            RUN_STAGE,
            task_id,
            stage,
            payload,
            _queue_name=controller_queue(self.prefix),
            _job_id=f"reply:{task_id}:{stage}:{uuid.uuid4().hex}",
        )

    async def report(self) -> None:
        try:
            backends = await asyncio.to_thread(self.service.health)
        except HaproxyError:
            log.warning("haproxy's stats socket does not answer", exc_info=True)
            backends = []
        report: AgentReport = {
            "cluster": self.cluster,
            "agent": self.agent,
            "generation": self.service.applied_generation(),
            "haproxy_version": self.haproxy_version,
            "backends": backends,
        }
        await self.redis.enqueue_job(
            LB_AGENT_REPORT,
            report,
            _queue_name=controller_queue(self.prefix),
            _job_id=f"lb-report:{self.cluster}:{self.agent}:{uuid.uuid4().hex}",
        )


async def apply_config(ctx: dict[str, Any], task_id: str, stage: str, conf: ClusterConfig) -> str:
    state: LbAgentState = ctx["lb"]
    payload: dict[str, Any] = {"agent": state.agent, "generation": conf["generation"]}
    try:
        payload["outcome"] = await asyncio.to_thread(state.service.apply, conf)
    except HaproxyError as exc:
        log.warning("configuration %s refused: %s", conf["generation"], exc)
        payload["error"] = str(exc)
    except Exception as exc:  # an agent bug still answers, so the task fails now, not at its deadline
        log.exception("applying configuration %s failed", conf["generation"])
        payload["error"] = f"agent error: {type(exc).__name__}: {exc}"
    await state.reply(task_id, stage, payload)
    if "error" not in payload:
        await state.report()  # health of new backends as soon as there is any
    return "error" if "error" in payload else "ok"


async def _reports(state: LbAgentState) -> None:
    while True:
        await asyncio.sleep(state.report_seconds)
        try:
            await state.report()
        except Exception:
            log.warning("report failed", exc_info=True)


def agent_settings(
    *,
    cluster: str,
    agent: str,
    state_dir: Path,
    prefix: str,
    redis_url: str,
    report_seconds: float = 5.0,
    haproxy_binary: str = "haproxy",
    vrrp: VrrpSettings | None = None,
    netns: str | None = None,
) -> dict[str, Any]:
    """arq WorkerSettings for one lb agent listening on `<prefix>:agent:lb:<cluster>.<agent>`.

    With `vrrp`, keepalived holds the cluster's VIPs on whichever node is elected; with `netns`,
    haproxy and keepalived run in that network namespace (where the node's VIP interface is).
    """
    from agents.lb.haproxy import Haproxy

    wrapper = ["ip", "netns", "exec", netns] if netns else []
    keepalived = Keepalived(state_dir, cluster, agent, vrrp, wrapper) if vrrp is not None else None
    service = LbService(cluster, state_dir, Haproxy(state_dir, haproxy_binary, wrapper), keepalived)
    # Before Redis is even reached: a node that reboots while the controller is down still serves.
    service.ensure_running()

    async def startup(ctx: dict[str, Any]) -> None:
        state = LbAgentState(service, cluster, agent, prefix, ctx["redis"], report_seconds)
        state.haproxy_version = await asyncio.to_thread(service.haproxy.version)
        ctx["lb"] = state
        await state.report()  # registers the agent; the controller answers with the configuration
        ctx["reports"] = asyncio.create_task(_reports(state))

    async def shutdown(ctx: dict[str, Any]) -> None:
        task = ctx.get("reports")
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # arq cancelled a running apply_config, but its thread goes on: let it finish.
        await asyncio.to_thread(service.wait_idle)

    return {
        "functions": [apply_config],
        "queue_name": queue_name(prefix, cluster, agent),
        "redis_settings": RedisSettings.from_dsn(redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_jobs": 4,
        "job_timeout": 300,
        "poll_delay": 0.1,
        "keep_result": 0,
    }
