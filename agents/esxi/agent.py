"""The esxi agent process: arq jobs from the controller drive pyvmomi; inventory changes, results
and progress go back on the controller's queue. One process may serve several accounts."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from arq.connections import ArqRedis, RedisSettings
from pyVmomi import vim

from agents.esxi import operations as ops
from agents.esxi.inventory import Inventory
from agents.esxi.protocol import (
    CHUNK_VMS,
    POWER_FUNCTIONS,
    RUN_STAGE,
    VMWARE_HELLO,
    VMWARE_PROGRESS,
    VMWARE_REPORT,
    AccountConf,
    VmSpec,
    controller_queue,
    queue_name,
)
from agents.esxi.session import Session, VsphereError, fault_message

log = logging.getLogger("nimbus.agent.esxi")
NO_REPLY = "cleanup"  # the stage name of jobs nobody waits for
WAIT_S = 1  # WaitForUpdatesEx's longest wait: how soon a follower notices it should stop
RETRY_S = 2.0
MAX_RETRY_S = 120.0


class Follower:
    """A thread following one account's inventory; it sends the snapshot, then every change."""

    def __init__(self, agent: AgentState, conf: AccountConf, task_id: str | None) -> None:
        self.agent, self.conf = agent, conf
        self.session = Session(conf, agent.platform_secret)
        self._task_id = task_id  # the sync task the first snapshot answers
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"esxi-follow-{conf.id}", daemon=True)
        self.seq = time.time_ns()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        pause = RETRY_S
        while not self._stop.is_set():
            try:
                self._follow()
            except VsphereError as exc:
                self._failed(str(exc))
                # A refused sign-in stays refused until someone fixes it: try less and less often.
                self._stop.wait(pause)
                pause = min(pause * 2, MAX_RETRY_S)
                continue
            except vim.fault.NotAuthenticated:  # the session expired: sign in again at once
                log.info("session to %s expired; signing in again", self.conf.endpoint)
                self.session.forget()
                continue
            except Exception as exc:  # a dropped connection: sign in and list afresh after a pause
                log.warning("following %s interrupted: %s", self.conf.endpoint, fault_message(exc))
                self.session.forget()
                pause = RETRY_S
            self._stop.wait(RETRY_S)
        self.session.close()

    def _failed(self, error: str) -> None:
        log.warning("account %s: %s", self.conf.id, error)
        if self._task_id is not None:
            self.agent.send(RUN_STAGE, self._task_id, "on_inventory", {"error": error})
            self._task_id = None
        else:
            self.agent.send(VMWARE_REPORT, self.conf.id, {"error": error, "seq": self._next()})

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def _follow(self) -> None:
        inventory = Inventory(self.session.si, self.conf.datacenters)
        try:
            inventory.wait(0)
            self._send_snapshot(inventory.snapshot())
            while not self._stop.is_set():
                change = inventory.wait(WAIT_S)
                if change is not None and not self._stop.is_set():
                    self.agent.send(VMWARE_REPORT, self.conf.id, {**change.to_dict(), "seq": self._next()})
        finally:
            inventory.close()

    def _send_snapshot(self, records: dict[str, list[dict[str, Any]]]) -> None:
        seq = self._next()
        if self._task_id is None:  # signed in again: one message, so the sweep sees it whole
            self.agent.send(VMWARE_REPORT, self.conf.id, {"records": records, "snapshot": seq, "seq": seq})
            return
        vms = records.pop("vm", [])
        chunks = [vms[i : i + CHUNK_VMS] for i in range(0, len(vms), CHUNK_VMS)] or [[]]
        for index, chunk in enumerate(chunks):
            payload = {"records": {**records, "vm": chunk}, "chunk": index, "chunks": len(chunks), "seq": seq}
            self.agent.send(RUN_STAGE, self._task_id, "on_inventory", payload)
        self._task_id = None


@dataclass
class AgentState:
    prefix: str
    redis: ArqRedis
    platform_secret: str
    loop: asyncio.AbstractEventLoop
    followers: dict[str, Follower] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def send(self, function: str, *args: Any) -> None:
        """Enqueue on the controller's queue; callable from follower and operation threads."""
        coro = self.redis.enqueue_job(
            function, *args, _queue_name=controller_queue(self.prefix), _job_id=f"esxi:{uuid.uuid4().hex}"
        )
        if threading.current_thread() is threading.main_thread():
            self.loop.create_task(_quiet(coro))
        else:
            asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def session(self, conf: AccountConf) -> Session:
        current = self.sessions.get(conf.id)
        if current is None or current.conf != conf:
            if current is not None:
                current.close()
            current = self.sessions[conf.id] = Session(conf, self.platform_secret)
        return current

    def follow(self, conf: AccountConf, task_id: str | None) -> None:
        old = self.followers.pop(conf.id, None)
        if old is not None:
            old.stop()
        follower = self.followers[conf.id] = Follower(self, conf, task_id)
        follower.start()


async def _quiet(coro: Coroutine[Any, Any, Any]) -> None:
    try:
        await coro
    except Exception:
        log.warning("could not reach the controller", exc_info=True)


async def sync(ctx: dict[str, Any], task_id: str, stage: str, conf: dict[str, Any]) -> str:
    """Follow the account from scratch; the first snapshot answers the sync task in chunks."""
    state: AgentState = ctx["agent"]
    state.follow(AccountConf.from_dict(conf), task_id)
    return "following"


async def _operate(
    ctx: dict[str, Any], task_id: str, stage: str, conf: dict[str, Any], moref: str, call: Callable[..., Any]
) -> str:
    state: AgentState = ctx["agent"]
    account = AccountConf.from_dict(conf)
    session = state.session(account)

    def progress(percent: int) -> None:
        state.send(VMWARE_PROGRESS, task_id, percent)

    async with state.locks.setdefault(moref, asyncio.Lock()):
        try:
            result = await asyncio.to_thread(session.call, lambda si: call(si, progress))
            payload: dict[str, Any] = {"state": result}
        except VsphereError as exc:
            payload = {"error": str(exc)}
        except Exception as exc:  # a vSphere fault or an agent bug still answers, with its message
            log.warning("operation on %s failed", moref, exc_info=True)
            payload = {"error": fault_message(exc)}
    if stage == NO_REPLY:
        return "error" if "error" in payload else "ok"
    await state.redis.enqueue_job(
        RUN_STAGE,
        task_id,
        stage,
        payload,
        _queue_name=controller_queue(state.prefix),
        _job_id=f"reply:{task_id}:{stage}:{uuid.uuid4().hex}",
    )
    return "error" if "error" in payload else "ok"


def _power(action: str) -> Callable[..., Coroutine[Any, Any, str]]:
    async def job(ctx: dict[str, Any], task_id: str, stage: str, conf: dict[str, Any], moref: str, *_: Any) -> str:
        if action == "destroy":
            return await _operate(ctx, task_id, stage, conf, moref, lambda si, p: ops.destroy(si, moref, p))
        return await _operate(ctx, task_id, stage, conf, moref, lambda si, p: ops.power(si, moref, action, p))

    job.__name__ = job.__qualname__ = action
    return job


async def create_vm(ctx: dict[str, Any], task_id: str, stage: str, conf: dict[str, Any], spec: dict[str, Any]) -> str:
    vm = VmSpec.from_dict(spec)
    return await _operate(ctx, task_id, stage, conf, vm.server_id, lambda si, p: ops.create(si, vm, p))


async def destroy_server(ctx: dict[str, Any], task_id: str, stage: str, conf: dict[str, Any], server_id: str) -> str:
    return await _operate(ctx, task_id, stage, conf, server_id, lambda si, p: ops.destroy_server(si, server_id, p))


async def reconfigure(
    ctx: dict[str, Any], task_id: str, stage: str, conf: dict[str, Any], moref: str, vcpus: int, memory_mb: int
) -> str:
    return await _operate(
        ctx, task_id, stage, conf, moref, lambda si, p: ops.reconfigure(si, moref, vcpus, memory_mb, p)
    )


async def snapshot(
    ctx: dict[str, Any], task_id: str, stage: str, conf: dict[str, Any], moref: str, op: str, name: str
) -> str:
    return await _operate(ctx, task_id, stage, conf, moref, lambda si, p: ops.snapshot(si, moref, op, name, p))


def agent_settings(
    *, account_id: str, prefix: str, redis_url: str, platform_secret: str, max_jobs: int = 20
) -> dict[str, Any]:
    """arq WorkerSettings for the agent of one account (queue `<prefix>:agent:esxi:<account id>`)."""

    async def startup(ctx: dict[str, Any]) -> None:
        state = AgentState(prefix, ctx["redis"], platform_secret, asyncio.get_running_loop())
        ctx["agent"] = state
        # The controller answers with a sync job carrying the account's settings.
        await state.redis.enqueue_job(
            VMWARE_HELLO,
            account_id,
            time.time(),
            _queue_name=controller_queue(prefix),
            _job_id=f"esxi-hello:{uuid.uuid4().hex}",
        )

    async def shutdown(ctx: dict[str, Any]) -> None:
        state: AgentState | None = ctx.get("agent")
        if state is None:
            return
        for follower in state.followers.values():
            follower.stop()
        for follower in state.followers.values():
            await asyncio.to_thread(follower.join, WAIT_S + 5)
        for session in state.sessions.values():
            await asyncio.to_thread(session.close)

    return {
        "functions": [
            sync,
            create_vm,
            destroy_server,
            reconfigure,
            snapshot,
            *(_power(a) for a in POWER_FUNCTIONS.values()),
        ],
        "queue_name": queue_name(prefix, account_id),
        "redis_settings": RedisSettings.from_dsn(redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_jobs": max_jobs,
        "job_timeout": 900,
        "poll_delay": 0.2,
        "keep_result": 0,
    }
