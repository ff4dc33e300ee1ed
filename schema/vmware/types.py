"""VMware account type: status and last sync shown, the password never."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from domain.vmware import models
from resolvers.ids import to_global_id
from schema.base import Node


@strawberry.enum(description="Where an account's sync stands.")
class VmwareAccountStatus(Enum):
    NEW = "NEW"
    SYNCING = "SYNCING"
    CONNECTED = "CONNECTED"
    ERROR = "ERROR"


@strawberry.type(description="How many objects of each kind the last sync holds.")
class VmwareInventory:
    datacenters: int = strawberry.field(description="Datacenters (regions).")
    clusters: int = strawberry.field(description="Clusters (zones).")
    hosts: int = strawberry.field(description="ESXi hosts (hosts with hypervisor VMWARE).")
    datastores: int = strawberry.field(description="Datastores.")
    networks: int = strawberry.field(description="Networks and port groups.")
    vms: int = strawberry.field(description="Virtual machines (servers).")


@strawberry.type(description="A vCenter or ESXi endpoint whose inventory Nimbus syncs. The password is never returned.")
class VmwareAccount(Node):
    name: str = strawberry.field(description="Unique name; prefixes the regions and hosts synced from it.")
    endpoint: str = strawberry.field(description="https://host[:port] (http:// for a lab).")
    username: str = strawberry.field(description="The user Nimbus signs in as.")
    datacenters: list[str] = strawberry.field(description="Datacenters synced; empty: all.")
    status: VmwareAccountStatus = strawberry.field(description="NEW, SYNCING, CONNECTED or ERROR.")
    last_sync_at: datetime | None = strawberry.field(description="When a change from vCenter was last applied.")
    last_error: str | None = strawberry.field(description="Why the last sync failed, as vSphere said it.")
    inventory: VmwareInventory = strawberry.field(description="Counts of what the sync holds.")
    project_id: strawberry.ID = strawberry.field(description="The project the synced VMs belong to.")
    created_at: datetime = strawberry.field(description="Creation time.")

    @classmethod
    def from_model(cls, m: models.VmwareAccount) -> VmwareAccount:
        counts = m.inventory or {}
        return cls(
            id=strawberry.ID(to_global_id("VmwareAccount", m.id)),
            name=m.name,
            endpoint=m.endpoint,
            username=m.username,
            datacenters=list(m.datacenters or []),
            status=VmwareAccountStatus(m.status.value),
            last_sync_at=m.last_sync_at,
            last_error=m.last_error,
            inventory=VmwareInventory(
                datacenters=counts.get("datacenter", 0),
                clusters=counts.get("cluster", 0),
                hosts=counts.get("host", 0),
                datastores=counts.get("datastore", 0),
                networks=counts.get("network", 0),
                vms=counts.get("vm", 0),
            ),
            project_id=strawberry.ID(to_global_id("Project", m.project_id)),
            created_at=m.created_at,
        )
