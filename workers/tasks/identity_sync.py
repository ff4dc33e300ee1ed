"""identity.provider_sync: mirror an LDAP/AD directory's users, then its groups and role mappings."""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import select

from domain.identity.access import IDENTITY_TOPIC
from domain.identity.providers.mirror import SyncReport, sync_groups, sync_users
from domain.identity.providers.models import IdentityProvider
from domain.identity.providers.registry import password_driver, run_blocking
from domain.identity.providers.services import SYNC_KIND
from domain.task.services import now, stage_job
from workers.handler import StageContext, TaskHandler, register


async def _provider(sc: StageContext) -> IdentityProvider:
    stmt = select(IdentityProvider).where(IdentityProvider.id == uuid.UUID(sc.task.params["provider_id"]))
    provider = (await sc.session.execute(stmt)).scalar_one_or_none()
    if provider is None:
        sc.fail("the identity provider was deleted")
    assert provider is not None
    return provider


def _driver(sc: StageContext, provider: IdentityProvider) -> Any:
    if sc.deps.secret_box is None:
        sc.fail("this worker has no platform secret to open the provider's bind password with")
    assert sc.deps.secret_box is not None
    driver = password_driver(provider, sc.deps.secret_box)
    if driver is None:
        sc.fail(f"{provider.driver.value} providers have no directory to sync")
    return driver


@register
class IdentityProviderSync(TaskHandler):
    kind = SYNC_KIND

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        provider = await _provider(sc)
        users = await run_blocking(provider, _driver(sc, provider).list_users)
        report, refs = await sync_users(sc.session, provider, users)
        # Group members are named by directory reference (DN): the next stage needs the map.
        nxt = {"report": report.to_dict(), "refs": {ref: str(uid) for ref, uid in refs.items()}}
        sc.wait("on_groups", stage_job(sc.task, "on_groups", nxt), progress=50)

    async def on_groups(self, sc: StageContext, payload: dict[str, Any]) -> None:
        provider = await _provider(sc)
        groups = await run_blocking(provider, _driver(sc, provider).list_groups)
        report = SyncReport(**payload["report"])
        refs = {ref: uuid.UUID(uid) for ref, uid in payload["refs"].items()}
        await sync_groups(sc.session, provider, groups, refs, report)
        provider.last_sync_at, provider.last_sync_error = now(), None
        if report.users_disabled or report.memberships_removed:
            # Access may have narrowed: api replicas drop the token checks they cached.
            sc.outbox.notices.append((IDENTITY_TOPIC, {"at": time.time()}))
        sc.succeed({**report.to_dict(), "users": len(refs), "groups": len(groups)})

    async def on_failed(self, sc: StageContext, error: str) -> None:
        provider = await sc.session.get(IdentityProvider, uuid.UUID(sc.task.params["provider_id"]))
        if provider is not None:
            # Counted as an attempt, so a dead directory is retried at the interval, not in a loop.
            provider.last_sync_at, provider.last_sync_error = now(), error
