"""ACLs: named CIDR lists a listener allows or denies."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.identity.access import Principal
from domain.identity.models import Project
from domain.loadbalancer import checks
from domain.loadbalancer.errors import LoadbalancerErrorCode as Code
from domain.loadbalancer.models import LbAcl, LbListener
from domain.scoping import get_for_change, get_visible
from domain.validation import check_name, check_text


async def create_acl(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str,
    project_id: uuid.UUID | None,
    cidrs: list[str],
    description: str = "",
) -> LbAcl:
    name = check_name(name)
    entries = checks.cidrs(cidrs)
    project = await get_visible(session, Project, principal, project_id or principal.project_id, field="projectId")
    principal.require("loadbalancer.acl.create", domain_id=project.domain_id, project_id=project.id)
    taken = await session.scalar(select(LbAcl.id).where(LbAcl.project_id == project.id, LbAcl.name == name))
    if taken is not None:
        raise DomainError(Code.DUPLICATE, f"An ACL named {name} exists in this project", "name")
    acl = LbAcl(
        id=uuid.uuid4(),
        name=name,
        project_id=project.id,
        domain_id=project.domain_id,
        cidrs=entries,
        description=check_text(description),
    )
    session.add(acl)
    await session.flush()
    return acl


async def delete_acl(session: AsyncSession, principal: Principal, acl_id: uuid.UUID) -> uuid.UUID:
    acl = await get_for_change(session, LbAcl, principal, acl_id, "delete")
    used = await session.scalar(select(LbListener.id).where(LbListener.acl_id == acl.id).limit(1))
    if used is not None:
        raise DomainError(Code.IN_USE, "A listener still uses this ACL; detach it first", "id")
    await session.delete(acl)
    return acl.id
