"""The rules of VMware accounts: creating them (the password sealed) and starting syncs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.errors import DomainError, InvalidInput
from domain.identity.access import Principal
from domain.identity.models import Project
from domain.scoping import get_for_change, get_visible
from domain.secrets import SecretBox
from domain.task.models import Task, TaskStatus
from domain.task.services import Outbox, create_task
from domain.validation import check_name
from domain.vmware.models import AccountStatus, VmwareAccount

SYNC_DEADLINE_S = 900
PURPOSE = b"vmware-account"


def password_box(platform_secret: str) -> SecretBox:
    return SecretBox(platform_secret, PURPOSE, "the VMware password was sealed with another platform secret")


@dataclass(frozen=True)
class AccountSpec:
    name: str
    endpoint: str
    username: str
    password: str
    project_id: uuid.UUID | None = None
    datacenters: list[str] = field(default_factory=list)


def _endpoint(value: str) -> str:
    value = value.strip().rstrip("/")
    url = urlsplit(value if "://" in value else f"https://{value}")
    if url.scheme not in ("http", "https") or not url.hostname:
        raise InvalidInput("endpoint", "Give the endpoint as https://host[:port] (or http:// for a lab)")
    try:
        url.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise InvalidInput("endpoint", "The endpoint's port is not a number") from None
    return f"{url.scheme}://{url.netloc}"


async def create_account(
    session: AsyncSession, principal: Principal, box: SecretBox, spec: AccountSpec
) -> VmwareAccount:
    principal.require("vmware.account.create", system=True)
    name = check_name(spec.name)
    if await session.scalar(select(exists().where(VmwareAccount.name == name))):
        raise DomainError("DUPLICATE", f"A VMware account named {name!r} already exists", "name")
    if not spec.username.strip():
        raise InvalidInput("username", "A user name is required", "REQUIRED")
    if not spec.password:
        raise InvalidInput("password", "A password is required", "REQUIRED")
    project = await get_visible(session, Project, principal, spec.project_id or principal.project_id, field="projectId")
    account = VmwareAccount(
        name=name,
        endpoint=_endpoint(spec.endpoint),
        username=spec.username.strip(),
        password_encrypted=box.seal(spec.password),
        datacenters=[d.strip() for d in spec.datacenters if d.strip()],
        project_id=project.id,
        domain_id=project.domain_id,
        status=AccountStatus.NEW,
        inventory={},
    )
    session.add(account)
    await session.flush()
    return account


async def request_sync(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, account_id: uuid.UUID
) -> tuple[VmwareAccount, Task]:
    account = await get_for_change(session, VmwareAccount, principal, account_id, "sync")
    return account, await start_sync(session, principal, outbox, meta, account)


async def start_sync(
    session: AsyncSession,
    principal: Principal | None,
    outbox: Outbox,
    meta: RequestMeta | None,
    account: VmwareAccount,
) -> Task:
    """A sync task, or the one already running for this account."""
    running = await session.scalar(
        select(Task).where(
            Task.kind == "vmware.sync",
            Task.target_id == account.id,
            Task.status.in_((TaskStatus.QUEUED, TaskStatus.RUNNING)),
        )
    )
    if running is not None:
        return running
    await session.execute(
        update(VmwareAccount).where(VmwareAccount.id == account.id).values(status=AccountStatus.SYNCING)
    )
    return create_task(
        session,
        outbox,
        kind="vmware.sync",
        target_type="VmwareAccount",
        target_id=account.id,
        params={"account_id": str(account.id)},
        principal=principal,
        meta=meta,
        project_id=None,
        domain_id=None,
        deadline_s=SYNC_DEADLINE_S,
    )
