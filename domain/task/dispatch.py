"""Sending a committed transaction's jobs to arq and its task events to pub/sub."""

from __future__ import annotations

import logging

from arq.connections import ArqRedis

from domain.audit.services import TOPIC as AUDIT_TOPIC
from domain.events import publish
from domain.task.services import RESOURCE_TOPIC, TOPIC, Job, Outbox, to_message

log = logging.getLogger("nimbus.tasks")


async def send(redis: ArqRedis, prefix: str, job: Job) -> None:
    await redis.enqueue_job(job.function, *job.args, _queue_name=f"{prefix}:{job.queue}", _job_id=job.job_id)


async def release(redis: ArqRedis, prefix: str, outbox: Outbox) -> None:
    """Best effort: a job that cannot be sent now is resent by the sweeper from the task row."""
    for job in outbox.jobs:
        try:
            await send(redis, prefix, job)
        except Exception:
            log.warning("could not send job %s; the sweeper will resend it", job.job_id, exc_info=True)
    messages = [(TOPIC, to_message(task)) for task in outbox.tasks]
    messages += [(RESOURCE_TOPIC, change) for change in outbox.resources]
    messages += outbox.notices
    messages += [(AUDIT_TOPIC, event) for event in outbox.audits]
    for topic, message in messages:
        try:
            await publish(redis, prefix, topic, message)
        except Exception:
            log.warning("could not publish a %s event", topic, exc_info=True)
