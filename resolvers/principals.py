"""A short-lived, per-process cache of verified tokens, so a request does not pay two SQL
statements to learn who is calling.

Correctness does not rest on the TTL alone: every identity mutation clears this process' cache at
once and publishes on the `identity` topic, which clears every other api replica's cache too.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict

from domain.identity.access import IDENTITY_TOPIC, Principal

__all__ = ["IDENTITY_TOPIC", "PrincipalCache"]


class PrincipalCache:
    def __init__(self, ttl_seconds: float = 10.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def get(self, token: str) -> Principal | None:
        key = self._key(token)
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, principal = entry
        if time.monotonic() - stored_at > self.ttl or principal.token_expires_at.timestamp() < time.time():
            self._entries.pop(key, None)
            return None
        return principal

    def put(self, token: str, principal: Principal) -> None:
        self._entries[self._key(token)] = (time.monotonic(), principal)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
