"""`node(id)`: fetch any object by its global ID, as far as the caller may see it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry

from resolvers.audit.node import audit_event
from resolvers.baremetal import queries as baremetal_queries
from resolvers.cloud import loaders as cloud_loaders
from resolvers.compute import loaders as compute_loaders
from resolvers.compute import snapshot_queries
from resolvers.identity import loaders
from resolvers.identity import providers as provider_queries
from resolvers.ids import parse_global_id
from resolvers.image import loaders as image_loaders
from resolvers.loadbalancer import loaders as lb_loaders
from resolvers.task import queries as task_queries
from resolvers.vmware import queries as vmware_queries
from schema.audit.types import AuditEvent
from schema.baremetal.types import BaremetalHost
from schema.base import Node
from schema.cloud.types import CloudAccount, CloudResource, Sku
from schema.compute.scheduler import ServerGroup
from schema.compute.snapshots import ServerSnapshot
from schema.compute.types import Disk, Host, Network, Region, Server, Zone
from schema.identity.providers import IdentityProvider
from schema.identity.types import Domain, Group, NimbusInfo, Project, Role, RoleAssignment, User
from schema.image.types import Image
from schema.loadbalancer.types import (
    Loadbalancer,
    LoadbalancerAcl,
    LoadbalancerBackend,
    LoadbalancerBackendGroup,
    LoadbalancerCertificate,
    LoadbalancerCluster,
    LoadbalancerListener,
    LoadbalancerListenerRule,
)
from schema.task.types import Task
from schema.vmware.types import VmwareAccount

Fetch = Callable[[Any, Any], Awaitable[Any]]


def _loading(name: str, factory: Callable[[Any], Any]) -> Fetch:
    async def fetch(ctx: Any, obj_id: Any) -> Any:
        return await ctx.loader(name, factory).load(obj_id)

    return fetch


NODE_TYPES: dict[str, tuple[Fetch, Callable[[Any], Node]]] = {
    "Domain": (loaders.domain, Domain.from_model),
    "Project": (loaders.project, Project.from_model),
    "User": (loaders.user, User.from_model),
    "Group": (loaders.group, Group.from_model),
    "Role": (loaders.role, Role.from_model),
    "RoleAssignment": (loaders.role_assignment, RoleAssignment.from_model),
    "IdentityProvider": (provider_queries.provider, IdentityProvider.from_model),
    "AuditEvent": (audit_event, AuditEvent.from_model),
    "Region": (compute_loaders.region, Region.from_model),
    "Zone": (compute_loaders.zone, Zone.from_model),
    "Host": (compute_loaders.host, Host.from_model),
    "Network": (compute_loaders.network, Network.from_model),
    "Server": (compute_loaders.server, Server.from_model),
    "Disk": (compute_loaders.disk, Disk.from_model),
    "Task": (task_queries.task, Task.from_model),
    "ServerGroup": (compute_loaders.server_group, ServerGroup.from_model),
    "Image": (image_loaders.image, Image.from_model),
    "ServerSnapshot": (snapshot_queries.snapshot, ServerSnapshot.from_model),
    "BaremetalHost": (baremetal_queries.host, BaremetalHost.from_model),
    **{
        name: (_loading(key, factory), convert)
        for name, key, factory, convert in (
            ("CloudAccount", "cloud_account_by_id", cloud_loaders.CloudAccountByIdLoader, CloudAccount.from_model),
            ("Sku", "sku_by_id", cloud_loaders.SkuByIdLoader, Sku.from_model),
            ("CloudResource", "cloud_resource_by_id", cloud_loaders.CloudResourceByIdLoader, CloudResource.from_model),
            ("Loadbalancer", "lb_by_id", lb_loaders.LoadbalancerByIdLoader, Loadbalancer.from_model),
            (
                "LoadbalancerListener",
                "lb_listener_by_id",
                lb_loaders.ListenerByIdLoader,
                LoadbalancerListener.from_model,
            ),
            (
                "LoadbalancerListenerRule",
                "lb_rule_by_id",
                lb_loaders.ListenerRuleByIdLoader,
                LoadbalancerListenerRule.from_model,
            ),
            (
                "LoadbalancerBackendGroup",
                "lb_group_by_id_raw",
                lb_loaders.BackendGroupByIdLoader,
                LoadbalancerBackendGroup.from_model,
            ),
            ("LoadbalancerBackend", "lb_backend_by_id", lb_loaders.BackendByIdLoader, LoadbalancerBackend.from_model),
            (
                "LoadbalancerCertificate",
                "lb_cert_by_id_raw",
                lb_loaders.CertificateByIdLoader,
                LoadbalancerCertificate.from_model,
            ),
            ("LoadbalancerAcl", "lb_acl_by_id_raw", lb_loaders.AclByIdLoader, LoadbalancerAcl.from_model),
            (
                "LoadbalancerCluster",
                "lb_cluster_by_id_raw",
                lb_loaders.ClusterByIdLoader,
                LoadbalancerCluster.from_model,
            ),
            ("VmwareAccount", "vmware_account_by_id", vmware_queries.AccountByIdLoader, VmwareAccount.from_model),
        )
    },
}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global ID; null when it does not exist or is out of reach.")
    async def node(
        self, info: NimbusInfo, id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]
    ) -> Node | None:
        info.context.require_principal()
        try:
            type_name, obj_id = parse_global_id(id)
        except ValueError:
            return None
        entry = NODE_TYPES.get(type_name)
        if entry is None:
            return None
        fetch, convert = entry
        obj = await fetch(info.context, obj_id)
        return None if obj is None else convert(obj)
