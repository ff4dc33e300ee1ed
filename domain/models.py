"""Imports every context's models so `Base.metadata` is complete (for alembic and tests)."""

from domain.audit.models import AuditEvent
from domain.db import Base
from domain.identity.models import (
    Domain,
    Group,
    GroupMember,
    Project,
    RevokedToken,
    Role,
    RoleAssignment,
    RolePermission,
    User,
)

__all__ = [
    "AuditEvent",
    "Base",
    "Domain",
    "Group",
    "GroupMember",
    "Project",
    "RevokedToken",
    "Role",
    "RoleAssignment",
    "RolePermission",
    "User",
]
