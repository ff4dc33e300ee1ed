"""Host agent jobs for volumes, device hotplug and resize; each answers the task that sent it.

A volume's operations are serialised on the volume's id, a server's on the server's id, with the
same locks as the lifecycle jobs, so a resent job waits for the first and finds its work done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agents.host.driver import DriverError
from agents.host.protocol import DomainState, NicSpec, ServerSpec

log = logging.getLogger("nimbus.agent.host")


async def _run(ctx: dict[str, Any], task_id: str, stage: str, key: str, call: Callable[[], Any]) -> str:
    state = ctx["agent"]
    async with state.locks[key]:
        try:
            result = await asyncio.to_thread(call)
            if isinstance(result, DomainState):
                payload: dict[str, Any] = {"state": result.to_dict()}
            else:
                payload = {} if result is None else {"result": result}
        except DriverError as exc:
            payload = {"error": str(exc)}
        except Exception as exc:  # an agent bug still answers, so the task fails now, not at its deadline
            log.exception("operation on %s failed", key)
            payload = {"error": f"agent error: {type(exc).__name__}: {exc}"}
    await state.reply(task_id, stage, payload)
    return "error" if "error" in payload else "ok"


async def create_volume(ctx: dict[str, Any], task_id: str, stage: str, disk_id: str, size_gb: int) -> str:
    driver = ctx["agent"].driver
    return await _run(ctx, task_id, stage, disk_id, lambda: driver.create_volume(disk_id, size_gb))


async def delete_volume(ctx: dict[str, Any], task_id: str, stage: str, disk_id: str) -> str:
    driver = ctx["agent"].driver
    return await _run(ctx, task_id, stage, disk_id, lambda: driver.delete_volume(disk_id))


async def resize_disk(
    ctx: dict[str, Any], task_id: str, stage: str, server_id: str | None, disk_id: str, size_gb: int
) -> str:
    """Grow a volume, or a server's boot disk when `server_id` is given and the disk is not a volume."""
    driver = ctx["agent"].driver

    def grow() -> None:
        path = driver.volume_path(disk_id)
        if server_id is not None and not _exists(path):
            path = driver.boot_disk_path(server_id, disk_id)
        driver.resize_disk(server_id, path, size_gb)

    return await _run(ctx, task_id, stage, server_id or disk_id, grow)


def _exists(path: str) -> bool:
    return Path(path).exists()


async def attach_disk(ctx: dict[str, Any], task_id: str, stage: str, server_id: str, disk_id: str) -> str:
    driver = ctx["agent"].driver
    return await _run(
        ctx, task_id, stage, server_id, lambda: driver.attach_disk(server_id, driver.volume_path(disk_id))
    )


async def detach_disk(ctx: dict[str, Any], task_id: str, stage: str, server_id: str, disk_id: str) -> str:
    driver = ctx["agent"].driver
    return await _run(
        ctx, task_id, stage, server_id, lambda: driver.detach_disk(server_id, driver.volume_path(disk_id))
    )


async def attach_nic(ctx: dict[str, Any], task_id: str, stage: str, server_id: str, nic: dict[str, Any]) -> str:
    driver = ctx["agent"].driver
    return await _run(ctx, task_id, stage, server_id, lambda: driver.attach_nic(server_id, NicSpec(**nic)))


async def detach_nic(ctx: dict[str, Any], task_id: str, stage: str, server_id: str, mac: str) -> str:
    driver = ctx["agent"].driver
    return await _run(ctx, task_id, stage, server_id, lambda: driver.detach_nic(server_id, mac))


async def resize_live(ctx: dict[str, Any], task_id: str, stage: str, server_id: str, vcpus: int, memory_mb: int) -> str:
    driver = ctx["agent"].driver
    return await _run(ctx, task_id, stage, server_id, lambda: driver.resize_live(server_id, vcpus, memory_mb))


async def redefine_server(ctx: dict[str, Any], task_id: str, stage: str, spec: dict[str, Any]) -> str:
    driver = ctx["agent"].driver
    server = ServerSpec.from_dict(spec)
    return await _run(ctx, task_id, stage, server.id, lambda: driver.redefine(server))


async def restore_server(ctx: dict[str, Any], task_id: str, stage: str, spec: dict[str, Any], start: bool) -> str:
    """The undo of a cold resize: the old definition back, and the server booted if it ran before."""
    driver = ctx["agent"].driver
    server = ServerSpec.from_dict(spec)

    def restore() -> DomainState:
        driver.stop(server.id, 0)
        driver.redefine(server)
        state: DomainState = driver.start(server.id) if start else driver.state(server.id)
        return state

    return await _run(ctx, task_id, stage, server.id, restore)


FUNCTIONS = [
    create_volume,
    delete_volume,
    resize_disk,
    attach_disk,
    detach_disk,
    attach_nic,
    detach_nic,
    resize_live,
    redefine_server,
    restore_server,
]
