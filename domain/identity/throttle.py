"""Failed-login throttling per user and per client IP, counted in Redis so every api replica agrees."""

from __future__ import annotations

from redis.asyncio import Redis


class LoginThrottle:
    def __init__(
        self,
        redis: Redis,
        prefix: str,
        *,
        per_user: int,
        per_ip: int,
        window_seconds: int,
    ) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:login-failures"
        self._limits = {"user": per_user, "ip": per_ip}
        self._window = window_seconds

    def _keys(self, username: str, domain: str, client_ip: str | None) -> dict[str, str]:
        keys = {"user": f"{self._prefix}:user:{domain.lower()}:{username.lower()}"}
        if client_ip:
            keys["ip"] = f"{self._prefix}:ip:{client_ip}"
        return keys

    async def is_blocked(self, username: str, domain: str, client_ip: str | None) -> bool:
        keys = self._keys(username, domain, client_ip)
        values = await self._redis.mget(list(keys.values()))
        return any(int(v or 0) >= self._limits[kind] for kind, v in zip(keys, values, strict=True))

    async def record_failure(self, username: str, domain: str, client_ip: str | None) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in self._keys(username, domain, client_ip).values():
                # The window starts at the first failure (SET NX EX, not EXPIRE NX: the
                # embedded Redis of `nimbus up` is 6.2).
                pipe.set(key, 0, ex=self._window, nx=True)
                pipe.incr(key)
            await pipe.execute()

    async def reset_user(self, username: str, domain: str) -> None:
        await self._redis.delete(self._keys(username, domain, None)["user"])
