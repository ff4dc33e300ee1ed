"""A small but real OpenID Connect provider for the tests: discovery, authorize, token, JWKS.

Authorization code flow with PKCE (S256, checked with authlib), RS256 ID tokens signed with
joserfc. The test decides who is "signed in" at the provider (`user`) and can make it misbehave
(`mode`): sign with a foreign key, address another audience, issue an expired token, or repeat
the nonce of an earlier sign-in.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlencode

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "nimbus"
CLIENT_SECRET = "oidc-client-Secret-1"
KID = "test-key-1"


class LocalOidcProvider:
    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
        self.foreign_key = RSAKey.generate_key(2048, parameters={"kid": KID, "alg": "RS256"})
        self.user: dict[str, Any] = {"sub": "u-1001", "preferred_username": "dana", "email": "dana@example.org"}
        self.mode = "normal"
        self.codes: dict[str, dict[str, Any]] = {}
        self.last_nonce: str | None = None
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/jwks", self.jwks),
            ]
        )

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code":
            return JSONResponse({"error": "unauthorized_client"}, status_code=400)
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return JSONResponse({"error": "invalid_request", "error_description": "PKCE S256 required"}, 400)
        code = generate_token(24)
        self.codes[code] = {
            "challenge": q["code_challenge"],
            "nonce": q.get("nonce"),
            "redirect_uri": q["redirect_uri"],
            "user": dict(self.user),
        }
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", 302)

    async def token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if request.headers.get("authorization") is None:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code")), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if create_s256_code_challenge(str(form.get("code_verifier", ""))) != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE verification failed"}, 400)
        return JSONResponse(
            {"access_token": generate_token(32), "token_type": "Bearer", "id_token": self._id_token(grant)}
        )

    def _id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        nonce = grant["nonce"]
        if self.mode == "replay_nonce" and self.last_nonce:
            nonce = self.last_nonce
        self.last_nonce = grant["nonce"] if self.mode != "replay_nonce" else self.last_nonce
        claims = {
            "iss": self.issuer,
            "aud": "someone-else" if self.mode == "wrong_audience" else CLIENT_ID,
            "iat": now - (7200 if self.mode == "expired" else 0),
            "exp": now - 3600 if self.mode == "expired" else now + 300,
            "nonce": nonce,
            **grant["user"],
        }
        key = self.foreign_key if self.mode == "bad_signature" else self.key
        return jwt.encode({"alg": "RS256", "kid": KID}, claims, key)
