"""The baremetal agent process: arq jobs from the controller drive BMC drivers, one operation per
machine at a time; results go back on the controller's queue as the task's next stage."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from arq.connections import ArqRedis, RedisSettings

from agents.baremetal.drivers import BmcDriver, BmcError, driver_for
from agents.baremetal.protocol import (
    BOOT_DEVICES,
    POWER_ACTIONS,
    RUN_STAGE,
    BmcAccess,
    PxeBoot,
    controller_queue,
    queue_name,
)
from agents.baremetal.pxe import PxeService

log = logging.getLogger("nimbus.agent.baremetal")

DriverFor = Callable[[BmcAccess], BmcDriver]


@dataclass
class BaremetalAgent:
    """Runs BMC operations; the per-machine lock keeps two of them from interleaving on one BMC."""

    driver_for: DriverFor = driver_for
    pxe: PxeService | None = None
    locks: defaultdict[str, asyncio.Lock] = field(default_factory=lambda: defaultdict(asyncio.Lock))
    # Operations in flight per machine, to show that they never overlap.
    active: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    max_active: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))

    async def run(self, access: BmcAccess, operation: Callable[[BmcDriver], dict[str, Any]]) -> dict[str, Any]:
        async with self.locks[access.host_id]:
            self.active[access.host_id] += 1
            self.max_active[access.host_id] = max(self.max_active[access.host_id], self.active[access.host_id])
            try:
                return await asyncio.to_thread(self._call, access, operation)
            finally:
                self.active[access.host_id] -= 1

    def _call(self, access: BmcAccess, operation: Callable[[BmcDriver], dict[str, Any]]) -> dict[str, Any]:
        try:
            driver = self.driver_for(access)
            try:
                return operation(driver)
            finally:
                driver.close()
        except BmcError as exc:
            return {"error": str(exc), "code": exc.code}
        except Exception as exc:  # an agent bug still answers, so the task fails now, not at its deadline
            log.exception("operation on %s failed", access.host_id)
            return {"error": f"agent error: {type(exc).__name__}: {exc}", "code": "AGENT_ERROR"}

    async def inspect(self, access: BmcAccess) -> dict[str, Any]:
        return await self.run(access, lambda d: {"inventory": d.inspect().to_dict()})

    async def power(self, access: BmcAccess, action: str) -> dict[str, Any]:
        if action not in POWER_ACTIONS:
            return {"error": f"unknown power action {action!r}", "code": "BMC_UNSUPPORTED"}
        return await self.run(access, lambda d: {"power_state": d.power(action)})

    async def set_boot_device(self, access: BmcAccess, device: str) -> dict[str, Any]:
        if device not in BOOT_DEVICES:
            return {"error": f"unknown boot device {device!r}", "code": "BMC_UNSUPPORTED"}
        return await self.run(access, lambda d: {"boot_device": d.set_boot_device(device)})

    async def deploy(self, access: BmcAccess, boot: PxeBoot, timeout_s: float) -> dict[str, Any]:
        """PXE deploy: serve the machine's script, boot it from the network, wait until it fetches it."""
        if self.pxe is None:
            return {"error": "this baremetal agent runs no provisioning network", "code": "PXE_UNAVAILABLE"}
        fetched = self.pxe.expect(boot)
        for step in (lambda d: {"boot_device": d.set_boot_device("pxe")}, lambda d: {"power_state": d.power("reset")}):
            answer = await self.run(access, step)
            if "error" in answer:
                return answer
        try:
            seen = await asyncio.wait_for(fetched, timeout_s)
        except TimeoutError:
            return {
                "error": f"the machine did not fetch its boot script within {timeout_s:.0f} s",
                "code": "PXE_TIMEOUT",
            }
        return {"power_state": "on", "fetched": seen}


@dataclass
class AgentState:
    agent: BaremetalAgent
    prefix: str
    redis: ArqRedis

    async def reply(self, task_id: str, stage: str, payload: dict[str, Any]) -> None:
        await self.redis.enqueue_job(
            RUN_STAGE,
            task_id,
            stage,
            payload,
            _queue_name=controller_queue(self.prefix),
            _job_id=f"reply:{task_id}:{stage}:{uuid.uuid4().hex}",
        )


async def _answer(ctx: dict[str, Any], task_id: str, stage: str, payload: dict[str, Any]) -> str:
    await ctx["baremetal"].reply(task_id, stage, payload)
    return "error" if "error" in payload else "ok"


async def bmc_inspect(ctx: dict[str, Any], task_id: str, stage: str, access: dict[str, Any]) -> str:
    state: AgentState = ctx["baremetal"]
    return await _answer(ctx, task_id, stage, await state.agent.inspect(BmcAccess.from_dict(access)))


async def bmc_power(ctx: dict[str, Any], task_id: str, stage: str, access: dict[str, Any], action: str) -> str:
    state: AgentState = ctx["baremetal"]
    return await _answer(ctx, task_id, stage, await state.agent.power(BmcAccess.from_dict(access), action))


async def bmc_set_boot_device(
    ctx: dict[str, Any], task_id: str, stage: str, access: dict[str, Any], device: str
) -> str:
    state: AgentState = ctx["baremetal"]
    return await _answer(ctx, task_id, stage, await state.agent.set_boot_device(BmcAccess.from_dict(access), device))


async def pxe_deploy(
    ctx: dict[str, Any], task_id: str, stage: str, access: dict[str, Any], boot: dict[str, Any], timeout_s: float
) -> str:
    state: AgentState = ctx["baremetal"]
    answer = await state.agent.deploy(BmcAccess.from_dict(access), PxeBoot(**boot), timeout_s)
    return await _answer(ctx, task_id, stage, answer)


def agent_settings(
    *,
    agent_name: str,
    prefix: str,
    redis_url: str,
    pxe: Callable[[], PxeService | None] = lambda: None,
    max_jobs: int = 40,
) -> dict[str, Any]:
    """arq WorkerSettings for one baremetal agent listening on `<prefix>:agent:baremetal:<name>`."""

    async def startup(ctx: dict[str, Any]) -> None:
        service = pxe()
        if service is not None:
            await service.start()
        ctx["baremetal"] = AgentState(BaremetalAgent(pxe=service), prefix, ctx["redis"])

    async def shutdown(ctx: dict[str, Any]) -> None:
        state: AgentState | None = ctx.get("baremetal")
        if state is not None and state.agent.pxe is not None:
            await state.agent.pxe.stop()

    return {
        "functions": [bmc_inspect, bmc_power, bmc_set_boot_device, pxe_deploy],
        "queue_name": queue_name(prefix, agent_name),
        "redis_settings": RedisSettings.from_dsn(redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_jobs": max_jobs,
        "job_timeout": 900,
        "poll_delay": 0.2,
        "keep_result": 0,
    }
