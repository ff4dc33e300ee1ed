"""The rules of cloud accounts: system admins create them for a project; syncs run as tasks."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.cloud.errors import CloudErrorCode as Code
from domain.cloud.models import CloudAccount, CloudAccountStatus
from domain.cloud.providers import plugin
from domain.cloud.secrets import CredentialBox
from domain.compute.models import Region, Server, ServerStatus, Zone
from domain.errors import DomainError, InvalidInput
from domain.identity.access import Principal
from domain.identity.models import Project
from domain.scoping import get_for_change, get_visible
from domain.task.models import ACTIVE, Task
from domain.task.services import Outbox, create_task, now
from domain.validation import check_name

SYNC_KIND = "cloud.account_sync"
SYNC_DEADLINE_S = 1800
MIN_SYNC_INTERVAL_S = 60
MAX_REGIONS = 32


@dataclass(frozen=True)
class AccountSpec:
    name: str
    provider: str
    project_id: uuid.UUID | None
    regions: list[str]
    credentials: dict[str, str]
    config: dict[str, Any] = field(default_factory=dict)
    sync_interval_s: int = 0
    enabled: bool = True


def _check_credentials(provider: str, credentials: dict[str, str]) -> None:
    found = plugin(provider)
    if found is None:
        raise InvalidInput("provider", f"No cloud provider named {provider!r}", Code.UNKNOWN_PROVIDER)
    missing = [f for f in found.credential_fields if not credentials.get(f)]
    if missing:
        raise InvalidInput("credentials", f"{found.name} credentials need {', '.join(missing)}", Code.REQUIRED)


def _check_settings(regions: list[str], interval: int, config: dict[str, Any]) -> None:
    if not regions or len(regions) > MAX_REGIONS or any(not r.strip() or len(r) > 64 for r in regions):
        raise InvalidInput("regions", f"Name 1 to {MAX_REGIONS} provider regions to manage", Code.REQUIRED)
    if interval and interval < MIN_SYNC_INTERVAL_S:
        raise InvalidInput(
            "syncIntervalS", f"Sync at most every {MIN_SYNC_INTERVAL_S} s (0 = only on request)", Code.OUT_OF_RANGE
        )
    if len(json.dumps(config)) > 4096:
        raise InvalidInput("config", "Provider settings are limited to 4 KiB", Code.TOO_LONG)


async def create_account(
    session: AsyncSession, principal: Principal, box: CredentialBox, spec: AccountSpec
) -> CloudAccount:
    principal.require("cloud.account.create", system=True)
    name = check_name(spec.name)
    project = await get_visible(session, Project, principal, spec.project_id or principal.project_id, field="projectId")
    _check_credentials(spec.provider, spec.credentials)
    _check_settings(spec.regions, spec.sync_interval_s, spec.config)
    if await session.scalar(select(exists().where(CloudAccount.name == name))):
        raise DomainError(Code.DUPLICATE, f"A cloud account named {name!r} already exists", "name")
    account = CloudAccount(
        name=name,
        provider=spec.provider.lower(),
        project_id=project.id,
        domain_id=project.domain_id,
        enabled=spec.enabled,
        config=spec.config,
        regions=sorted(set(spec.regions)),
        credentials_sealed=box.seal(json.dumps(spec.credentials)),
        sync_interval_s=spec.sync_interval_s,
        status=CloudAccountStatus.READY,
        last_sync_result={},
    )
    session.add(account)
    await session.flush()
    return account


@dataclass(frozen=True)
class AccountChange:
    """What cloudAccountUpdate changes; None leaves a setting as it is."""

    enabled: bool | None = None
    regions: list[str] | None = None
    credentials: dict[str, str] | None = None
    config: dict[str, Any] | None = None
    sync_interval_s: int | None = None


async def update_account(
    session: AsyncSession, principal: Principal, box: CredentialBox, account_id: uuid.UUID, change: AccountChange
) -> CloudAccount:
    account = await get_for_change(session, CloudAccount, principal, account_id, "update")
    principal.require("cloud.account.update", system=True)
    regions = account.regions if change.regions is None else sorted(set(change.regions))
    interval = account.sync_interval_s if change.sync_interval_s is None else change.sync_interval_s
    config = account.config if change.config is None else change.config
    _check_settings(regions, interval, config)
    if change.credentials is not None:
        _check_credentials(account.provider, change.credentials)
        account.credentials_sealed = box.seal(json.dumps(change.credentials))
    if change.enabled is not None:
        account.enabled = change.enabled
    account.regions, account.sync_interval_s, account.config = regions, interval, config
    await session.flush()
    return account


async def delete_account(session: AsyncSession, principal: Principal, account_id: uuid.UUID) -> uuid.UUID:
    """Forget an account and everything imported from it; nothing is deleted at the provider."""
    account = await get_for_change(session, CloudAccount, principal, account_id, "delete")
    principal.require("cloud.account.delete", system=True)
    for server in await account_servers(session, account.id):
        server.status, server.task_id = ServerStatus.DELETED, None
        server.error = "its cloud account was deleted"
    await session.execute(delete(Zone).where(Zone.cloud_account_id == account.id))
    await session.execute(delete(Region).where(Region.cloud_account_id == account.id))
    await session.delete(account)
    await session.flush()
    return account_id


async def account_servers(session: AsyncSession, account_id: uuid.UUID) -> list[Server]:
    """The account's servers Nimbus still tracks (the link lives in `Server.extra`)."""
    account = await session.get(CloudAccount, account_id)
    if account is None:
        return []
    stmt = select(Server).where(Server.project_id == account.project_id, Server.status != ServerStatus.DELETED)
    rows = (await session.execute(stmt)).scalars()
    return [s for s in rows if (s.extra or {}).get("cloud", {}).get("account_id") == str(account_id)]


async def start_sync(
    session: AsyncSession,
    principal: Principal | None,
    outbox: Outbox,
    meta: RequestMeta | None,
    account: CloudAccount,
) -> Task:
    """A sync task for the account, or the one already running (two would race each other)."""
    running = await session.scalar(
        select(Task).where(Task.kind == SYNC_KIND, Task.target_id == account.id, Task.status.in_(ACTIVE)).limit(1)
    )
    if running is not None:
        return running
    account.status = CloudAccountStatus.SYNCING
    return create_task(
        session,
        outbox,
        kind=SYNC_KIND,
        target_type="CloudAccount",
        target_id=account.id,
        params={"account_id": str(account.id), "cancel": "any"},
        principal=principal,
        meta=meta,
        project_id=account.project_id,
        domain_id=account.domain_id,
        deadline_s=SYNC_DEADLINE_S,
    )


async def request_sync(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, account_id: uuid.UUID
) -> tuple[CloudAccount, Task]:
    account = await get_for_change(session, CloudAccount, principal, account_id, "sync")
    if not account.enabled:
        raise DomainError(Code.NOT_ALLOWED, "The account is disabled; enable it to sync", "id")
    return account, await start_sync(session, principal, outbox, meta, account)


async def start_due_syncs(session: AsyncSession, outbox: Outbox) -> int:
    """Periodic syncs: one task per enabled account whose interval has passed since its last sync."""
    stmt = (
        select(CloudAccount)
        .where(CloudAccount.enabled.is_(True), CloudAccount.sync_interval_s > 0)
        .with_for_update(skip_locked=True)
    )
    started = 0
    for account in (await session.execute(stmt)).scalars():
        last = account.last_sync_at
        if last is not None and last + timedelta(seconds=account.sync_interval_s) > now():
            continue
        task = await start_sync(session, None, outbox, None, account)
        started += int(task in outbox.tasks)
    return started


def open_credentials(box: CredentialBox, account: CloudAccount) -> dict[str, str]:
    data: dict[str, str] = json.loads(box.open(account.credentials_sealed) or "{}")
    return data
