"""Who is calling and what they may do: the principal built from a token and its grants."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.errors import PermissionDenied
from domain.identity.permissions import matches

# Published when someone's access may have narrowed; api replicas then drop cached token checks.
IDENTITY_TOPIC = "identity"
# Set in a session's `info` by domain code that narrowed someone's access as a side effect
# (a directory sign-in that dropped a group membership); the mutation runner then announces it.
ACCESS_NARROWED = "nimbus.access_narrowed"


class ScopeLevel(StrEnum):
    SYSTEM = "system"
    DOMAIN = "domain"
    PROJECT = "project"


@dataclass(frozen=True)
class Grant:
    """A role held on one scope, with the permission patterns its policy gives."""

    level: ScopeLevel
    target_id: uuid.UUID | None
    role: str
    permissions: frozenset[str]


@dataclass(frozen=True)
class Visibility:
    """Where a permission reaches: everywhere, or a set of domains and projects."""

    everything: bool = False
    domain_ids: frozenset[uuid.UUID] = frozenset()
    project_ids: frozenset[uuid.UUID] = frozenset()

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.domain_ids or self.project_ids)

    def covers(self, domain_id: uuid.UUID | None, project_id: uuid.UUID | None) -> bool:
        if self.everything:
            return True
        return (domain_id is not None and domain_id in self.domain_ids) or (
            project_id is not None and project_id in self.project_ids
        )


@dataclass(frozen=True)
class Principal:
    """An authenticated caller, scoped to one project by its token."""

    user_id: uuid.UUID
    user_name: str
    user_domain_id: uuid.UUID
    project_id: uuid.UUID
    project_name: str
    project_domain_id: uuid.UUID
    token_id: str
    token_expires_at: datetime
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def roles(self) -> list[str]:
        return sorted({g.role for g in self.grants})

    @property
    def is_system_admin(self) -> bool:
        return any(g.level is ScopeLevel.SYSTEM and "*" in g.permissions for g in self.grants)

    def visibility(self, permission: str) -> Visibility:
        domains: set[uuid.UUID] = set()
        projects: set[uuid.UUID] = set()
        for grant in self.grants:
            if not matches(grant.permissions, permission):
                continue
            if grant.level is ScopeLevel.SYSTEM:
                return Visibility(everything=True)
            assert grant.target_id is not None
            (domains if grant.level is ScopeLevel.DOMAIN else projects).add(grant.target_id)
        return Visibility(domain_ids=frozenset(domains), project_ids=frozenset(projects))

    def allows(
        self,
        permission: str,
        *,
        domain_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
        system: bool = False,
    ) -> bool:
        """May the caller do `permission` on a target in this domain/project (or system-wide)?"""
        vis = self.visibility(permission)
        if system:
            return vis.everything
        return vis.covers(domain_id, project_id)

    def require(
        self,
        permission: str,
        *,
        domain_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
        system: bool = False,
    ) -> None:
        if not self.allows(permission, domain_id=domain_id, project_id=project_id, system=system):
            raise PermissionDenied(permission)
