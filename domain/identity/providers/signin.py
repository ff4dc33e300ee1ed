"""Signing in through a domain's directory: the password is checked by binding as the user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import Enum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.identity.access import ACCESS_NARROWED
from domain.identity.errors import IdentityErrorCode
from domain.identity.models import Domain, User
from domain.identity.providers.contract import AccountDisabled, AccountMissing, CredentialsRejected, ExternalUser
from domain.identity.providers.mirror import SyncReport, suspend_linked, sync_memberships_of, upsert_user
from domain.identity.providers.models import IdentityProvider, LinkKind, ProviderLink
from domain.identity.providers.registry import password_driver, run_blocking
from domain.identity.providers.secrets import SecretBox


class Outcome(Enum):
    LOCAL = "local"  # not a directory user: Nimbus checks the password itself
    REJECTED = "rejected"


async def provider_of_domain(session: AsyncSession, domain_name: str) -> IdentityProvider | None:
    stmt = (
        select(IdentityProvider)
        .join(Domain, Domain.id == IdentityProvider.domain_id)
        .where(Domain.name == domain_name, Domain.enabled.is_(True), IdentityProvider.enabled.is_(True))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def _is_local(session: AsyncSession, provider: IdentityProvider, user: User | None) -> bool:
    """A user created in Nimbus (not linked to the directory) keeps signing in with its own password."""
    if user is None:
        return False
    link = await session.scalar(
        select(ProviderLink.external_id).where(
            ProviderLink.provider_id == provider.id,
            ProviderLink.kind == LinkKind.USER,
            ProviderLink.local_id == user.id,
        )
    )
    return link is None


async def authenticate(
    session: AsyncSession, box: SecretBox, domain_name: str, user: User | None, username: str, password: str
) -> User | Outcome:
    """The local user a directory vouches for (mirrored as of now), or why Nimbus decides instead."""
    provider = await provider_of_domain(session, domain_name)
    if provider is None or await _is_local(session, provider, user):
        return Outcome.LOCAL
    driver = password_driver(provider, box)
    if driver is None:
        return Outcome.LOCAL
    if not password:  # never reaches the directory: an empty password is an anonymous bind
        return Outcome.REJECTED
    try:
        ext: ExternalUser = await run_blocking(provider, driver.authenticate, username, password)
    except AccountMissing:
        await _suspend(session, provider, user)
        return Outcome.REJECTED
    except CredentialsRejected:
        return Outcome.REJECTED
    except AccountDisabled:
        await _suspend(session, provider, user)
        raise DomainError(IdentityErrorCode.DISABLED, "This user or project is disabled", None) from None
    # Mirrored in a transaction of its own: what the directory said stands even if the
    # sign-in itself is then refused (no role in the project), so a dropped group is dropped.
    async with _own_transaction(session) as own:
        mirrored = await mirror_signed_in(own, provider, ext)
        narrowed = own.info.get(ACCESS_NARROWED, False)
    if isinstance(mirrored, Outcome):
        return mirrored
    if narrowed:
        session.info[ACCESS_NARROWED] = True
    found = await session.get(User, mirrored.id, populate_existing=True)
    return found if found is not None else Outcome.REJECTED


@asynccontextmanager
async def _own_transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    async with AsyncSession(bind=session.bind, expire_on_commit=False) as own, own.begin():
        yield own


async def _suspend(session: AsyncSession, provider: IdentityProvider, user: User | None) -> None:
    """Disable the mirrored user now: their tokens stop working at this sign-in, not the next sync."""
    if user is None:
        return
    async with _own_transaction(session) as own:
        if await suspend_linked(own, provider, user.id):
            session.info[ACCESS_NARROWED] = True


async def mirror_signed_in(session: AsyncSession, provider: IdentityProvider, ext: ExternalUser) -> User | Outcome:
    """Bring the user and their group memberships up to date before their roles are read."""
    report = SyncReport()
    user = await upsert_user(session, provider, ext, report)
    if user is None:
        return Outcome.REJECTED  # its name is taken by a local account, or unusable
    await sync_memberships_of(session, provider, user, ext.groups, report)
    if report.memberships_removed or report.users_disabled:
        session.info[ACCESS_NARROWED] = True  # the user's other tokens may hold roles no longer theirs
    return user
