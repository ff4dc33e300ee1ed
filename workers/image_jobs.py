"""`convert_image`: the long part of image.convert, outside any stage's transaction.

qemu-img convert runs with `-p`; its progress goes to the task row and out as task events about
once a second (which also tells the sweeper the job is alive). A cancellation kills qemu-img.
The job answers by running the task's stage with the new image's size and checksum, or an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from domain.image.inspection import QEMU_FORMAT, ImageRejected, inspect
from domain.image.models import DiskFormat
from domain.image.store import StoreMissing
from domain.task.models import Task
from domain.task.services import WORKER_QUEUE, Job, Outbox, now
from workers.deps import Deps

log = logging.getLogger("nimbus.image")
PROGRESS_EVERY_S = 1.0
HEARTBEAT_S = 5.0  # well under the sweeper's stall limit
_PERCENT = re.compile(rb"\((\d+(?:\.\d+)?)/100%\)")


class ConvertFailed(Exception):
    pass


async def convert_image(ctx: dict[str, Any], task_id: str, stage: str) -> str:
    deps: Deps = ctx["deps"]
    async with deps.sessions() as session:
        task = await session.get(Task, uuid.UUID(task_id))
    if task is None or task.status.finished or task.stage != stage:
        return "skipped"
    params = task.params
    store = deps.images
    assert store is not None
    target = store.staged(params["target_key"])
    fmt = DiskFormat(params["format"])
    try:
        async with store.local_path(params["source_key"]) as source:
            await _convert(deps, task.id, source, target, QEMU_FORMAT[fmt])
        inspection = await inspect(target, fmt)
        payload: dict[str, Any] = {
            "size": (await asyncio.to_thread(target.stat)).st_size,
            "virtual_size": inspection.virtual_size,
            "sha256": await asyncio.to_thread(_sha256, target),
        }
    except (ConvertFailed, ImageRejected) as exc:
        payload = {"error": str(exc)}
    except StoreMissing:
        payload = {"error": "the source image's bytes are gone"}
    if "error" in payload:
        await asyncio.to_thread(target.unlink, missing_ok=True)
    reply = Job(WORKER_QUEUE, "run_stage", [task_id, stage, payload], f"reply:{task_id}:{stage}:{uuid.uuid4().hex}")
    await deps.send(reply)
    return "error" if "error" in payload else "ok"


async def _convert(deps: Deps, task_id: uuid.UUID, source: Path, target: Path, fmt: str) -> None:
    await asyncio.to_thread(_start_over, target)
    proc = await asyncio.create_subprocess_exec(
        "qemu-img", "convert", "-p", "-O", fmt, str(source), str(target),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stderr is not None
    last_report, percent = 0.0, 0.0
    try:
        while True:
            try:
                # qemu-img may print nothing for a long while (1 % of a huge image): report anyway,
                # so the sweeper sees the job alive and does not send it a second time.
                chunk = await asyncio.wait_for(proc.stdout.read(4096), HEARTBEAT_S)
            except TimeoutError:
                chunk = None
            if chunk == b"":
                break
            if chunk and (found := _PERCENT.findall(chunk)):
                percent = float(found[-1])
            if time.monotonic() - last_report >= PROGRESS_EVERY_S:
                last_report = time.monotonic()
                if await _report(deps, task_id, percent):
                    raise ConvertFailed("cancelled")
        err = await proc.stderr.read()
        if await proc.wait() != 0:
            lines = err.decode(errors="replace").strip().splitlines()
            raise ConvertFailed(f"qemu-img convert failed: {lines[-1] if lines else proc.returncode}")
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()


async def _report(deps: Deps, task_id: uuid.UUID, percent: float) -> bool:
    """Record progress (5-95 % of the task) and publish it; True when a cancellation was asked for."""
    outbox = Outbox()
    async with deps.sessions() as session, session.begin():
        task = (await session.execute(select(Task).where(Task.id == task_id).with_for_update())).scalar_one()
        if task.status.finished or task.cancel_requested:
            return True
        task.progress = max(task.progress, min(95, 5 + int(percent * 0.9)))
        task.updated_at = now()
        outbox.touch(task)
    await deps.release(outbox)
    return False


def _start_over(target: Path) -> None:
    """A resent job begins again from nothing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(8 * 1024 * 1024):
            hasher.update(block)
    return hasher.hexdigest()
