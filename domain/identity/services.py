"""The rules of identity: creating, changing and deleting domains, projects, users, groups and roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from domain.identity.access import Principal
from domain.identity.errors import IdentityErrorCode as Code
from domain.identity.models import (
    Domain,
    Group,
    GroupMember,
    Project,
    Role,
    RoleAssignment,
    RolePermission,
    User,
)
from domain.identity.passwords import check_policy, hash_password, verify_password
from domain.identity.permissions import is_valid_pattern
from domain.scoping import get_for_change, get_visible
from domain.validation import check_email, check_name, check_text


@dataclass(frozen=True)
class PasswordRules:
    min_length: int = 10
    hash_profile: str = "default"


async def _flush_unique(session: AsyncSession, what: str, field: str = "name") -> None:
    """Flush, turning a unique-constraint race into a DUPLICATE payload error."""
    try:
        await session.flush()
    except IntegrityError:
        raise DomainError(Code.DUPLICATE, f"{what} already exists", field) from None


async def _ensure_absent(session: AsyncSession, stmt_exists: object, what: str, field: str = "name") -> None:
    if await session.scalar(select(stmt_exists)):  # type: ignore[call-overload]
        raise DomainError(Code.DUPLICATE, f"{what} already exists", field)


# Domains -------------------------------------------------------------------------------------


async def create_domain(session: AsyncSession, principal: Principal, *, name: str, description: str) -> Domain:
    principal.require("identity.domain.create", system=True)
    name = check_name(name)
    await _ensure_absent(session, exists().where(Domain.name == name), f"A domain named {name!r}")
    domain = Domain(name=name, description=check_text(description))
    session.add(domain)
    await _flush_unique(session, f"A domain named {name!r}")
    return domain


async def update_domain(
    session: AsyncSession,
    principal: Principal,
    domain_id: uuid.UUID,
    *,
    description: str | None,
    enabled: bool | None,
) -> Domain:
    domain = await get_for_change(session, Domain, principal, domain_id, "update")
    if description is not None:
        domain.description = check_text(description)
    if enabled is not None:
        if not enabled and domain.id == principal.project_domain_id:
            raise InvalidInput(
                "enabled",
                "You cannot disable the domain your own token is scoped to",
                Code.NOT_ALLOWED,
            )
        domain.enabled = enabled
    return domain


async def delete_domain(session: AsyncSession, principal: Principal, domain_id: uuid.UUID) -> uuid.UUID:
    domain = await get_for_change(session, Domain, principal, domain_id, "delete")
    for model in (Project, User, Group):
        if await session.scalar(select(exists().where(model.domain_id == domain.id))):
            raise DomainError(Code.IN_USE, "The domain still has projects, users or groups", "id")
    await session.delete(domain)
    return domain_id


# Projects ------------------------------------------------------------------------------------


async def create_project(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str,
    domain_id: uuid.UUID | None,
    description: str,
) -> Project:
    domain_id = domain_id or principal.project_domain_id
    domain = await get_visible(session, Domain, principal, domain_id, field="domainId")
    principal.require("identity.project.create", domain_id=domain.id)
    name = check_name(name)
    await _ensure_absent(
        session,
        exists().where(Project.domain_id == domain.id, Project.name == name),
        f"A project named {name!r} in this domain",
    )
    project = Project(name=name, domain_id=domain.id, description=check_text(description))
    session.add(project)
    await _flush_unique(session, f"A project named {name!r} in this domain")
    return project


async def update_project(
    session: AsyncSession,
    principal: Principal,
    project_id: uuid.UUID,
    *,
    name: str | None,
    description: str | None,
    enabled: bool | None,
) -> Project:
    project = await get_for_change(session, Project, principal, project_id, "update")
    if name is not None and name != project.name:
        new_name = check_name(name)
        # Checked before assigning: the SELECT would otherwise autoflush the clashing name.
        await _ensure_absent(
            session,
            exists().where(Project.domain_id == project.domain_id, Project.name == new_name, Project.id != project.id),
            f"A project named {new_name!r} in this domain",
        )
        project.name = new_name
    if description is not None:
        project.description = check_text(description)
    if enabled is not None:
        if not enabled and project.id == principal.project_id:
            raise InvalidInput(
                "enabled",
                "You cannot disable the project your own token is scoped to",
                Code.NOT_ALLOWED,
            )
        project.enabled = enabled
    await _flush_unique(session, "A project with this name")
    return project


async def delete_project(session: AsyncSession, principal: Principal, project_id: uuid.UUID) -> uuid.UUID:
    project = await get_for_change(session, Project, principal, project_id, "delete")
    if project.id == principal.project_id:
        raise DomainError(
            Code.NOT_ALLOWED,
            "You cannot delete the project your own token is scoped to",
            "id",
        )
    await session.execute(delete(RoleAssignment).where(RoleAssignment.project_id == project.id))
    await session.delete(project)
    return project_id


# Users ---------------------------------------------------------------------------------------


async def _ensure_within_reach(session: AsyncSession, principal: Principal, user: User, permission: str) -> None:
    """Refuse to change a user who holds roles the caller could not grant: changing their
    password (or disabling or deleting them) would hand the caller those roles."""
    groups = select(GroupMember.group_id).where(GroupMember.user_id == user.id)
    stmt = select(RoleAssignment).where((RoleAssignment.user_id == user.id) | RoleAssignment.group_id.in_(groups))
    for ra in (await session.execute(stmt)).scalars():
        if ra.system:
            allowed = principal.allows(permission, system=True)
        else:
            allowed = principal.allows(permission, domain_id=ra.scope_domain_id, project_id=ra.project_id)
        if not allowed:
            raise PermissionDenied(permission)


async def create_user(
    session: AsyncSession,
    principal: Principal,
    rules: PasswordRules,
    *,
    name: str,
    password: str,
    domain_id: uuid.UUID | None,
    email: str | None,
) -> User:
    domain_id = domain_id or principal.project_domain_id
    domain = await get_visible(session, Domain, principal, domain_id, field="domainId")
    principal.require("identity.user.create", domain_id=domain.id)
    name = check_name(name)
    check_policy(password, rules.min_length, username=name)
    await _ensure_absent(
        session,
        exists().where(User.domain_id == domain.id, User.name == name),
        f"A user named {name!r} in this domain",
    )
    user = User(
        name=name,
        domain_id=domain.id,
        email=check_email(email),
        password_hash=hash_password(password, rules.hash_profile),
    )
    session.add(user)
    await _flush_unique(session, f"A user named {name!r} in this domain")
    return user


async def update_user(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    *,
    email: str | None,
    enabled: bool | None,
) -> User:
    user = await get_for_change(session, User, principal, user_id, "update")
    await _ensure_within_reach(session, principal, user, "identity.user.update")
    if email is not None:
        user.email = check_email(email)
    if enabled is not None:
        if not enabled and user.id == principal.user_id:
            raise InvalidInput("enabled", "You cannot disable yourself", Code.NOT_ALLOWED)
        if user.enabled and not enabled:
            user.tokens_valid_after = datetime.now(UTC)
        user.enabled = enabled
    return user


async def change_password(
    session: AsyncSession,
    principal: Principal,
    rules: PasswordRules,
    *,
    user_id: uuid.UUID | None,
    current_password: str | None,
    new_password: str,
) -> User:
    """Users change their own password with the current one; admins reset others'. Old tokens die."""
    if user_id is None or user_id == principal.user_id:
        user = await session.get(User, principal.user_id)
        if user is None:
            raise NotFound("User")
        if not verify_password(user.password_hash, current_password or "", rules.hash_profile):
            raise InvalidInput(
                "currentPassword",
                "The current password is wrong",
                Code.INVALID_CREDENTIALS,
            )
    else:
        user = await get_for_change(session, User, principal, user_id, "update")
        await _ensure_within_reach(session, principal, user, "identity.user.update")
    check_policy(new_password, rules.min_length, field="newPassword", username=user.name)
    user.password_hash = hash_password(new_password, rules.hash_profile)
    user.tokens_valid_after = datetime.now(UTC)
    return user


async def delete_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> uuid.UUID:
    user = await get_for_change(session, User, principal, user_id, "delete")
    await _ensure_within_reach(session, principal, user, "identity.user.delete")
    if user.id == principal.user_id:
        raise DomainError(Code.NOT_ALLOWED, "You cannot delete yourself", "id")
    await session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == user.id))
    await session.execute(delete(GroupMember).where(GroupMember.user_id == user.id))
    await session.delete(user)
    return user_id


# Groups --------------------------------------------------------------------------------------


async def create_group(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str,
    domain_id: uuid.UUID | None,
    description: str,
) -> Group:
    domain_id = domain_id or principal.project_domain_id
    domain = await get_visible(session, Domain, principal, domain_id, field="domainId")
    principal.require("identity.group.create", domain_id=domain.id)
    name = check_name(name)
    await _ensure_absent(
        session,
        exists().where(Group.domain_id == domain.id, Group.name == name),
        f"A group named {name!r} in this domain",
    )
    group = Group(name=name, domain_id=domain.id, description=check_text(description))
    session.add(group)
    await _flush_unique(session, f"A group named {name!r} in this domain")
    return group


async def delete_group(session: AsyncSession, principal: Principal, group_id: uuid.UUID) -> uuid.UUID:
    group = await get_for_change(session, Group, principal, group_id, "delete")
    await session.execute(delete(RoleAssignment).where(RoleAssignment.group_id == group.id))
    await session.execute(delete(GroupMember).where(GroupMember.group_id == group.id))
    await session.delete(group)
    return group_id


async def set_group_membership(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    member: bool,
) -> Group:
    group = await get_for_change(session, Group, principal, group_id, "update", field="groupId")
    user = await get_visible(session, User, principal, user_id, field="userId")
    if user.domain_id != group.domain_id:
        raise InvalidInput("userId", "Users join groups of their own domain only", Code.NOT_ALLOWED)
    current = await session.get(GroupMember, (group.id, user.id))
    if member and current is None:
        session.add(GroupMember(group_id=group.id, user_id=user.id))
    elif not member and current is not None:
        await session.delete(current)
    return group


# Roles ---------------------------------------------------------------------------------------


def _check_permissions(permissions: list[str]) -> list[str]:
    if not permissions:
        raise InvalidInput("permissions", "A role needs at least one permission", Code.REQUIRED)
    cleaned = sorted({p.strip() for p in permissions})
    for p in cleaned:
        if not is_valid_pattern(p):
            raise InvalidInput(
                "permissions",
                f"Unknown permission or pattern {p!r}",
                Code.UNKNOWN_PERMISSION,
            )
    return cleaned


async def create_role(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str,
    description: str,
    permissions: list[str],
) -> Role:
    principal.require("identity.role.create", system=True)
    name = check_name(name)
    perms = _check_permissions(permissions)
    await _ensure_absent(session, exists().where(Role.name == name), f"A role named {name!r}")
    role = Role(name=name, description=check_text(description))
    session.add(role)
    await _flush_unique(session, f"A role named {name!r}")
    session.add_all(RolePermission(role_id=role.id, permission=p) for p in perms)
    return role


async def update_role(
    session: AsyncSession,
    principal: Principal,
    role_id: uuid.UUID,
    *,
    description: str | None,
    permissions: list[str] | None,
) -> Role:
    principal.require("identity.role.update", system=True)
    role = await get_visible(session, Role, principal, role_id)
    if role.built_in and permissions is not None:
        raise InvalidInput(
            "permissions",
            "Built-in roles keep their policy; create a new role",
            Code.NOT_ALLOWED,
        )
    if description is not None:
        role.description = check_text(description)
    if permissions is not None:
        perms = _check_permissions(permissions)
        await session.execute(delete(RolePermission).where(RolePermission.role_id == role.id))
        session.add_all(RolePermission(role_id=role.id, permission=p) for p in perms)
    return role


async def delete_role(session: AsyncSession, principal: Principal, role_id: uuid.UUID) -> uuid.UUID:
    principal.require("identity.role.delete", system=True)
    role = await get_visible(session, Role, principal, role_id)
    if role.built_in:
        raise DomainError(Code.NOT_ALLOWED, "Built-in roles cannot be deleted", "id")
    if await session.scalar(select(func.count()).where(RoleAssignment.role_id == role.id)):
        raise DomainError(Code.IN_USE, "The role is still assigned", "id")
    await session.delete(role)
    return role_id


async def role_permissions(session: AsyncSession, role_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    rows = (await session.execute(select(RolePermission).where(RolePermission.role_id.in_(role_ids)))).scalars()
    out: dict[uuid.UUID, list[str]] = {rid: [] for rid in role_ids}
    for rp in rows:
        out[rp.role_id].append(rp.permission)
    return {rid: sorted(perms) for rid, perms in out.items()}
