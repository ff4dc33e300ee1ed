"""The rules of identity providers: who may create and sync them, and what a valid one looks like."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.errors import DomainError, InvalidInput
from domain.identity.access import Principal
from domain.identity.errors import IdentityErrorCode as Code
from domain.identity.models import Domain, Project, Role
from domain.identity.providers.contract import RoleMapping
from domain.identity.providers.ldap_config import LdapConfig, with_preset
from domain.identity.providers.models import IdentityProvider, ProviderDriver
from domain.identity.providers.oidc_config import OidcConfig, check_oidc
from domain.identity.providers.registry import PASSWORD_DRIVERS
from domain.identity.providers.secrets import SecretBox
from domain.scoping import get_for_change, get_visible
from domain.task.models import ACTIVE, Task
from domain.task.services import Outbox, create_task, now
from domain.validation import check_name

SYNC_KIND = "identity.provider_sync"
SYNC_DEADLINE_S = 900
MIN_SYNC_INTERVAL_S = 60


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    domain_id: uuid.UUID | None
    driver: ProviderDriver = ProviderDriver.SQL
    enabled: bool = True
    sync_interval_s: int = 0
    ldap: LdapConfig | None = None
    oidc: OidcConfig | None = None
    # The LDAP bind password or the OIDC client secret; stored sealed, never returned.
    secret: str | None = None
    role_mappings: list[RoleMapping] = field(default_factory=list)


async def _check_mappings(session: AsyncSession, domain: Domain, mappings: list[RoleMapping]) -> None:
    for m in mappings:
        if not m.group.strip():
            raise InvalidInput("roleMappings", "Each mapping names a directory group", Code.REQUIRED)
        if await session.scalar(select(Role.id).where(Role.name == m.role)) is None:
            raise InvalidInput("roleMappings", f"No role named {m.role!r}", Code.NOT_FOUND)
        if m.project and not await session.scalar(
            select(exists().where(Project.domain_id == domain.id, Project.name == m.project))
        ):
            raise InvalidInput("roleMappings", f"No project {m.project!r} in domain {domain.name!r}", Code.NOT_FOUND)


def _config(spec: ProviderSpec) -> dict[str, Any]:
    mappings = [m.to_dict() for m in spec.role_mappings]
    if spec.driver is ProviderDriver.LDAP:
        if spec.ldap is None:
            raise InvalidInput("ldap", "An LDAP provider needs its ldap settings", Code.REQUIRED)
        if spec.ldap.bind_dn and not spec.secret:
            raise InvalidInput("secret", "Give the bind DN's password as the secret", Code.REQUIRED)
        return {**with_preset(spec.ldap).to_dict(), "role_mappings": mappings}
    if spec.driver is ProviderDriver.OIDC:
        if spec.oidc is None:
            raise InvalidInput("oidc", "An OIDC provider needs its oidc settings", Code.REQUIRED)
        return {**check_oidc(spec.oidc).to_dict(), "role_mappings": mappings}
    return {"role_mappings": mappings}


async def create_provider(
    session: AsyncSession, principal: Principal, box: SecretBox, spec: ProviderSpec
) -> IdentityProvider:
    principal.require("identity.identity_provider.create", system=True)
    domain = await get_visible(
        session, Domain, principal, spec.domain_id or principal.project_domain_id, field="domainId"
    )
    name = check_name(spec.name)
    if await session.scalar(select(exists().where(IdentityProvider.name == name))):
        raise DomainError(Code.DUPLICATE, f"An identity provider named {name!r} already exists", "name")
    if await session.scalar(select(exists().where(IdentityProvider.domain_id == domain.id))):
        raise DomainError(Code.DUPLICATE, f"Domain {domain.name!r} already has an identity provider", "domainId")
    _check_interval(spec)
    config = _config(spec)
    await _check_mappings(session, domain, spec.role_mappings)
    provider = IdentityProvider(
        name=name,
        domain_id=domain.id,
        driver=spec.driver,
        enabled=spec.enabled,
        config=config,
        secret_encrypted=box.seal(spec.secret) if spec.secret else None,
        sync_interval_s=spec.sync_interval_s,
    )
    session.add(provider)
    await session.flush()
    return provider


@dataclass(frozen=True)
class ProviderChange:
    """What identityProviderUpdate changes; None leaves a setting as it is."""

    enabled: bool | None = None
    sync_interval_s: int | None = None
    secret: str | None = None
    ldap: LdapConfig | None = None
    oidc: OidcConfig | None = None
    role_mappings: list[RoleMapping] | None = None


async def update_provider(
    session: AsyncSession, principal: Principal, box: SecretBox, provider_id: uuid.UUID, change: ProviderChange
) -> IdentityProvider:
    """Change a provider (system admins): settings are replaced whole and checked like at creation."""
    provider = await get_for_change(session, IdentityProvider, principal, provider_id, "update")
    principal.require("identity.identity_provider.update", system=True)
    domain = await session.get(Domain, provider.domain_id)
    assert domain is not None
    current = provider.config or {}
    mappings = change.role_mappings
    if mappings is None:
        mappings = [RoleMapping(**m) for m in current.get("role_mappings", [])]
    spec = ProviderSpec(
        name=provider.name,
        domain_id=provider.domain_id,
        driver=provider.driver,
        sync_interval_s=provider.sync_interval_s if change.sync_interval_s is None else change.sync_interval_s,
        ldap=change.ldap or (LdapConfig.from_dict(current) if provider.driver is ProviderDriver.LDAP else None),
        oidc=change.oidc or (OidcConfig.from_dict(current) if provider.driver is ProviderDriver.OIDC else None),
        # The stored secret still counts: a bind DN without a new password keeps the old one.
        secret=change.secret or ("kept" if provider.secret_encrypted else None),
        role_mappings=mappings,
    )
    _check_interval(spec)
    provider.config = _config(spec)
    await _check_mappings(session, domain, mappings)
    if change.secret:
        provider.secret_encrypted = box.seal(change.secret)
    if change.enabled is not None:
        provider.enabled = change.enabled
    provider.sync_interval_s = spec.sync_interval_s
    await session.flush()
    return provider


async def delete_provider(session: AsyncSession, principal: Principal, provider_id: uuid.UUID) -> uuid.UUID:
    """Remove a provider (system admins). Mirrored users and groups stay, as local ones without a
    usable password: an administrator deletes them or gives them passwords."""
    provider = await get_for_change(session, IdentityProvider, principal, provider_id, "delete")
    principal.require("identity.identity_provider.delete", system=True)
    await session.delete(provider)
    return provider_id


def _check_interval(spec: ProviderSpec) -> None:
    if spec.sync_interval_s and (spec.sync_interval_s < MIN_SYNC_INTERVAL_S or spec.driver not in PASSWORD_DRIVERS):
        raise InvalidInput(
            "syncIntervalS", f"Periodic sync is for LDAP providers, every {MIN_SYNC_INTERVAL_S} s or more (0 = off)"
        )


async def start_sync(
    session: AsyncSession,
    principal: Principal | None,
    outbox: Outbox,
    meta: RequestMeta | None,
    provider: IdentityProvider,
) -> Task:
    """A sync task for the provider, or the one already running (two syncs would race each other)."""
    if provider.driver not in PASSWORD_DRIVERS:
        raise InvalidInput("id", f"{provider.driver.value} providers have no directory to sync", Code.NOT_ALLOWED)
    running = await session.scalar(
        select(Task).where(Task.kind == SYNC_KIND, Task.target_id == provider.id, Task.status.in_(ACTIVE)).limit(1)
    )
    if running is not None:
        return running
    return create_task(
        session,
        outbox,
        kind=SYNC_KIND,
        target_type="IdentityProvider",
        target_id=provider.id,
        params={"provider_id": str(provider.id), "cancel": "any"},
        principal=principal,
        meta=meta,
        project_id=None,
        domain_id=provider.domain_id,
        deadline_s=SYNC_DEADLINE_S,
    )


async def request_sync(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, provider_id: uuid.UUID
) -> tuple[IdentityProvider, Task]:
    provider = await get_for_change(session, IdentityProvider, principal, provider_id, "sync")
    return provider, await start_sync(session, principal, outbox, meta, provider)


async def start_due_syncs(session: AsyncSession, outbox: Outbox) -> int:
    """Periodic syncs: one task for each LDAP provider whose interval has passed since its last sync."""
    stmt = (
        select(IdentityProvider)
        .where(IdentityProvider.enabled.is_(True), IdentityProvider.sync_interval_s > 0)
        .with_for_update(skip_locked=True)
    )
    started = 0
    for provider in (await session.execute(stmt)).scalars():
        last = provider.last_sync_at
        if last is not None and last + timedelta(seconds=provider.sync_interval_s) > now():
            continue
        task = await start_sync(session, None, outbox, None, provider)
        started += int(task in outbox.tasks)
    return started
