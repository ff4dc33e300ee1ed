"""Fan-out of Redis pub/sub events to this replica's GraphQL subscriptions.

One pub/sub connection per process, however many subscribers: each subscriber gets its own
bounded queue, and a slow subscriber loses its oldest events rather than stalling the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis

from domain.events import channel

log = logging.getLogger("nimbus.events")
QUEUE_SIZE = 1000


class EventHub:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def _run(self) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.psubscribe(channel(self._prefix, "*"))
        self._ready.set()
        head = channel(self._prefix, "")
        try:
            async for message in pubsub.listen():
                if message.get("type") != "pmessage":
                    continue
                topic = _text(message["channel"])[len(head) :]
                if self._subscribers.get(topic):  # most events have no listener here: skip decoding them
                    self._dispatch(topic, json.loads(message["data"]))
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    def _dispatch(self, topic: str, payload: dict[str, Any]) -> None:
        for queue in self._subscribers.get(topic, ()):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(payload)

    async def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._ready.clear()
            self._task = asyncio.create_task(self._run(), name="nimbus-event-hub")
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    def subscribe(self, topic: str) -> Subscription:
        """Start buffering `topic` now; iterate the subscription to consume."""
        return Subscription(self, topic)

    async def listen(self, topic: str) -> AsyncIterator[dict[str, Any]]:
        """Events on `topic` from the moment of the call until the consumer stops iterating."""
        subscription = self.subscribe(topic)
        try:
            await subscription.ready()
            while True:
                yield await subscription.get()
        finally:
            subscription.close()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Subscription:
    """A queue registered with the hub at creation, so nothing published afterwards is missed."""

    def __init__(self, hub: EventHub, topic: str) -> None:
        self._hub, self._topic = hub, topic
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        hub._subscribers.setdefault(topic, set()).add(self._queue)

    async def ready(self) -> None:
        """Wait until the hub's Redis subscription is live."""
        await self._hub._ensure_running()

    async def get(self) -> dict[str, Any]:
        return await self._queue.get()

    def close(self) -> None:
        self._hub._subscribers.get(self._topic, set()).discard(self._queue)
