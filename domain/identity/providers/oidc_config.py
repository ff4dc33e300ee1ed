"""OIDC provider settings: the issuer, the client, and which claims name the user and groups."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from domain.errors import InvalidInput
from domain.identity.errors import IdentityErrorCode as Code
from domain.identity.providers.contract import RoleMapping

SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    scopes: str = "openid profile email"
    username_claim: str = "preferred_username"
    email_claim: str = "email"
    groups_claim: str = "groups"
    # Where the provider sends the browser back; derived from the request when empty.
    redirect_uri: str = ""
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    role_mappings: tuple[RoleMapping, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["algorithms"] = list(self.algorithms)
        data["role_mappings"] = [m.to_dict() for m in self.role_mappings]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OidcConfig:
        values = dict(data)
        values["algorithms"] = tuple(values.get("algorithms", ("RS256", "ES256")))
        values["role_mappings"] = tuple(RoleMapping(**m) for m in values.get("role_mappings", ()))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


def check_oidc(config: OidcConfig) -> OidcConfig:
    issuer = urlsplit(config.issuer)
    if issuer.scheme not in ("https", "http") or not issuer.hostname:
        raise InvalidInput("oidc.issuer", "The issuer must be an https:// URL", Code.REQUIRED)
    if issuer.scheme == "http" and issuer.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise InvalidInput("oidc.issuer", "Plain http is accepted for a loopback issuer only; use https")
    if not config.client_id.strip():
        raise InvalidInput("oidc.clientId", "A client id is required", Code.REQUIRED)
    if "openid" not in config.scopes.split():
        raise InvalidInput("oidc.scopes", "The scopes must include openid")
    if not config.algorithms or any(a not in SIGNING_ALGORITHMS for a in config.algorithms):
        raise InvalidInput(
            "oidc.algorithms", f"Use asymmetric signing algorithms only: {', '.join(SIGNING_ALGORITHMS)}"
        )
    if config.redirect_uri and urlsplit(config.redirect_uri).scheme not in ("https", "http"):
        raise InvalidInput("oidc.redirectUri", "The redirect URI must be an absolute http(s) URL")
    return OidcConfig(**{**config.__dict__, "issuer": config.issuer.rstrip("/")})
