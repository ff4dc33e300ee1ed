"""First start: the `default` domain, the built-in roles, and a system administrator (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.identity.models import (
    Domain,
    Project,
    Role,
    RoleAssignment,
    RolePermission,
    User,
)
from domain.identity.passwords import check_policy, hash_password
from domain.identity.permissions import BUILT_IN_ROLES

DEFAULT_DOMAIN = "default"
ADMIN_PROJECT = "admin"
ADMIN_USER = "admin"


@dataclass(frozen=True)
class BootstrapResult:
    created_admin: bool
    password_changed: bool


async def ensure_built_in_roles(session: AsyncSession) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    for name, (description, permissions) in BUILT_IN_ROLES.items():
        role = (await session.execute(select(Role).where(Role.name == name))).scalar_one_or_none()
        if role is None:
            role = Role(name=name, description=description, built_in=True)
            session.add(role)
            await session.flush()
        # Built-in policies follow the code: an upgrade that adds a context adds its permissions.
        await session.execute(delete(RolePermission).where(RolePermission.role_id == role.id))
        session.add_all(RolePermission(role_id=role.id, permission=p) for p in permissions)
        roles[name] = role
    return roles


async def _get_or_create(session: AsyncSession, model: type, defaults: dict[str, object], **where: object) -> object:
    row = (await session.execute(select(model).filter_by(**where))).scalar_one_or_none()
    if row is None:
        row = model(**where, **defaults)
        session.add(row)
        await session.flush()
    return row


async def bootstrap(
    session: AsyncSession,
    *,
    password: str,
    reset_password: bool,
    min_length: int = 10,
    hash_profile: str = "default",
) -> BootstrapResult:
    """Make sure the platform can be signed into as `admin`/`admin` in domain `default`."""
    roles = await ensure_built_in_roles(session)
    domain = await _get_or_create(session, Domain, {"description": "The default domain"}, name=DEFAULT_DOMAIN)
    assert isinstance(domain, Domain)
    project = await _get_or_create(
        session,
        Project,
        {"description": "Cloud administrators"},
        name=ADMIN_PROJECT,
        domain_id=domain.id,
    )
    assert isinstance(project, Project)
    user = (
        await session.execute(select(User).where(User.name == ADMIN_USER, User.domain_id == domain.id))
    ).scalar_one_or_none()
    created = user is None
    changed = False
    if user is None:
        check_policy(password, min_length)
        user = User(
            name=ADMIN_USER,
            domain_id=domain.id,
            password_hash=hash_password(password, hash_profile),
        )
        session.add(user)
        await session.flush()
    elif reset_password:
        check_policy(password, min_length)
        user.password_hash = hash_password(password, hash_profile)
        user.enabled = True
        changed = True
    admin = roles["admin"]
    for key, fields in (
        (f"{admin.id}:u:{user.id}:s", {"system": True, "scope_domain_id": None}),
        (
            f"{admin.id}:u:{user.id}:p:{project.id}",
            {"project_id": project.id, "scope_domain_id": domain.id},
        ),
    ):
        if (
            await session.execute(select(RoleAssignment).where(RoleAssignment.key == key))
        ).scalar_one_or_none() is None:
            session.add(RoleAssignment(role_id=admin.id, user_id=user.id, key=key, **fields))
    await session.flush()
    return BootstrapResult(created_admin=created, password_changed=changed)
