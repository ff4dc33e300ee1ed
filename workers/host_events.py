"""Keeping the worker's host state cache fresh from `Host` resource events on Redis pub/sub."""

from __future__ import annotations

import asyncio
import json
import logging

from domain.compute.scheduler import HostStateCache
from domain.events import channel
from domain.task.services import RESOURCE_TOPIC
from workers.deps import Deps

log = logging.getLogger("nimbus.scheduler")
RETRY_S = 1.0


async def follow_hosts(deps: Deps) -> None:
    """Mark changed hosts for reloading; after any gap in listening, reload them all."""
    while True:
        try:
            await _listen(deps, deps.host_cache)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("host events interrupted; the scheduler rereads every host", exc_info=True)
        deps.host_cache.invalidate_all()
        await asyncio.sleep(RETRY_S)


async def _listen(deps: Deps, cache: HostStateCache) -> None:
    pubsub = deps.redis.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(channel(deps.prefix, RESOURCE_TOPIC))
        cache.invalidate_all()  # whatever changed before we listened is read afresh
        async for message in pubsub.listen():
            if message.get("type") == "message":
                cache.on_event(json.loads(message["data"]))
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]
