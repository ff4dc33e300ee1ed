"""The host agent process: arq jobs from the controller drive the libvirt driver; results, and a
heartbeat with the host's facts and domains, go back on the controller's queue."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from arq.connections import ArqRedis, RedisSettings

from agents.host import export, volume_jobs
from agents.host.driver import DriverError, HostDriver
from agents.host.image_cache import ImageCache
from agents.host.protocol import HOST_HEARTBEAT, RUN_STAGE, ServerSpec, alive_key, controller_queue, queue_name

log = logging.getLogger("nimbus.agent.host")


@dataclass
class AgentState:
    driver: HostDriver
    host_name: str
    prefix: str
    redis: ArqRedis
    heartbeat_seconds: float
    images: ImageCache | None = None
    # One operation at a time per server: a resent job waits for the first and then finds it done.
    locks: defaultdict[str, asyncio.Lock] = field(default_factory=lambda: defaultdict(asyncio.Lock))

    async def reply(self, task_id: str, stage: str, payload: dict[str, Any]) -> None:
        if stage == "cleanup":
            return
        await self.redis.enqueue_job(
            RUN_STAGE,
            task_id,
            stage,
            payload,
            _queue_name=controller_queue(self.prefix),
            _job_id=f"reply:{task_id}:{stage}:{uuid.uuid4().hex}",
        )

    async def heartbeat(self) -> None:
        await self.redis.set(alive_key(self.prefix, self.host_name), "1", ex=int(self.heartbeat_seconds * 3) + 1)
        facts = await asyncio.to_thread(self.driver.facts)
        domains = await asyncio.to_thread(self.driver.list_domains)
        await self.redis.enqueue_job(
            HOST_HEARTBEAT,
            facts.to_dict(),
            [d.to_dict() for d in domains],
            _queue_name=controller_queue(self.prefix),
            _job_id=f"heartbeat:{self.host_name}:{uuid.uuid4().hex}",
        )


async def _operate(ctx: dict[str, Any], task_id: str, stage: str, server_id: str, call: Callable[[], Any]) -> str:
    state: AgentState = ctx["agent"]
    async with state.locks[server_id]:
        try:
            payload = _payload(await asyncio.to_thread(call))
        except DriverError as exc:
            payload = {"error": str(exc)}
        except Exception as exc:  # an agent bug still answers, so the task fails now, not at its deadline
            log.exception("operation on %s failed", server_id)
            payload = {"error": f"agent error: {type(exc).__name__}: {exc}"}
    await state.reply(task_id, stage, payload)
    return "error" if "error" in payload else "ok"


def _payload(result: Any) -> dict[str, Any]:
    if result is None:
        return {}
    if isinstance(result, dict):
        return result
    return {"state": result.to_dict()}


async def _with_images(state: AgentState, task_id: str, stage: str, spec: dict[str, Any]) -> ServerSpec | None:
    """The spec with its images in this host's cache; None (and the task told) when that fails."""
    server = ServerSpec.from_dict(spec)
    if not any(d.image for d in server.disks):
        return server
    try:
        if state.images is None:
            raise DriverError("this host agent has no image cache configured")
        return await state.images.prepare(server)
    except DriverError as exc:
        await state.reply(task_id, stage, {"error": str(exc)})
        return None


async def create_server(ctx: dict[str, Any], task_id: str, stage: str, spec: dict[str, Any]) -> str:
    state: AgentState = ctx["agent"]
    server = ServerSpec.from_dict(spec)
    if any(d.image for d in server.disks):
        try:
            if state.images is None:
                raise DriverError("this host agent has no image cache configured")
            server = await state.images.prepare(server)
        except DriverError as exc:
            await state.reply(task_id, stage, {"error": str(exc)})
            return "error"
    return await _operate(ctx, task_id, stage, server.id, lambda: state.driver.create(server))


async def start_server(ctx: dict[str, Any], task_id: str, stage: str, server_id: str) -> str:
    return await _operate(ctx, task_id, stage, server_id, lambda: ctx["agent"].driver.start(server_id))


async def stop_server(ctx: dict[str, Any], task_id: str, stage: str, server_id: str, timeout_s: float = 30) -> str:
    return await _operate(ctx, task_id, stage, server_id, lambda: ctx["agent"].driver.stop(server_id, timeout_s))


async def reboot_server(ctx: dict[str, Any], task_id: str, stage: str, server_id: str) -> str:
    return await _operate(ctx, task_id, stage, server_id, lambda: ctx["agent"].driver.reboot(server_id))


async def delete_server(ctx: dict[str, Any], task_id: str, stage: str, server_id: str) -> str:
    return await _operate(ctx, task_id, stage, server_id, lambda: ctx["agent"].driver.delete(server_id))


async def snapshot_server(
    ctx: dict[str, Any], task_id: str, stage: str, server_id: str, snapshot_id: str, quiesce: bool = False
) -> str:
    driver = ctx["agent"].driver
    return await _operate(
        ctx, task_id, stage, server_id, lambda: driver.snapshot_create(server_id, snapshot_id, quiesce)
    )


async def revert_server_snapshot(
    ctx: dict[str, Any], task_id: str, stage: str, server_id: str, snapshot_id: str
) -> str:
    driver = ctx["agent"].driver
    return await _operate(ctx, task_id, stage, server_id, lambda: driver.snapshot_revert(server_id, snapshot_id))


async def delete_server_snapshot(
    ctx: dict[str, Any], task_id: str, stage: str, server_id: str, snapshot_id: str
) -> str:
    driver = ctx["agent"].driver
    return await _operate(ctx, task_id, stage, server_id, lambda: driver.snapshot_delete(server_id, snapshot_id))


async def rebuild_server(ctx: dict[str, Any], task_id: str, stage: str, spec: dict[str, Any], power_on: bool) -> str:
    state: AgentState = ctx["agent"]
    server = ServerSpec.from_dict(spec)
    try:
        if state.images is None:
            raise DriverError("this host agent has no image cache configured")
        server = await state.images.prepare(server)
    except DriverError as exc:
        await state.reply(task_id, stage, {"error": str(exc)})
        return "error"
    return await _operate(ctx, task_id, stage, server.id, lambda: state.driver.rebuild(server, power_on))


async def screenshot_server(ctx: dict[str, Any], task_id: str, stage: str, server_id: str) -> str:
    state: AgentState = ctx["agent"]
    try:
        mime, data = await asyncio.to_thread(state.driver.screenshot, server_id)
        payload: dict[str, Any] = {"mime_type": mime, "data": base64.b64encode(data).decode()}
    except DriverError as exc:
        payload = {"error": str(exc)}
    await state.reply(task_id, stage, payload)
    return "error" if "error" in payload else "ok"


async def export_server_disk(
    ctx: dict[str, Any], task_id: str, stage: str, server_id: str, disk_id: str, image_id: str, upload_path: str
) -> str:
    state: AgentState = ctx["agent"]
    async with state.locks[server_id]:
        try:
            if state.images is None:
                raise DriverError("this host agent does not know the API's address to upload to")
            copy = await asyncio.to_thread(state.driver.export_disk, server_id, disk_id, image_id)
            try:
                image = await export.upload(state.images.api_url, upload_path, copy)
            finally:
                await asyncio.to_thread(copy.unlink, True)
            payload: dict[str, Any] = {"image": image}
        except DriverError as exc:
            payload = {"error": str(exc)}
        except httpx.HTTPError as exc:
            payload = {"error": f"cannot reach the images service: {exc}"}
    await state.reply(task_id, stage, payload)
    return "error" if "error" in payload else "ok"


async def export_disks(ctx: dict[str, Any], task_id: str, stage: str, server_id: str) -> str:
    driver = ctx["agent"].driver
    return await _operate(ctx, task_id, stage, server_id, lambda: {"exports": driver.export_disks(server_id)})


async def unexport_disks(ctx: dict[str, Any], task_id: str, stage: str, server_id: str) -> str:
    return await _operate(ctx, task_id, stage, server_id, lambda: ctx["agent"].driver.stop_exports(server_id))


async def receive_server(
    ctx: dict[str, Any], task_id: str, stage: str, spec: dict[str, Any], sources: dict[str, str], start: bool
) -> str:
    state: AgentState = ctx["agent"]
    server = await _with_images(state, task_id, stage, spec)
    if server is None:
        return "error"
    return await _operate(ctx, task_id, stage, server.id, lambda: state.driver.receive(server, sources, start))


async def prepare_incoming(ctx: dict[str, Any], task_id: str, stage: str, spec: dict[str, Any]) -> str:
    state: AgentState = ctx["agent"]
    server = await _with_images(state, task_id, stage, spec)
    if server is None:
        return "error"
    return await _operate(ctx, task_id, stage, server.id, lambda: {"disk_paths": state.driver.prepare_incoming(server)})


async def migrate_live(
    ctx: dict[str, Any],
    task_id: str,
    stage: str,
    server_id: str,
    dest_uri: str,
    migrate_uri: str,
    disk_paths: dict[str, str],
) -> str:
    driver = ctx["agent"].driver
    return await _operate(
        ctx, task_id, stage, server_id, lambda: driver.migrate_live(server_id, dest_uri, migrate_uri, disk_paths)
    )


async def _heartbeats(state: AgentState) -> None:
    while True:
        await asyncio.sleep(state.heartbeat_seconds)
        try:
            await state.heartbeat()
        except Exception:
            log.warning("heartbeat failed", exc_info=True)


def agent_settings(
    driver_factory: Callable[[], HostDriver],
    *,
    host_name: str,
    prefix: str,
    redis_url: str,
    heartbeat_seconds: float = 10.0,
    max_jobs: int = 20,
    image_cache: Callable[[], ImageCache] | None = None,
) -> dict[str, Any]:
    """arq WorkerSettings for one host agent listening on `<prefix>:agent:host:<host_name>`."""

    async def startup(ctx: dict[str, Any]) -> None:
        images = image_cache() if image_cache is not None else None
        state = AgentState(driver_factory(), host_name, prefix, ctx["redis"], heartbeat_seconds, images)
        ctx["agent"] = state
        await state.heartbeat()  # register before the first job can need the host
        ctx["heartbeats"] = asyncio.create_task(_heartbeats(state))

    async def shutdown(ctx: dict[str, Any]) -> None:
        task = ctx.get("heartbeats")
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if "agent" in ctx:
            await asyncio.to_thread(ctx["agent"].driver.close)

    return {
        "functions": [
            create_server,
            start_server,
            stop_server,
            reboot_server,
            delete_server,
            snapshot_server,
            revert_server_snapshot,
            delete_server_snapshot,
            rebuild_server,
            screenshot_server,
            export_server_disk,
            *volume_jobs.FUNCTIONS,
            export_disks,
            unexport_disks,
            receive_server,
            prepare_incoming,
            migrate_live,
        ],
        "queue_name": queue_name(prefix, host_name),
        "redis_settings": RedisSettings.from_dsn(redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_jobs": max_jobs,
        "job_timeout": 600,
        "poll_delay": 0.2,  # one Redis poll per agent every 200 ms; many agents share a node
        "keep_result": 0,  # stages are idempotent; results are in the database
    }
