"""Imports every context's models so `Base.metadata` is complete (for alembic and tests)."""

from domain.audit.models import AuditEvent
from domain.compute.models import Disk, Host, IpAllocation, Network, Nic, Region, Server, Zone
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
from domain.loadbalancer.models import (
    LbAcl,
    LbAgent,
    LbBackend,
    LbBackendGroup,
    LbCertificate,
    LbCluster,
    LbListener,
    LbListenerRule,
    Loadbalancer,
)
from domain.task.models import Task

__all__ = [
    "AuditEvent",
    "Base",
    "Disk",
    "Domain",
    "Group",
    "GroupMember",
    "Host",
    "IpAllocation",
    "LbAcl",
    "LbAgent",
    "LbBackend",
    "LbBackendGroup",
    "LbCertificate",
    "LbCluster",
    "LbListener",
    "LbListenerRule",
    "Loadbalancer",
    "Network",
    "Nic",
    "Project",
    "Region",
    "RevokedToken",
    "Role",
    "RoleAssignment",
    "RolePermission",
    "Server",
    "Task",
    "User",
    "Zone",
]
