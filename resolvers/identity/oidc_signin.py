"""The OIDC callback's work: verify what the provider sent, mirror the user, issue a token.

Not a GraphQL mutation (the browser arrives by redirect), but it runs through `run_mutation`
like one, so every OIDC sign-in, success or refusal, is audited as `oidcSignIn`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.errors import DomainError
from domain.identity.access import Principal
from domain.identity.auth import IssuedToken
from domain.identity.errors import IdentityErrorCode
from domain.identity.providers.contract import ExternalUser
from domain.identity.providers.oidc import OidcClient, OidcRejected, PendingLogin
from domain.identity.providers.oidc_config import OidcConfig
from domain.identity.providers.oidc_signin import complete_sign_in, oidc_provider
from resolvers.context import Context
from resolvers.ids import to_global_id
from resolvers.mutation import Result, run_mutation


@dataclass(frozen=True)
class Login:
    url: str


def _client(ctx: Context) -> OidcClient:
    assert ctx.services.oidc is not None, "the api builds its OIDC client at start-up"
    return ctx.services.oidc


async def begin(ctx: Context, name: str, callback_url: str, *, project: str, return_to: str) -> Login | None:
    """Where to send the browser, or None for an unknown (or disabled) provider."""
    async with ctx.services.sessions() as session:
        provider = await oidc_provider(session, name)
    if provider is None:
        return None
    config = OidcConfig.from_dict(provider.config)
    redirect_uri = config.redirect_uri or callback_url
    url = await _client(ctx).begin(str(provider.id), config, redirect_uri, project=project, return_to=return_to)
    return Login(url)


async def finish(ctx: Context, name: str, state: str, code: str) -> tuple[Result[IssuedToken], PendingLogin | None]:
    """Check the callback and sign the user in; refusals come back as payload-style errors."""
    client = _client(ctx)
    box = ctx.services.secret_box
    assert box is not None
    pending: PendingLogin | None = None
    target = Target("Token")

    async def action(session: AsyncSession, _principal: Principal | None) -> IssuedToken:
        nonlocal pending
        provider = await oidc_provider(session, name)
        try:
            pending = await client.take_pending(state)
            if provider is None or str(provider.id) != pending.provider_id:
                raise OidcRejected("the login was started for another provider")
            config = OidcConfig.from_dict(provider.config)
            ext: ExternalUser = await client.finish(config, box.open(provider.secret_encrypted), pending, code)
        except OidcRejected as exc:
            raise DomainError(IdentityErrorCode.INVALID_CREDENTIALS, f"OIDC sign-in refused: {exc}", None) from None
        issued = await complete_sign_in(session, ctx.services.tokens, provider, ext, pending.project)
        target.id = to_global_id("User", issued.user.id)
        target.domain_id, target.project_id = issued.project.domain_id, issued.project.id
        return issued

    result = await run_mutation(ctx, "oidcSignIn", target, action, anonymous=True, actor_name=f"oidc:{name}")
    return result, pending
