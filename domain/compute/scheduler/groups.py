"""Server groups: created and deleted by their project's members, read by the scheduler."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.models import Server, ServerGroup, ServerGroupPolicy, ServerStatus
from domain.errors import DomainError
from domain.identity.access import Principal
from domain.identity.models import Project
from domain.scoping import get_for_change, get_visible
from domain.validation import check_name

_GONE = (ServerStatus.DELETED,)


async def create_group(
    session: AsyncSession, principal: Principal, *, name: str, policy: str, project_id: uuid.UUID | None
) -> ServerGroup:
    project = await get_visible(session, Project, principal, project_id or principal.project_id, field="projectId")
    principal.require("compute.server_group.create", domain_id=project.domain_id, project_id=project.id)
    name = check_name(name)
    try:
        chosen = ServerGroupPolicy(policy)
    except ValueError:
        known = ", ".join(p.value for p in ServerGroupPolicy)
        raise DomainError(Code.INVALID, f"The policy is one of {known}", "policy") from None
    taken = exists().where(ServerGroup.project_id == project.id, ServerGroup.name == name)
    if await session.scalar(select(taken)):
        raise DomainError(Code.DUPLICATE, f"A server group named {name!r} already exists in this project", "name")
    group = ServerGroup(name=name, policy=chosen, project_id=project.id, domain_id=project.domain_id)
    session.add(group)
    await session.flush()
    return group


async def delete_group(session: AsyncSession, principal: Principal, group_id: uuid.UUID) -> uuid.UUID:
    group = await get_for_change(session, ServerGroup, principal, group_id, "delete")
    live = exists().where(Server.server_group_id == group.id, Server.status.not_in(_GONE))
    if await session.scalar(select(live)):
        raise DomainError(Code.IN_USE, "The group still has servers; delete them first", "id")
    await session.delete(group)
    return group_id


async def usable_group(
    session: AsyncSession, principal: Principal, group_id: uuid.UUID, project_id: uuid.UUID
) -> ServerGroup:
    """A group a new server of `project_id` may join: visible to the caller and of that project."""
    group = await get_visible(session, ServerGroup, principal, group_id, field="serverGroupId")
    if group.project_id != project_id:
        raise DomainError(Code.NOT_ALLOWED, "The server group belongs to another project", "serverGroupId")
    return group


async def lock_members(session: AsyncSession, group_id: uuid.UUID, *, lock: bool) -> tuple[str, dict[uuid.UUID, int]]:
    """The group's policy and how many members each host runs; `lock` serialises the group's placements."""
    stmt = select(ServerGroup.policy).where(ServerGroup.id == group_id)
    policy = (await session.execute(stmt.with_for_update() if lock else stmt)).scalar_one_or_none()
    if policy is None:
        raise DomainError(Code.NOT_FOUND, "The server group no longer exists", "serverGroupId")
    members = (
        select(Server.host_id, func.count())
        .where(Server.server_group_id == group_id, Server.host_id.is_not(None), Server.status.not_in(_GONE))
        .group_by(Server.host_id)
    )
    hosts = {host_id: count for host_id, count in (await session.execute(members)).all() if host_id is not None}
    return policy.value, hosts
