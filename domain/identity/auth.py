"""Signing in, and turning a presented token back into a `Principal` on every request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, Unauthenticated
from domain.identity.access import Grant, Principal, ScopeLevel
from domain.identity.errors import IdentityErrorCode
from domain.identity.models import (
    Domain,
    GroupMember,
    Project,
    RevokedToken,
    Role,
    RoleAssignment,
    RolePermission,
    User,
)
from domain.identity.passwords import verify_password
from domain.identity.providers.secrets import SecretBox
from domain.identity.providers.signin import Outcome
from domain.identity.providers.signin import authenticate as directory_authenticate
from domain.identity.throttle import LoginThrottle
from domain.identity.tokens import TokenClaims, TokenCodec
from domain.validation import has_control_chars


@dataclass(frozen=True)
class IssuedToken:
    token: str
    claims: TokenClaims
    user: User
    project: Project


def _bad_credentials() -> DomainError:
    # One message for unknown user, wrong password and no access: nothing to enumerate.
    return DomainError(
        IdentityErrorCode.INVALID_CREDENTIALS,
        "Invalid username, password or project",
        None,
    )


async def sign_in(
    session: AsyncSession,
    codec: TokenCodec,
    throttle: LoginThrottle,
    *,
    username: str,
    password: str,
    domain: str,
    project: str,
    client_ip: str | None,
    hash_profile: str = "default",
    secret_box: SecretBox | None = None,
) -> IssuedToken:
    """Check the password and issue a token scoped to `project`; failures are throttled.

    In a domain backed by a directory (LDAP/AD), the directory checks the password by a bind
    as the user, and the user and their groups are mirrored before their roles are read.
    """
    if has_control_chars(username) or has_control_chars(domain) or has_control_chars(project):
        await throttle.record_failure(username.replace("\x00", ""), domain.replace("\x00", ""), client_ip)
        raise _bad_credentials()
    if await throttle.is_blocked(username, domain, client_ip):
        raise DomainError(
            IdentityErrorCode.LOGIN_THROTTLED,
            "Too many failed sign-ins; try again later",
            None,
        )
    user = await _find_user(session, username, domain)
    vouched: User | Outcome = Outcome.LOCAL
    if secret_box is not None:
        vouched = await directory_authenticate(session, secret_box, domain, user, username, password)
    if isinstance(vouched, User):
        user = vouched
    elif vouched is Outcome.REJECTED or (
        not password or not verify_password(user.password_hash if user else None, password, hash_profile)
    ):
        await throttle.record_failure(username, domain, client_ip)
        raise _bad_credentials()
    assert user is not None
    target = await _find_project(session, project, user.domain_id, domain)
    if target is None or not await _has_any_role(session, user, target):
        await throttle.record_failure(username, domain, client_ip)
        raise _bad_credentials()
    if not user.enabled or not target.enabled:
        raise DomainError(IdentityErrorCode.DISABLED, "This user or project is disabled", None)
    await throttle.reset_user(username, domain)
    token, claims = codec.issue(user.id, target.id)
    return IssuedToken(token, claims, user, target)


async def issue_for(session: AsyncSession, codec: TokenCodec, user: User, project: str) -> IssuedToken:
    """A token for a user a provider has vouched for (OIDC): scoped to `project`, or to the
    first project (by name) they hold a role in when none is named."""
    domain = await session.get(Domain, user.domain_id)
    target = None
    if domain is not None and domain.enabled and project:
        target = await _find_project(session, project, user.domain_id, domain.name)
    elif domain is not None and domain.enabled:
        target = await _first_project(session, user)
    if target is None or not await _has_any_role(session, user, target):
        raise DomainError(
            IdentityErrorCode.INVALID_CREDENTIALS, "You hold no role in that project (or it does not exist)", "project"
        )
    if not user.enabled or not target.enabled:
        raise DomainError(IdentityErrorCode.DISABLED, "This user or project is disabled", None)
    token, claims = codec.issue(user.id, target.id)
    return IssuedToken(token, claims, user, target)


async def _first_project(session: AsyncSession, user: User) -> Project | None:
    groups = select(GroupMember.group_id).where(GroupMember.user_id == user.id)
    mine = or_(RoleAssignment.user_id == user.id, RoleAssignment.group_id.in_(groups))
    direct = select(RoleAssignment.project_id).where(mine, RoleAssignment.project_id.is_not(None))
    via_domain = select(RoleAssignment.domain_id).where(mine, RoleAssignment.domain_id.is_not(None))
    stmt = (
        select(Project)
        .where(Project.enabled.is_(True), or_(Project.id.in_(direct), Project.domain_id.in_(via_domain)))
        .order_by(Project.name)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def _find_user(session: AsyncSession, username: str, domain: str) -> User | None:
    stmt = (
        select(User)
        .join(Domain, Domain.id == User.domain_id)
        .where(User.name == username, Domain.name == domain, Domain.enabled.is_(True))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def _find_project(
    session: AsyncSession, project: str, user_domain_id: uuid.UUID, domain_name: str
) -> Project | None:
    """A project by name in the user's domain, or `domain/project` for one in another domain."""
    stmt = select(Project).join(Domain, Domain.id == Project.domain_id).where(Domain.enabled.is_(True))
    if "/" in project:
        dname, pname = project.split("/", 1)
        stmt = stmt.where(Domain.name == dname, Project.name == pname)
    else:
        stmt = stmt.where(Project.domain_id == user_domain_id, Project.name == project)
    return (await session.execute(stmt)).scalar_one_or_none()


async def _has_any_role(session: AsyncSession, user: User, project: Project) -> bool:
    grants = await load_grants(session, user.id, project)
    return bool(grants)


async def load_grants(session: AsyncSession, user_id: uuid.UUID, project: Project) -> tuple[Grant, ...]:
    """The roles a user holds in a project-scoped token: system, the project's domain, the project.

    One statement: assignments (direct or through groups) joined with their roles' policies.
    """
    groups = select(GroupMember.group_id).where(GroupMember.user_id == user_id)
    stmt = (
        select(RoleAssignment, Role.name, RolePermission.permission)
        .join(Role, Role.id == RoleAssignment.role_id)
        .outerjoin(RolePermission, RolePermission.role_id == Role.id)
        .where(
            or_(RoleAssignment.user_id == user_id, RoleAssignment.group_id.in_(groups)),
            or_(
                RoleAssignment.system.is_(True),
                RoleAssignment.domain_id == project.domain_id,
                RoleAssignment.project_id == project.id,
            ),
        )
    )
    perms: dict[uuid.UUID, set[str]] = {}
    assignments: dict[uuid.UUID, tuple[RoleAssignment, str]] = {}
    for ra, name, permission in (await session.execute(stmt)).all():
        assignments[ra.id] = (ra, name)
        if permission is not None:
            perms.setdefault(ra.role_id, set()).add(permission)
    grants = {_grant(ra, name, frozenset(perms.get(ra.role_id, ()))) for ra, name in assignments.values()}
    return tuple(sorted(grants, key=lambda g: (g.level, g.role, str(g.target_id))))


SIGN_IN_TARGETS_LIMIT = 500


async def sign_in_targets(session: AsyncSession, user_id: uuid.UUID) -> list[tuple[Project, str]]:
    """The enabled projects, with their domain's name, a user may scope a token to: those of a
    project, domain or system role held directly or through a group. One statement."""
    groups = select(GroupMember.group_id).where(GroupMember.user_id == user_id)
    held = select(RoleAssignment).where(or_(RoleAssignment.user_id == user_id, RoleAssignment.group_id.in_(groups)))
    held_sub = held.subquery()
    stmt = (
        select(Project, Domain.name)
        .join(Domain, Domain.id == Project.domain_id)
        .where(
            Project.enabled.is_(True),
            Domain.enabled.is_(True),
            or_(
                select(held_sub.c.id).where(held_sub.c.system.is_(True)).exists(),
                Project.domain_id.in_(select(held_sub.c.domain_id).where(held_sub.c.domain_id.is_not(None))),
                Project.id.in_(select(held_sub.c.project_id).where(held_sub.c.project_id.is_not(None))),
            ),
        )
        .order_by(Domain.name, Project.name)
        .limit(SIGN_IN_TARGETS_LIMIT)
    )
    return [(project, domain) for project, domain in (await session.execute(stmt)).all()]


def _grant(ra: RoleAssignment, role: str, permissions: frozenset[str]) -> Grant:
    if ra.system:
        return Grant(ScopeLevel.SYSTEM, None, role, permissions)
    if ra.domain_id is not None:
        return Grant(ScopeLevel.DOMAIN, ra.domain_id, role, permissions)
    return Grant(ScopeLevel.PROJECT, ra.project_id, role, permissions)


async def resolve_principal(session: AsyncSession, codec: TokenCodec, token: str) -> Principal:
    """Verify a bearer token against the database: revocation and disabling take effect at once."""
    claims = codec.decode(token)
    stmt = (
        select(User, Project, Domain, RevokedToken.jti)
        .select_from(User)
        .join(Project, Project.id == claims.project_id)
        .join(Domain, Domain.id == Project.domain_id)
        .outerjoin(RevokedToken, RevokedToken.jti == claims.token_id)
        .where(User.id == claims.user_id)
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise Unauthenticated("invalid token: its user or project no longer exists")
    user, project, domain, revoked = row
    if not (user.enabled and project.enabled and domain.enabled):
        raise Unauthenticated("invalid token: the user, project or domain is disabled")
    if claims.issued_at < user.tokens_valid_after:
        raise Unauthenticated("invalid token: revoked by a password change or by disabling the user")
    if revoked is not None:
        raise Unauthenticated("invalid token: revoked")
    grants = await load_grants(session, user.id, project)
    if not grants:
        raise Unauthenticated("invalid token: the user no longer has a role in this project")
    return Principal(
        user_id=user.id,
        user_name=user.name,
        user_domain_id=user.domain_id,
        project_id=project.id,
        project_name=project.name,
        project_domain_id=project.domain_id,
        token_id=claims.token_id,
        token_expires_at=claims.expires_at,
        grants=grants,
    )


async def revoke(session: AsyncSession, claims: TokenClaims) -> None:
    now = datetime.now(UTC)
    await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    if await session.get(RevokedToken, claims.token_id) is None:
        session.add(RevokedToken(jti=claims.token_id, expires_at=claims.expires_at))
