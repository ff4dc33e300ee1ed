"""OIDC sign-in (authorization code + PKCE): discovery, the login redirect, and ID-token checks.

authlib supplies the OAuth 2 pieces (the authorization URL, PKCE S256, random tokens); joserfc
verifies the ID token, since authlib.jose is deprecated in its favour. The login's state, nonce
and code verifier live in Redis for ten minutes and are consumed by the callback, so a callback
or an ID token cannot be replayed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from redis.asyncio import Redis

from domain.identity.providers.contract import ExternalGroup, ExternalUser, ProviderUnavailable
from domain.identity.providers.oidc_config import OidcConfig

LOGIN_TTL_S = 600
CLOCK_SKEW_S = 60
HTTP_TIMEOUT_S = 10.0


class OidcRejected(Exception):
    """The provider's answer cannot be trusted: the message says which check failed."""


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True)
class PendingLogin:
    provider_id: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    project: str
    return_to: str


class OidcClient:
    """One per api process: caches discovery documents and key sets per issuer."""

    def __init__(self, redis: Redis, prefix: str, http: httpx.AsyncClient | None = None) -> None:
        self._redis, self._prefix = redis, prefix
        self._http = http or httpx.AsyncClient(timeout=HTTP_TIMEOUT_S)
        self._metadata: dict[str, tuple[float, Metadata]] = {}
        self._keys: dict[str, KeySet] = {}

    async def close(self) -> None:
        await self._http.aclose()

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = await self._http.get(url)
            response.raise_for_status()
            data: dict[str, Any] = response.json()
            return data
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderUnavailable(f"The OIDC provider did not answer {url}: {exc}") from None

    async def metadata(self, config: OidcConfig) -> Metadata:
        cached = self._metadata.get(config.issuer)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        doc = await self._get_json(f"{config.issuer}/.well-known/openid-configuration")
        if doc.get("issuer", "").rstrip("/") != config.issuer:
            raise ProviderUnavailable(
                f"The discovery document names issuer {doc.get('issuer')!r}, not {config.issuer!r}"
            )
        try:
            meta = Metadata(config.issuer, doc["authorization_endpoint"], doc["token_endpoint"], doc["jwks_uri"])
        except KeyError as exc:
            raise ProviderUnavailable(f"The discovery document lacks {exc}") from None
        self._metadata[config.issuer] = (time.monotonic() + 300, meta)
        return meta

    async def _key_set(self, meta: Metadata, refresh: bool = False) -> KeySet:
        if refresh or meta.jwks_uri not in self._keys:
            self._keys[meta.jwks_uri] = KeySet.import_key_set(await self._get_json(meta.jwks_uri))  # type: ignore[arg-type]
        return self._keys[meta.jwks_uri]

    def _state_key(self, state: str) -> str:
        return f"{self._prefix}:oidc:state:{state}"

    async def begin(
        self, provider_id: str, config: OidcConfig, redirect_uri: str, *, project: str, return_to: str
    ) -> str:
        """The URL to send the browser to; the login waits in Redis for the callback."""
        meta = await self.metadata(config)
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        pending = PendingLogin(provider_id, nonce, verifier, redirect_uri, project, return_to)
        await self._redis.set(self._state_key(state), json.dumps(pending.__dict__), ex=LOGIN_TTL_S)
        url: str = prepare_grant_uri(
            meta.authorization_endpoint,
            config.client_id,
            "code",
            redirect_uri,
            config.scopes,
            state,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
            nonce=nonce,
        )
        return url

    async def take_pending(self, state: str) -> PendingLogin:
        """The login a callback belongs to, removed so the same state cannot be used twice."""
        raw = await self._redis.getdel(self._state_key(state)) if state else None
        if raw is None:
            raise OidcRejected("unknown, expired or already used login state")
        return PendingLogin(**json.loads(raw))

    async def finish(self, config: OidcConfig, client_secret: str, pending: PendingLogin, code: str) -> ExternalUser:
        """Exchange the code (with the PKCE verifier) and verify the ID token; the user it names."""
        meta = await self.metadata(config)
        id_token = await self._exchange(config, client_secret, meta, pending, code)
        claims = await self._verify(config, meta, id_token, pending.nonce)
        return self._user(config, claims)

    async def _exchange(
        self, config: OidcConfig, client_secret: str, meta: Metadata, pending: PendingLogin, code: str
    ) -> str:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "code_verifier": pending.code_verifier,
            "client_id": config.client_id,
        }
        # A confidential client authenticates with HTTP Basic; a public one relies on PKCE alone.
        auth: httpx.Auth | None = httpx.BasicAuth(config.client_id, client_secret) if client_secret else None
        try:
            response = await self._http.post(meta.token_endpoint, data=form, auth=auth or httpx.USE_CLIENT_DEFAULT)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"The OIDC token endpoint did not answer: {exc}") from None
        if response.status_code != 200:
            raise OidcRejected(f"the provider refused the code: {response.text[:200]}")
        token = response.json().get("id_token")
        if not isinstance(token, str):
            raise OidcRejected("the provider returned no ID token")
        return token

    async def _verify(self, config: OidcConfig, meta: Metadata, id_token: str, nonce: str) -> dict[str, Any]:
        try:
            try:
                decoded = jwt.decode(id_token, await self._key_set(meta), algorithms=list(config.algorithms))
            except ValueError:  # no key with that kid: the provider may have rotated its keys
                decoded = jwt.decode(id_token, await self._key_set(meta, True), algorithms=list(config.algorithms))
        except (JoseError, ValueError) as exc:
            raise OidcRejected(f"the ID token's signature does not verify ({type(exc).__name__})") from None
        claims = decoded.claims
        registry = jwt.JWTClaimsRegistry(
            leeway=CLOCK_SKEW_S,
            iss={"essential": True, "value": config.issuer},
            aud={"essential": True, "value": config.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise OidcRejected(f"the ID token is not valid here: {exc.description or type(exc).__name__}") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != config.client_id:
            raise OidcRejected("the ID token was issued to another client (azp)")
        # A nonce is good for one sign-in, whatever state it arrives with.
        if not await self._redis.set(f"{self._prefix}:oidc:nonce:{nonce}", 1, nx=True, ex=LOGIN_TTL_S):
            raise OidcRejected("the ID token's nonce was already used")
        return claims

    def _user(self, config: OidcConfig, claims: dict[str, Any]) -> ExternalUser:
        name = claims.get(config.username_claim) or claims.get("sub")
        raw_groups = claims.get(config.groups_claim) or []
        groups = [str(g) for g in raw_groups] if isinstance(raw_groups, list) else []
        email = claims.get(config.email_claim)
        return ExternalUser(
            external_id=str(claims["sub"]),
            name=str(name),
            email=str(email) if email else None,
            groups=tuple(ExternalGroup(g, g) for g in groups),
        )
