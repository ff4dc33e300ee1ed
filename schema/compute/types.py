"""GraphQL object types of the compute context."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from domain.cloud import providers as cloud_providers
from domain.compute import models
from domain.compute.consoles import ConsoleProtocol as _ConsoleProtocol
from domain.compute.errors import ComputeErrorCode as _Code
from resolvers.compute import loaders
from resolvers.identity.loaders import ProjectByIdLoader
from resolvers.ids import to_global_id
from resolvers.loaders import load_converted, prefetch
from resolvers.task import queries as task_queries
from schema.base import Node
from schema.identity.types import NimbusInfo, Project
from schema.task.types import Task

ComputeErrorCode = strawberry.enum(_Code, description="Why a compute mutation was refused.")


@strawberry.type(description="A payload error of a compute mutation.")
class ComputeError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What went wrong, for people.")
    code: ComputeErrorCode = strawberry.field(description="What went wrong, for programs.")


ConsoleProtocol = strawberry.enum(_ConsoleProtocol, description="How a console reaches a server.")


@strawberry.enum(description="Whether a host takes new servers.")
class HostStatus(Enum):
    ONLINE = "ONLINE"
    OFFLINE = "OFFLINE"
    MAINTENANCE = "MAINTENANCE"


@strawberry.enum(description="Where a server is in its life.")
class ServerStatus(Enum):
    PENDING = "PENDING"
    SCHEDULING = "SCHEDULING"
    CREATING = "CREATING"
    RUNNING = "RUNNING"
    STARTING = "STARTING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    REBOOTING = "REBOOTING"
    RESIZING = "RESIZING"
    MIGRATING = "MIGRATING"
    DELETING = "DELETING"
    DELETED = "DELETED"
    ERROR = "ERROR"


@strawberry.type(description="A geographic or administrative region.")
class Region(Node):
    name: str = strawberry.field(description="Unique name.")
    description: str = strawberry.field(description="Free text.")
    created_at: datetime = strawberry.field(description="Creation time.")

    @classmethod
    def from_model(cls, m: models.Region) -> Region:
        return cls(
            id=strawberry.ID(to_global_id("Region", m.id)),
            name=m.name,
            description=m.description,
            created_at=m.created_at,
        )


@strawberry.type(description="An availability zone of a region.")
class Zone(Node):
    name: str = strawberry.field(description="Name, unique in its region.")
    description: str = strawberry.field(description="Free text.")
    created_at: datetime = strawberry.field(description="Creation time.")
    region_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The zone's region.")
    async def region(self, info: NimbusInfo) -> Region | None:
        found = await loaders.region(info.context, self.region_id)
        return None if found is None else Region.from_model(found)

    @classmethod
    def from_model(cls, m: models.Zone) -> Zone:
        return cls(
            id=strawberry.ID(to_global_id("Zone", m.id)),
            name=m.name,
            description=m.description,
            created_at=m.created_at,
            region_id=m.region_id,
        )


@strawberry.type(description="A KVM node: capacity, allocation and health, as its agent reports them.")
class Host(Node):
    name: str = strawberry.field(description="Unique name; the agent's queue is named after it.")
    status: HostStatus = strawberry.field(description="ONLINE while heartbeats arrive.")
    enabled: bool = strawberry.field(description="Disabled hosts take no new servers.")
    hypervisor: str = strawberry.field(description="kvm, qemu (TCG) or test.")
    arch: str = strawberry.field(description="CPU architecture.")
    libvirt_uri: str = strawberry.field(description="The agent's libvirt connection.")
    console_address: str = strawberry.field(description="Where its VNC displays listen for the console proxy.")
    cpus: int = strawberry.field(description="Physical CPUs.")
    memory_mb: int = strawberry.field(description="Physical memory.")
    storage_gb: int = strawberry.field(description="Local storage for disks.")
    cpu_ratio: float = strawberry.field(description="vCPU overcommit ratio.")
    memory_ratio: float = strawberry.field(description="Memory overcommit ratio.")
    storage_ratio: float = strawberry.field(description="Storage overcommit ratio.")
    vcpus_used: int = strawberry.field(description="vCPUs allocated to servers.")
    memory_used_mb: int = strawberry.field(description="Memory allocated to servers.")
    storage_used_gb: int = strawberry.field(description="Disk allocated to servers.")
    servers_count: int = strawberry.field(description="Servers placed here.")
    vcpus_total: int = strawberry.field(description="vCPUs that may be allocated (cpus x cpuRatio).")
    memory_total_mb: int = strawberry.field(description="Memory that may be allocated (memoryMb x memoryRatio).")
    storage_total_gb: int = strawberry.field(description="Disk that may be allocated (storageGb x storageRatio).")
    tags: list[str] = strawberry.field(description="Labels used by placement rules.")
    last_heartbeat: datetime | None = strawberry.field(description="When the agent last reported.")
    created_at: datetime = strawberry.field(description="When the host registered.")
    zone_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The host's zone.")
    async def zone(self, info: NimbusInfo) -> Zone | None:
        found = await loaders.zone(info.context, self.zone_id)
        return None if found is None else Zone.from_model(found)

    @classmethod
    def from_model(cls, m: models.Host) -> Host:
        return cls(
            id=strawberry.ID(to_global_id("Host", m.id)),
            name=m.name,
            status=HostStatus(m.status.value),
            enabled=m.enabled,
            hypervisor=m.hypervisor,
            arch=m.arch,
            libvirt_uri=m.libvirt_uri,
            console_address=m.console_address,
            cpus=m.cpus,
            memory_mb=m.memory_mb,
            storage_gb=m.storage_gb,
            cpu_ratio=m.cpu_ratio,
            memory_ratio=m.memory_ratio,
            storage_ratio=m.storage_ratio,
            vcpus_used=m.vcpus_used,
            memory_used_mb=m.memory_used_mb,
            storage_used_gb=m.storage_used_gb,
            servers_count=m.servers_count,
            vcpus_total=m.vcpus_total,
            memory_total_mb=m.memory_total_mb,
            storage_total_gb=m.storage_total_gb,
            tags=list(m.tags or []),
            last_heartbeat=m.last_heartbeat,
            created_at=m.created_at,
            zone_id=m.zone_id,
        )


@strawberry.type(description="An IPv4 network servers get addresses on.")
class Network(Node):
    name: str = strawberry.field(description="Unique name.")
    cidr: str = strawberry.field(description="Address range, e.g. 10.0.0.0/24.")
    gateway: str | None = strawberry.field(description="Gateway address (never handed out).")
    bridge: str | None = strawberry.field(description="Linux bridge on hosts; none = user-mode networking.")
    vlan_id: int | None = strawberry.field(description="VLAN tag.")
    shared: bool = strawberry.field(description="Usable by every project.")
    created_at: datetime = strawberry.field(description="Creation time.")
    project_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The owning project (null for shared networks).")
    def project(self, info: NimbusInfo) -> Project | None:
        return load_converted(
            info.context,
            "project_by_id",
            ProjectByIdLoader,
            Project.from_model,
            self.project_id,
        )

    @classmethod
    def from_model(cls, m: models.Network) -> Network:
        return cls(
            id=strawberry.ID(to_global_id("Network", m.id)),
            name=m.name,
            cidr=m.cidr,
            gateway=m.gateway,
            bridge=m.bridge,
            vlan_id=m.vlan_id,
            shared=m.project_id is None,
            created_at=m.created_at,
            project_id=m.project_id,
        )


@strawberry.type(description="A server's network interface.")
class Nic(Node):
    mac: str = strawberry.field(description="MAC address.")
    ip_address: str | None = strawberry.field(description="Address allocated from the network.")
    index: int = strawberry.field(description="Position on the server (0 = first).")
    network_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The network.")
    def network(self, info: NimbusInfo) -> Network | None:
        return load_converted(
            info.context,
            "network_by_id",
            loaders.NetworkByIdLoader,
            Network.from_model,
            self.network_id,
        )

    @classmethod
    def from_model(cls, m: models.Nic) -> Nic:
        return cls(
            id=strawberry.ID(to_global_id("Nic", m.id)),
            mac=m.mac,
            ip_address=m.ip_address,
            index=m.index,
            network_id=m.network_id,
        )


@strawberry.type(description="A virtual disk: a server's boot disk, or a volume made with diskCreate.")
class Disk(Node):
    size_gb: int = strawberry.field(description="Size.")
    boot_index: int = strawberry.field(description="Boot order (0 = boot disk).")
    status: str = strawberry.field(
        description="CREATING, READY (usable, attached or not), ATTACHING, DETACHING, RESIZING, DELETING, "
        "DELETED or ERROR."
    )
    name: str = strawberry.field(default="", description="Name of a volume (boot disks have none).")
    device: str | None = strawberry.field(default=None, description="Guest device (vdb, …) while attached.")
    error: str | None = strawberry.field(default=None, description="Why the last operation failed.")
    volume: bool = strawberry.field(default=False, description="Made with diskCreate (it can be detached).")
    created_at: datetime | None = strawberry.field(default=None, description="Creation time.")
    server_id: strawberry.Private[uuid.UUID | None] = None
    host_id: strawberry.Private[uuid.UUID | None] = None
    project_id: strawberry.Private[uuid.UUID | None] = None

    @strawberry.field(description="The server it is attached to.")
    def server(self, info: NimbusInfo) -> Server | None:
        return load_converted(  # type: ignore[no-any-return]
            info.context, "server_by_id", loaders.ServerByIdLoader, Server.from_model, self.server_id
        )

    @strawberry.field(description="The host whose storage holds it (admins see hosts; tenants see null).")
    def host(self, info: NimbusInfo) -> Host | None:
        return load_converted(info.context, "host_by_id", loaders.HostByIdLoader, Host.from_model, self.host_id)

    @strawberry.field(description="The owning project.")
    def project(self, info: NimbusInfo) -> Project | None:
        return load_converted(info.context, "project_by_id", ProjectByIdLoader, Project.from_model, self.project_id)

    @classmethod
    def from_model(cls, m: models.Disk) -> Disk:
        return cls(
            id=strawberry.ID(to_global_id("Disk", m.id)),
            size_gb=m.size_gb,
            boot_index=m.boot_index,
            status=m.status,
            name=m.name,
            device=m.device,
            error=m.error,
            volume=m.path is not None or m.boot_index != 0,
            created_at=m.created_at,
            server_id=m.server_id,
            host_id=m.host_id,
            project_id=m.project_id,
        )


@strawberry.type(description="Where a cloud server lives at its provider.")
class ServerCloud:
    provider: str = strawberry.field(description="The provider plug-in (`aws`).")
    account_id: strawberry.ID = strawberry.field(description="The cloud account.")
    region: str = strawberry.field(description="The provider region.")
    zone: str = strawberry.field(description="The provider zone.")
    instance_id: str | None = strawberry.field(description="The provider's instance id, once created.")
    sku: str = strawberry.field(description="The instance type.")


def _server_cloud(m: models.Server) -> tuple[str | None, ServerCloud | None]:
    link = (m.extra or {}).get("cloud")
    if not isinstance(link, dict):
        return None, None
    found = cloud_providers.plugin(link.get("provider", ""))
    cloud = ServerCloud(
        provider=link.get("provider", ""),
        account_id=strawberry.ID(to_global_id("CloudAccount", uuid.UUID(link["account_id"]))),
        region=link.get("region", ""),
        zone=link.get("zone", ""),
        instance_id=link.get("instance_id") or None,
        sku=link.get("sku", ""),
    )
    return (found.hypervisor if found else link.get("provider", "").upper()), cloud


@strawberry.type(description="A virtual machine.")
class Server(Node):
    name: str = strawberry.field(description="Name (not necessarily unique).")
    hypervisor: str | None = strawberry.field(
        default=None, description="`AWS` and the like for cloud servers; null on Nimbus hosts (see host.hypervisor)."
    )
    cloud: ServerCloud | None = strawberry.field(
        default=None, description="Its provider-side identity, for cloud servers."
    )
    status: ServerStatus = strawberry.field(description="Lifecycle state; transitional ones have a task.")
    vcpus: int = strawberry.field(description="Virtual CPUs.")
    memory_mb: int = strawberry.field(description="Memory.")
    disk_gb: int = strawberry.field(description="Boot disk size.")
    vnc_port: int | None = strawberry.field(description="VNC port on the host, while running.")
    error: str | None = strawberry.field(description="Why the last operation failed.")
    created_at: datetime = strawberry.field(description="Creation time.")
    pk: strawberry.Private[uuid.UUID]
    project_id: strawberry.Private[uuid.UUID]
    host_id: strawberry.Private[uuid.UUID | None]
    task_id: strawberry.Private[uuid.UUID | None]
    # Relations already loaded for the whole page by the list resolver, by field name.
    prefetched: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @strawberry.field(description="The owning project.")
    def project(self, info: NimbusInfo) -> Project | None:
        if "project" in self.prefetched:
            return self.prefetched["project"]  # type: ignore[no-any-return]
        return load_converted(
            info.context,
            "project_by_id",
            ProjectByIdLoader,
            Project.from_model,
            self.project_id,
        )

    @strawberry.field(description="The host it runs on (admins see hosts; tenants see null).")
    def host(self, info: NimbusInfo) -> Host | None:
        if "host" in self.prefetched:
            return self.prefetched["host"]  # type: ignore[no-any-return]
        return load_converted(
            info.context,
            "host_by_id",
            loaders.HostByIdLoader,
            Host.from_model,
            self.host_id,
        )

    @strawberry.field(description="Network interfaces with their addresses.")
    def nics(self, info: NimbusInfo) -> list[Nic]:
        if "nics" in self.prefetched:
            return self.prefetched["nics"]  # type: ignore[no-any-return]
        return load_converted(
            info.context,
            "nics_by_server",
            loaders.NicsByServerLoader,
            Nic.from_model,
            self.pk,
            many=True,
        )

    @strawberry.field(description="Disks, boot disk first.")
    def disks(self, info: NimbusInfo) -> list[Disk]:
        return load_converted(
            info.context,
            "disks_by_server",
            loaders.DisksByServerLoader,
            Disk.from_model,
            self.pk,
            many=True,
        )

    @strawberry.field(description="The task working on the server now, if any.")
    async def task(self, info: NimbusInfo) -> Task | None:
        found = await task_queries.task(info.context, self.task_id)
        return None if found is None else Task.from_model(found)

    @classmethod
    async def page(cls, ctx: Any, servers: list[models.Server], fields: set[str]) -> list[Server]:
        """Convert a page of servers, loading the relations asked for once for the whole page."""
        relations: dict[str, dict[Any, Any]] = {}
        if "host" in fields:
            relations["host"] = await prefetch(
                ctx, "host_by_id", loaders.HostByIdLoader, Host.from_model, [s.host_id for s in servers]
            )
        if "project" in fields:
            relations["project"] = await prefetch(
                ctx, "project_by_id", ProjectByIdLoader, Project.from_model, [s.project_id for s in servers]
            )
        if "nics" in fields:
            relations["nics"] = await prefetch(
                ctx, "nics_by_server", loaders.NicsByServerLoader, Nic.from_model, [s.id for s in servers], many=True
            )
        converted = []
        for m in servers:
            server = cls.from_model(m)
            keys = {"host": m.host_id, "project": m.project_id, "nics": m.id}
            server.prefetched = {name: values.get(keys[name]) for name, values in relations.items()}
            converted.append(server)
        return converted

    @classmethod
    def from_model(cls, m: models.Server) -> Server:
        hypervisor, cloud = _server_cloud(m)
        return cls(
            id=strawberry.ID(to_global_id("Server", m.id)),
            name=m.name,
            hypervisor=hypervisor,
            cloud=cloud,
            status=ServerStatus(m.status.value),
            vcpus=m.vcpus,
            memory_mb=m.memory_mb,
            disk_gb=m.disk_gb,
            vnc_port=m.vnc_port,
            error=m.error,
            created_at=m.created_at,
            pk=m.id,
            project_id=m.project_id,
            host_id=m.host_id,
            task_id=m.task_id,
        )


@strawberry.enum(description="How the scheduler ranks hosts that fit.")
class PlacementStrategy(Enum):
    SPREAD = "SPREAD"
    PACK = "PACK"


@strawberry.enum(description="How a server group's members are placed.")
class ServerGroupPolicy(Enum):
    AFFINITY = "AFFINITY"
    ANTI_AFFINITY = "ANTI_AFFINITY"
    SOFT_AFFINITY = "SOFT_AFFINITY"
    SOFT_ANTI_AFFINITY = "SOFT_ANTI_AFFINITY"
