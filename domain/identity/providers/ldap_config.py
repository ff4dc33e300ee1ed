"""LDAP/AD provider settings: server URLs, base DNs, filters and attribute names, with presets."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from domain.errors import InvalidInput
from domain.identity.errors import IdentityErrorCode as Code
from domain.identity.providers.contract import RoleMapping

PRESETS: dict[str, dict[str, str]] = {
    "openldap": {
        "user_filter": "(objectClass=inetOrgPerson)",
        "user_id_attr": "uid",
        "user_uuid_attr": "entryUUID",
        "user_email_attr": "mail",
        # Accounts locked by the ppolicy overlay (pwdAccountLockedTime) count as disabled.
        "user_disabled_filter": "(pwdAccountLockedTime=*)",
        "group_filter": "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))",
        "group_name_attr": "cn",
        "group_uuid_attr": "entryUUID",
        "group_member_attr": "member",
    },
    "active_directory": {
        "user_filter": "(&(objectCategory=person)(objectClass=user))",
        "user_id_attr": "sAMAccountName",
        "user_uuid_attr": "objectGUID",
        "user_email_attr": "mail",
        # userAccountControl bit 2 (ACCOUNTDISABLE), matched with LDAP_MATCHING_RULE_BIT_AND.
        "user_disabled_filter": "(userAccountControl:1.2.840.113556.1.4.803:=2)",
        "group_filter": "(objectClass=group)",
        "group_name_attr": "cn",
        "group_uuid_attr": "objectGUID",
        "group_member_attr": "member",
    },
}


@dataclass(frozen=True)
class LdapConfig:
    urls: tuple[str, ...]
    user_base_dn: str
    group_base_dn: str = ""
    bind_dn: str = ""
    preset: str = "openldap"
    user_filter: str = ""
    user_id_attr: str = ""
    user_uuid_attr: str = ""
    user_email_attr: str = ""
    user_disabled_filter: str = ""
    group_filter: str = ""
    group_name_attr: str = ""
    group_uuid_attr: str = ""
    group_member_attr: str = ""
    start_tls: bool = False
    # PEM of the CA that signed the servers' certificates; the system's CAs when empty.
    ca_cert: str = ""
    timeout_s: float = 5.0
    role_mappings: tuple[RoleMapping, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["urls"] = list(self.urls)
        data["role_mappings"] = [m.to_dict() for m in self.role_mappings]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LdapConfig:
        values = dict(data)
        values["urls"] = tuple(values.get("urls", ()))
        values["role_mappings"] = tuple(RoleMapping(**m) for m in values.get("role_mappings", ()))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})

    @property
    def uses_tls(self) -> bool:
        return self.start_tls or any(u.lower().startswith("ldaps://") for u in self.urls)


def with_preset(config: LdapConfig) -> LdapConfig:
    """Fill every setting left empty from the preset, then check the result."""
    if config.preset not in PRESETS:
        raise InvalidInput("ldap.preset", f"Unknown preset {config.preset!r}; use {', '.join(PRESETS)}")
    defaults: dict[str, Any] = {k: v for k, v in PRESETS[config.preset].items() if not getattr(config, k)}
    filled = replace(config, **defaults)
    _check(filled)
    return filled


def _check(config: LdapConfig) -> None:
    if not config.urls:
        raise InvalidInput("ldap.urls", "Give at least one server URL", Code.REQUIRED)
    for url in config.urls:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("ldap", "ldaps") or not parts.hostname:
            raise InvalidInput("ldap.urls", f"{url!r} is not an ldap:// or ldaps:// URL")
        if parts.scheme.lower() == "ldaps" and config.start_tls:
            raise InvalidInput("ldap.startTls", "StartTLS is for ldap:// URLs; ldaps:// is already encrypted")
    if not config.user_base_dn.strip():
        raise InvalidInput("ldap.userBaseDn", "A base DN for users is required", Code.REQUIRED)
    for name in ("user_filter", "user_disabled_filter", "group_filter"):
        if not _balanced(getattr(config, name)):
            raise InvalidInput(f"ldap.{_camel(name)}", "An LDAP filter in parentheses, e.g. (objectClass=person)")
    if not 0.5 <= config.timeout_s <= 60:
        raise InvalidInput("ldap.timeoutS", "The timeout must be between 0.5 and 60 seconds")
    if config.ca_cert and "BEGIN CERTIFICATE" not in config.ca_cert:
        raise InvalidInput("ldap.caCert", "The CA certificate must be PEM")


def _balanced(expr: str) -> bool:
    if not (expr.startswith("(") and expr.endswith(")")):
        return False
    depth = 0
    for ch in expr:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)
