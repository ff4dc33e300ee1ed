"""Role assignments: who holds which role where, and who may hand roles out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, InvalidInput, NotFound
from domain.identity.access import Principal
from domain.identity.errors import IdentityErrorCode as Code
from domain.identity.models import Domain, Group, Project, Role, RoleAssignment, User
from domain.scoping import get_for_change, get_visible

PERMISSION = "identity.role_assignment.create"


@dataclass(frozen=True)
class AssignmentSpec:
    role: str
    user_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    domain_id: uuid.UUID | None = None
    system: bool = False


def _check_shape(spec: AssignmentSpec) -> None:
    if (spec.user_id is None) == (spec.group_id is None):
        raise InvalidInput("userId", "Give exactly one of userId and groupId", Code.REQUIRED)
    targets = [spec.project_id is not None, spec.domain_id is not None, spec.system]
    if sum(targets) != 1:
        raise InvalidInput(
            "projectId",
            "Give exactly one of projectId, domainId and system",
            Code.REQUIRED,
        )


async def _target_domain(session: AsyncSession, principal: Principal, spec: AssignmentSpec) -> uuid.UUID | None:
    """Check the caller may assign on the target, returning the target's domain (None = system)."""
    if spec.system:
        principal.require(PERMISSION, system=True)
        return None
    if spec.project_id is not None:
        project = await get_visible(session, Project, principal, spec.project_id, field="projectId")
        principal.require(PERMISSION, domain_id=project.domain_id, project_id=project.id)
        return project.domain_id
    assert spec.domain_id is not None
    domain = await get_visible(session, Domain, principal, spec.domain_id, field="domainId")
    principal.require(PERMISSION, domain_id=domain.id)
    return domain.id


async def _actor_domain(session: AsyncSession, spec: AssignmentSpec) -> uuid.UUID:
    # Looked up directly: a project admin may grant a role to a user of the project's domain
    # who holds no role in the project yet, so the user is not "visible" to them.
    if spec.user_id is not None:
        user = await session.get(User, spec.user_id)
        if user is None:
            raise NotFound("User", "userId")
        return user.domain_id
    group = await session.get(Group, spec.group_id)
    if group is None:
        raise NotFound("Group", "groupId")
    return group.domain_id


def _key(role_id: uuid.UUID, spec: AssignmentSpec) -> str:
    actor = f"u:{spec.user_id}" if spec.user_id else f"g:{spec.group_id}"
    target = f"p:{spec.project_id}" if spec.project_id else f"d:{spec.domain_id}" if spec.domain_id else "s"
    return f"{role_id}:{actor}:{target}"


async def create_assignment(session: AsyncSession, principal: Principal, spec: AssignmentSpec) -> RoleAssignment:
    _check_shape(spec)
    role = (await session.execute(select(Role).where(Role.name == spec.role))).scalar_one_or_none()
    if role is None:
        raise NotFound(f"Role {spec.role!r}", "role")
    scope_domain = await _target_domain(session, principal, spec)
    actor_domain = await _actor_domain(session, spec)
    if scope_domain is not None and actor_domain != scope_domain and not principal.allows(PERMISSION, system=True):
        field = "userId" if spec.user_id else "groupId"
        raise NotFound("User" if spec.user_id else "Group", field)
    key = _key(role.id, spec)
    if await session.scalar(select(exists().where(RoleAssignment.key == key))):
        raise DomainError(Code.DUPLICATE, "This role assignment already exists", "role")
    assignment = RoleAssignment(
        role_id=role.id,
        user_id=spec.user_id,
        group_id=spec.group_id,
        project_id=spec.project_id,
        domain_id=spec.domain_id,
        system=spec.system,
        scope_domain_id=scope_domain,
        key=key,
    )
    session.add(assignment)
    await session.flush()
    return assignment


async def delete_assignment(session: AsyncSession, principal: Principal, assignment_id: uuid.UUID) -> uuid.UUID:
    assignment = await get_for_change(session, RoleAssignment, principal, assignment_id, "delete")
    if assignment.system:
        principal.require("identity.role_assignment.delete", system=True)
    if assignment.user_id == principal.user_id and assignment.system:
        raise DomainError(Code.NOT_ALLOWED, "You cannot remove your own system role", "id")
    await session.delete(assignment)
    return assignment_id
