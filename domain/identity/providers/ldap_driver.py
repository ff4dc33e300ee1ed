"""The LDAP/AD driver (ldap3): binds as the user to check a password, pages through the directory.

ldap3 is blocking: callers run these methods in a thread. Every connection has a connect and a
receive timeout and the server pool is tried once in order, so a dead or silent server ends in
`ProviderUnavailable` within a bounded time instead of a hang.
"""

from __future__ import annotations

import contextlib
import math
import ssl
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from domain.identity.providers.contract import (
    AccountDisabled,
    AccountMissing,
    CredentialsRejected,
    ExternalGroup,
    ExternalUser,
    ProviderUnavailable,
)
from domain.identity.providers.ldap_config import LdapConfig

INVALID_CREDENTIALS = 49
SIZE_LIMIT_EXCEEDED = 4
PAGE_SIZE = 500


def normalize_dn(dn: str) -> str:
    return ",".join(part.strip() for part in dn.split(",")).lower()


class LdapDriver:
    def __init__(self, config: LdapConfig, bind_password: str) -> None:
        self.config = config
        self._bind_password = bind_password

    # Connections ---------------------------------------------------------------------------

    def _tls(self) -> ldap3.Tls | None:
        if not self.config.uses_tls:
            return None
        ca = {"ca_certs_data": self.config.ca_cert} if self.config.ca_cert else {}
        return ldap3.Tls(validate=ssl.CERT_REQUIRED, version=ssl.PROTOCOL_TLS_CLIENT, **ca)

    def _servers(self) -> list[ldap3.Server]:
        tls = self._tls()
        servers = []
        for url in self.config.urls:
            parts = urlsplit(url)
            use_ssl = parts.scheme.lower() == "ldaps"
            servers.append(
                ldap3.Server(
                    parts.hostname or "",
                    port=parts.port or (636 if use_ssl else 389),
                    use_ssl=use_ssl,
                    tls=tls,
                    get_info=ldap3.NONE,
                    connect_timeout=math.ceil(self.config.timeout_s),
                )
            )
        return servers

    def _open(self, user: str | None, password: str | None) -> ldap3.Connection:
        """A bound connection to the first server that answers, in the order configured.

        Failover is ours rather than ldap3's ServerPool: the pool sleeps ten seconds between
        rounds, and a sign-in should fail over at once and fail fast when every server is down.
        """
        failures: list[str] = []
        for url, server in zip(self.config.urls, self._servers(), strict=True):
            try:
                return self._bind(server, user, password)
            except LDAPException as exc:
                failures.append(f"{url}: {_reason(exc)}")
        raise ProviderUnavailable(f"No directory server is reachable ({'; '.join(failures)})")

    def _bind(self, server: ldap3.Server, user: str | None, password: str | None) -> ldap3.Connection:
        conn = ldap3.Connection(
            server,
            user=user,
            password=password,
            authentication=ldap3.SIMPLE if user else ldap3.ANONYMOUS,
            auto_bind=ldap3.AUTO_BIND_NONE,
            read_only=True,
            auto_referrals=False,
            receive_timeout=math.ceil(self.config.timeout_s),
            raise_exceptions=False,
        )
        try:
            conn.open()
            if self.config.start_tls and not conn.start_tls():
                raise ProviderUnavailable(f"StartTLS failed: {_describe(conn.result)}")
            if not conn.bind():
                if conn.result and conn.result.get("result") == INVALID_CREDENTIALS:
                    raise CredentialsRejected()
                raise ProviderUnavailable(f"the directory refused the bind: {_describe(conn.result)}")
        except BaseException:
            _discard(conn)
            raise
        return conn

    def _service(self) -> ldap3.Connection:
        """The connection searches run on: the service account, or anonymous without one."""
        try:
            return self._open(self.config.bind_dn or None, self._bind_password if self.config.bind_dn else None)
        except CredentialsRejected:
            raise ProviderUnavailable(
                "the directory rejected the provider's bind DN or password; fix the provider's settings"
            ) from None

    # Reads -----------------------------------------------------------------------------------

    def _search(
        self, conn: ldap3.Connection, base: str, search_filter: str, attributes: list[str]
    ) -> Iterator[dict[str, Any]]:
        try:
            entries = conn.extend.standard.paged_search(
                base,
                search_filter,
                search_scope=ldap3.SUBTREE,
                attributes=attributes,
                paged_size=PAGE_SIZE,
                generator=True,
            )
            for entry in entries:
                if entry.get("type") == "searchResEntry":
                    yield entry
        except LDAPException as exc:
            raise ProviderUnavailable(f"The directory search failed: {_reason(exc)}") from None
        code = conn.result.get("result") if conn.result else None
        if code == SIZE_LIMIT_EXCEEDED:
            # A partial listing would disable everyone beyond the limit: refuse it whole.
            raise ProviderUnavailable(
                "the directory stopped the search at its size limit; lift the limit for the bind DN"
            )
        if code not in (0, None):
            raise ProviderUnavailable(f"the directory search failed: {_describe(conn.result)}")

    def _user_attrs(self) -> list[str]:
        c = self.config
        return [a for a in (c.user_id_attr, c.user_uuid_attr, c.user_email_attr) if a]

    def _to_user(
        self, entry: dict[str, Any], disabled: set[str], groups: tuple[ExternalGroup, ...] = ()
    ) -> ExternalUser | None:
        attrs = entry["attributes"]
        name = _first(attrs.get(self.config.user_id_attr))
        if not name:
            return None
        dn = normalize_dn(entry["dn"])
        return ExternalUser(
            external_id=_first(attrs.get(self.config.user_uuid_attr)) or dn,
            ref=dn,
            name=name,
            email=_first(attrs.get(self.config.user_email_attr)) or None,
            enabled=dn not in disabled,
            groups=groups,
        )

    def _disabled(self, conn: ldap3.Connection, extra: str = "") -> set[str]:
        c = self.config
        if not c.user_disabled_filter:
            return set()
        search = f"(&{c.user_filter}{c.user_disabled_filter}{extra})"
        return {normalize_dn(e["dn"]) for e in self._search(conn, c.user_base_dn, search, ["1.1"])}

    # The contract ----------------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> ExternalUser:
        # RFC 4513: a simple bind with a DN and no password is an *unauthenticated* bind that
        # many servers accept. It must never count as a successful sign-in.
        if not username or not password:
            raise CredentialsRejected()
        c = self.config
        by_name = f"({c.user_id_attr}={escape_filter_chars(username)})"
        conn = self._service()
        try:
            found = list(self._search(conn, c.user_base_dn, f"(&{c.user_filter}{by_name})", self._user_attrs()))
            if not found:
                raise AccountMissing()
            if len(found) > 1:
                raise CredentialsRejected()  # ambiguous: never guess which entry is meant
            user_conn = self._open(found[0]["dn"], password)
            user_conn.unbind()
            disabled = self._disabled(conn, by_name)
            groups = self._groups_of(conn, found[0]["dn"])
        finally:
            conn.unbind()
        user = self._to_user(found[0], disabled, groups)
        if user is None:
            raise CredentialsRejected()
        if not user.enabled:
            raise AccountDisabled()
        return user

    def _groups_of(self, conn: ldap3.Connection, dn: str) -> tuple[ExternalGroup, ...]:
        c = self.config
        if not c.group_base_dn:
            return ()
        search = f"(&{c.group_filter}({c.group_member_attr}={escape_filter_chars(dn)}))"
        attrs = [a for a in (c.group_name_attr, c.group_uuid_attr) if a]
        entries = self._search(conn, c.group_base_dn, search, attrs)
        return tuple(
            ExternalGroup(self._group_id(e), name)
            for e in entries
            if (name := _first(e["attributes"].get(c.group_name_attr)))
        )

    def _group_id(self, entry: dict[str, Any]) -> str:
        return _first(entry["attributes"].get(self.config.group_uuid_attr)) or normalize_dn(entry["dn"])

    def list_users(self) -> list[ExternalUser]:
        conn = self._service()
        try:
            disabled = self._disabled(conn)
            entries = list(self._search(conn, self.config.user_base_dn, self.config.user_filter, self._user_attrs()))
        finally:
            conn.unbind()
        return [u for e in entries if (u := self._to_user(e, disabled)) is not None]

    def list_groups(self) -> list[ExternalGroup]:
        c = self.config
        if not c.group_base_dn:
            return []
        conn = self._service()
        try:
            attrs = [a for a in (c.group_name_attr, c.group_uuid_attr, c.group_member_attr) if a]
            entries = list(self._search(conn, c.group_base_dn, c.group_filter, attrs))
        finally:
            conn.unbind()
        groups = []
        for entry in entries:
            name = _first(entry["attributes"].get(c.group_name_attr))
            if not name:
                continue
            members = entry["attributes"].get(c.group_member_attr) or []
            groups.append(
                ExternalGroup(
                    external_id=self._group_id(entry),
                    name=name,
                    member_refs=tuple(normalize_dn(m) for m in members),
                )
            )
        return groups


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value)


def _describe(result: dict[str, Any] | None) -> str:
    if not result:
        return "no answer"
    return f"{result.get('description', 'error')} ({result.get('result')}) {result.get('message', '')}".strip()


def _reason(exc: LDAPException) -> str:
    reason = str(exc) or type(exc).__name__
    if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate" in reason.lower():
        return f"TLS certificate verification failed ({reason})"
    return reason


def _discard(conn: ldap3.Connection) -> None:
    """Close a connection that failed half-way: ldap3 leaves the socket of a failed open behind."""
    sock = getattr(conn, "socket", None)
    with contextlib.suppress(LDAPException):
        conn.unbind()
    if sock is not None:
        sock.close()
