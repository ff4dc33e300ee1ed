"""Finishing an OIDC sign-in: the verified user is mirrored, then gets a normal Nimbus token."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.identity.auth import IssuedToken, issue_for
from domain.identity.errors import IdentityErrorCode
from domain.identity.providers.contract import ExternalUser
from domain.identity.providers.models import IdentityProvider, ProviderDriver
from domain.identity.providers.signin import Outcome, mirror_signed_in
from domain.identity.tokens import TokenCodec


async def oidc_provider(session: AsyncSession, name: str) -> IdentityProvider | None:
    stmt = select(IdentityProvider).where(
        IdentityProvider.name == name,
        IdentityProvider.driver == ProviderDriver.OIDC,
        IdentityProvider.enabled.is_(True),
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def complete_sign_in(
    session: AsyncSession, codec: TokenCodec, provider: IdentityProvider, ext: ExternalUser, project: str
) -> IssuedToken:
    user = await mirror_signed_in(session, provider, ext)
    if user is Outcome.REJECTED or isinstance(user, Outcome):
        raise DomainError(
            IdentityErrorCode.INVALID_CREDENTIALS,
            f"The name {ext.name!r} belongs to a local account or is not usable here",
            None,
        )
    return await issue_for(session, codec, user, project)
