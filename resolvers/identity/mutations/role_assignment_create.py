"""roleAssignmentCreate: give a role (by name) to a user or group on a project, a domain or the system."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.identity.assignments import AssignmentSpec, create_assignment
from domain.identity.models import RoleAssignment
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_mutation


async def role_assignment_create(
    ctx: Context,
    *,
    role: str,
    user_id: str | None,
    group_id: str | None,
    project_id: str | None,
    domain_id: str | None,
    system: bool | None,
) -> Result[RoleAssignment]:
    async def action(session: AsyncSession, principal: Principal):
        spec = AssignmentSpec(
            role=role,
            user_id=decode_optional(user_id, "User", "userId"),
            group_id=decode_optional(group_id, "Group", "groupId"),
            project_id=decode_optional(project_id, "Project", "projectId"),
            domain_id=decode_optional(domain_id, "Domain", "domainId"),
            system=bool(system),
        )
        return await create_assignment(session, principal, spec)

    return await run_mutation(ctx, "roleAssignmentCreate", Target("RoleAssignment"), action)
