"""The driver contract: what a directory behind a domain must answer, and the errors it raises.

A password driver (LDAP/AD) checks credentials and lists its users and groups; a redirect
driver (OIDC) signs users in through the browser and reports them with the same `ExternalUser`.
Drivers are blocking or async as their libraries are; the services call them accordingly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.errors import DomainError
from domain.identity.errors import IdentityErrorCode


@dataclass(frozen=True)
class ExternalGroup:
    external_id: str
    name: str
    description: str = ""
    # Members as `ExternalUser.ref` values (filled by directory listings, not at sign-in).
    member_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExternalUser:
    external_id: str
    name: str
    # How groups name their members (a DN in LDAP); the external id when the same.
    ref: str = ""
    email: str | None = None
    enabled: bool = True
    # The groups the user is a member of, as the directory reported them at sign-in.
    groups: tuple[ExternalGroup, ...] = ()


class ProviderUnavailable(DomainError):
    """The directory could not be reached or answered with an error: nobody gets in."""

    def __init__(self, message: str) -> None:
        super().__init__(IdentityErrorCode.PROVIDER_UNAVAILABLE, message, None)


class CredentialsRejected(Exception):
    """The directory refused the user's credentials (unknown user, wrong or empty password)."""


class AccountMissing(CredentialsRejected):
    """The directory has no such user (any more): refused like a wrong password, and mirrored."""


class AccountDisabled(Exception):
    """The directory knows the user but has disabled the account."""


class PasswordDriver(Protocol):
    """A directory that checks passwords itself and can be listed for a sync."""

    def authenticate(self, username: str, password: str) -> ExternalUser:
        """Bind as the user; raises CredentialsRejected, AccountDisabled or ProviderUnavailable."""
        ...

    def list_users(self) -> list[ExternalUser]: ...

    def list_groups(self) -> list[ExternalGroup]: ...


@dataclass(frozen=True)
class RoleMapping:
    """Members of a directory group get `role` on a project (by name) or on the whole domain."""

    group: str
    role: str
    project: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"group": self.group, "role": self.role, "project": self.project}
