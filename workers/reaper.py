"""The reaper and sweeper: fail tasks past their deadline, resend lost jobs, notice dead hosts.

Runs in every worker every couple of seconds; `SKIP LOCKED` lets several workers share the work.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update

from agents.host.protocol import alive_key
from domain.baremetal.scheduling import HYPERVISOR as BAREMETAL
from domain.compute.models import Host, HostStatus
from domain.task.models import ACTIVE, Task
from domain.task.services import Job, Outbox, now
from domain.vmware.models import HYPERVISOR
from workers.deps import Deps
from workers.handler import HANDLERS, StageContext
from workers.image_sweep import expire_uploads
from workers.runner import fail_task

log = logging.getLogger("nimbus.reaper")
BATCH = 100


async def reap_expired(deps: Deps) -> int:
    """Fail active tasks whose deadline has passed, running their failure stage."""
    outbox = Outbox()
    async with deps.sessions() as session, session.begin():
        stmt = (
            select(Task)
            .where(Task.status.in_(ACTIVE), Task.deadline < now())
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        tasks = list((await session.execute(stmt)).scalars())
        for task in tasks:
            message = f"deadline exceeded while waiting in stage {task.stage}"
            await fail_task(HANDLERS[task.kind], StageContext(session, task, outbox, deps), message)
    await deps.release(outbox)
    return len(tasks)


async def resend_stalled(deps: Deps) -> int:
    """Resend the pending job of tasks that made no progress: a lost job, a killed worker, a Redis restart."""
    jobs: list[Job] = []
    async with deps.sessions() as session, session.begin():
        stmt = (
            select(Task)
            .where(
                Task.status.in_(ACTIVE),
                Task.pending_job.is_not(None),
                Task.updated_at < now() - timedelta(seconds=deps.stall_seconds),
            )
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        for task in (await session.execute(stmt)).scalars():
            assert task.pending_job is not None
            job = Job.from_dict(task.pending_job)
            is_agent = job.queue.startswith("agent:")
            limit = HANDLERS[task.kind].agent_stall_seconds if is_agent else deps.stall_seconds
            if task.updated_at > now() - timedelta(seconds=limit):
                continue
            task.seq += 1
            task.updated_at = now()
            resent = Job(job.queue, job.function, job.args, f"{job.job_id}:resend{task.seq}")
            task.pending_job = resent.to_dict()
            jobs.append(resent)
    for job in jobs:
        log.info("resending %s", job.job_id)
        await deps.send(job)
    return len(jobs)


async def mark_silent_hosts(deps: Deps) -> int:
    """Hosts whose agent stopped refreshing its liveness key go OFFLINE (and take no new servers).

    Baremetal hosts have no host agent: their BMC operations say whether they are reachable."""
    async with deps.sessions() as session, session.begin():
        # VMware and bare-metal hosts have no host agent: the vCenter sync and the BMCs tell their state.
        stmt = select(Host.id, Host.name).where(
            Host.status == HostStatus.ONLINE, Host.hypervisor.not_in((HYPERVISOR, BAREMETAL))
        )
        online = list((await session.execute(stmt)).all())
        if not online:
            return 0
        alive = await deps.redis.mget([alive_key(deps.prefix, name) for _, name in online])
        silent = [host_id for (host_id, _), flag in zip(online, alive, strict=True) if flag is None]
        if silent:
            await session.execute(
                update(Host)
                .where(Host.id.in_(silent), Host.status == HostStatus.ONLINE)
                .values(status=HostStatus.OFFLINE)
            )
    outbox = Outbox()
    for host_id in silent:
        outbox.changed("Host", host_id, HostStatus.OFFLINE.value, None, None)
    await deps.release(outbox)
    return len(silent)


async def expire_abandoned_uploads(deps: Deps) -> int:
    return await expire_uploads(deps, deps.upload_expiry_seconds)


async def sweep(deps: Deps) -> None:
    for step in (reap_expired, resend_stalled, mark_silent_hosts, expire_abandoned_uploads):
        try:
            await step(deps)
        except Exception:
            log.exception("reaper step %s failed", step.__name__)
