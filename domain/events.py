"""Publishing change notifications on Redis pub/sub; the database row stays the truth."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis


def channel(prefix: str, topic: str) -> str:
    return f"{prefix}:events:{topic}"


async def publish(redis: Redis, prefix: str, topic: str, payload: dict[str, Any]) -> None:
    await redis.publish(channel(prefix, topic), json.dumps(payload, default=str))
