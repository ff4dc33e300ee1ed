"""Signed JWT access tokens (HS256 through joserfc), scoped to one project."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from domain.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "nimbus"


@dataclass(frozen=True)
class TokenClaims:
    user_id: uuid.UUID
    project_id: uuid.UUID
    token_id: str
    issued_at: datetime
    expires_at: datetime


class TokenCodec:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._key = OctKey.import_key(secret.encode())
        self.ttl = timedelta(seconds=ttl_seconds)
        self._claims_registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": ISSUER},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            jti={"essential": True},
            pid={"essential": True},
            its={"essential": True},
        )

    def issue(self, user_id: uuid.UUID, project_id: uuid.UUID, now: datetime | None = None) -> tuple[str, TokenClaims]:
        now = now or datetime.now(UTC)
        claims = TokenClaims(user_id, project_id, secrets.token_hex(16), now, now + self.ttl)
        payload = {
            "iss": ISSUER,
            "sub": str(user_id),
            "pid": str(project_id),
            "jti": claims.token_id,
            "iat": int(now.timestamp()),
            # Sub-second issue time: a password change in the same second still voids older tokens.
            "its": now.timestamp(),
            "exp": int(claims.expires_at.timestamp()),
        }
        return jwt.encode({"alg": ALGORITHM}, payload, self._key, algorithms=[ALGORITHM]), claims

    def decode(self, token: str) -> TokenClaims:
        """Check signature, algorithm and expiry; anything wrong is `Unauthenticated`."""
        try:
            decoded = jwt.decode(token, self._key, algorithms=[ALGORITHM])
            self._claims_registry.validate(decoded.claims)
            c = decoded.claims
            return TokenClaims(
                user_id=uuid.UUID(c["sub"]),
                project_id=uuid.UUID(c["pid"]),
                token_id=str(c["jti"]),
                issued_at=datetime.fromtimestamp(float(c["its"]), UTC),
                expires_at=datetime.fromtimestamp(int(c["exp"]), UTC),
            )
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise Unauthenticated(f"invalid token: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    name = type(exc).__name__
    if name == "ExpiredTokenError":
        return "the token has expired"
    if name == "BadSignatureError":
        return "bad signature"
    if "Algorithm" in name:
        return "algorithm not accepted"
    return "malformed or incomplete token"
