"""What every job needs: sessions, the Redis pool, and the release of an outbox after commit."""

from __future__ import annotations

from dataclasses import dataclass, field

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.compute.scheduler import HostStateCache
from domain.identity.providers.secrets import SecretBox
from domain.image.store import ImageStore
from domain.task import dispatch
from domain.task.services import Job, Outbox


@dataclass
class Deps:
    sessions: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    prefix: str
    stall_seconds: float = 30.0
    heartbeat_seconds: float = 10.0
    # Opens identity provider secrets (LDAP bind passwords) for directory syncs.
    secret_box: SecretBox | None = None
    # This process' view of the hosts, for the scheduler; kept fresh by workers.host_events.
    host_cache: HostStateCache = field(default_factory=HostStateCache)
    images: ImageStore | None = None
    # Signs the image download links host agents fetch images through.
    link_secret: str = ""
    upload_expiry_seconds: float = 7 * 24 * 3600
    # Decrypts certificate keys when a load balancer configuration is rendered.
    secret_key: str = ""

    def queue(self, logical: str) -> str:
        return f"{self.prefix}:{logical}"

    async def send(self, job: Job) -> None:
        await dispatch.send(self.redis, self.prefix, job)

    async def release(self, outbox: Outbox) -> None:
        await dispatch.release(self.redis, self.prefix, outbox)
