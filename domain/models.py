"""Imports every context's models so `Base.metadata` is complete (for alembic and tests)."""

from domain.audit.models import AuditEvent
from domain.baremetal.models import BaremetalHost
from domain.cloud.models import CloudAccount, CloudResource, CloudSku
from domain.compute.models import (
    Disk,
    Host,
    IpAllocation,
    Network,
    Nic,
    Region,
    SchedulerSettings,
    Server,
    ServerGroup,
    ServerScreenshot,
    ServerSnapshot,
    Zone,
)
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
from domain.identity.providers.models import IdentityProvider, ProviderLink
from domain.image.models import Image, ImageMember
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
from domain.quota.models import Quota
from domain.task.models import Task
from domain.vmware.models import VmwareAccount, VmwareObject

__all__ = [
    "AuditEvent",
    "BaremetalHost",
    "Base",
    "CloudAccount",
    "CloudResource",
    "CloudSku",
    "Disk",
    "Domain",
    "Group",
    "GroupMember",
    "Host",
    "IdentityProvider",
    "Image",
    "ImageMember",
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
    "ProviderLink",
    "Quota",
    "Region",
    "RevokedToken",
    "Role",
    "RoleAssignment",
    "RolePermission",
    "SchedulerSettings",
    "Server",
    "ServerGroup",
    "ServerScreenshot",
    "ServerSnapshot",
    "Task",
    "User",
    "VmwareAccount",
    "VmwareObject",
    "Zone",
]
