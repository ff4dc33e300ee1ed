"""tokenRevoke: end a token before it expires (the caller's own, or any of the caller's tokens)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.errors import DomainError, Unauthenticated
from domain.identity import auth
from domain.identity.access import Principal
from domain.identity.errors import IdentityErrorCode
from resolvers.context import Context
from resolvers.mutation import Result, run_mutation


async def token_revoke(ctx: Context, *, token: str | None) -> Result[bool]:
    target = Target("Token")

    async def action(session: AsyncSession, principal: Principal):
        try:
            claims = ctx.services.tokens.decode(token or ctx.token or "")
        except Unauthenticated:
            raise DomainError(IdentityErrorCode.INVALID, "This is not a valid token", "token") from None
        if claims.user_id != principal.user_id and not principal.allows("identity.user.update", system=True):
            raise DomainError(IdentityErrorCode.NOT_FOUND, "Token not found", "token")
        target.id = claims.token_id
        await auth.revoke(session, claims)
        return True

    return await run_mutation(ctx, "tokenRevoke", target, action)
