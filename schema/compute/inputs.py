"""Mutation inputs and list filters of the compute context."""

from __future__ import annotations

import strawberry

from schema.base import OrderDirection
from schema.compute.types import ConsoleProtocol, HostStatus, PlacementStrategy, ServerStatus
from schema.identity.enums import NamedOrderField


@strawberry.input(description="Create one server, or `count` of them in one batch task.")
class ServerCreateInput:
    name: str = strawberry.field(description="Name; a batch appends -1, -2, …")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Owner; the token's by default.")
    vcpus: int = strawberry.field(description="Virtual CPUs (1-128).")
    memory_mb: int = strawberry.field(description="Memory in MB (64-1048576).")
    disk_gb: int = strawberry.field(default=10, description="Boot disk in GB.")
    image_id: strawberry.ID | None = strawberry.field(default=None, description="Image for the boot disk.")
    network_id: strawberry.ID | None = strawberry.field(default=None, description="Network for the first NIC.")
    count: int | None = strawberry.field(default=1, description="How many servers (1-100).")
    host_id: strawberry.ID | None = strawberry.field(default=None, description="Pin to a host (admins only).")
    zone_id: strawberry.ID | None = strawberry.field(default=None, description="Only hosts of this zone.")
    region_id: strawberry.ID | None = strawberry.field(default=None, description="Only hosts of this region.")
    required_tags: list[str] | None = strawberry.field(
        default=None, description="Only hosts with every one of these tags."
    )
    excluded_tags: list[str] | None = strawberry.field(default=None, description="No host with any of these tags.")
    preferred_tags: list[str] | None = strawberry.field(
        default=None, description="Prefer hosts with more of these tags (a weigher, not a filter)."
    )
    arch: str | None = strawberry.field(default=None, description="Only hosts of this CPU architecture.")
    hypervisor: str | None = strawberry.field(default=None, description="Only hosts running this hypervisor.")
    server_group_id: strawberry.ID | None = strawberry.field(
        default=None, description="Join this server group: placed by its affinity policy."
    )
    strategy: PlacementStrategy | None = strawberry.field(
        default=None, description="SPREAD or PACK; the project's or the cloud's default otherwise."
    )
    allow_partial: bool = strawberry.field(
        default=False, description="Create as many of `count` as fit instead of none when not all fit."
    )
    sku: str | None = strawberry.field(
        default=None, description="Public clouds: the instance type; otherwise the smallest fitting vcpus/memoryMb."
    )
    cloud_image: str | None = strawberry.field(
        default=None, description="Public clouds: the provider's image id (an AMI); the first synced one otherwise."
    )


@strawberry.input(description="Act on a server.")
class ServerIdInput:
    id: strawberry.ID = strawberry.field(description="The server.")


@strawberry.input(description="Open a console on a running server.")
class ServerConsoleCreateInput(ServerIdInput):
    protocol: ConsoleProtocol = strawberry.field(
        default=ConsoleProtocol.VNC, description="VNC: the server's display; SSH: a terminal on its first address."
    )
    port: int = strawberry.field(default=22, description="SSH only: the port sshd listens on in the guest.")


@strawberry.input(description="Boot a stopped server.")
class ServerStartInput(ServerIdInput):
    pass


@strawberry.input(description="Shut a running server down.")
class ServerStopInput(ServerIdInput):
    force: bool = strawberry.field(
        default=False, description="Power off at once instead of asking the guest to shut down (30 s)."
    )


@strawberry.input(description="Restart a running server.")
class ServerRebootInput(ServerIdInput):
    pass


@strawberry.input(description="Delete a server with its disks and addresses.")
class ServerDeleteInput(ServerIdInput):
    pass


@strawberry.input(description="Cancel a task.")
class TaskCancelInput:
    id: strawberry.ID = strawberry.field(description="The task.")


@strawberry.input(description="Create a region.")
class RegionCreateInput:
    name: str = strawberry.field(description="Unique name.")
    description: str | None = strawberry.field(default=None, description="Free text.")


@strawberry.input(description="Create a zone in a region.")
class ZoneCreateInput:
    name: str = strawberry.field(description="Name, unique in the region.")
    region_id: strawberry.ID = strawberry.field(description="The region.")
    description: str | None = strawberry.field(default=None, description="Free text.")


@strawberry.input(description="Change a host's placement settings.")
class HostUpdateInput:
    id: strawberry.ID = strawberry.field(description="The host.")
    enabled: bool | None = strawberry.field(default=None, description="Take new servers or not.")
    maintenance: bool | None = strawberry.field(default=None, description="Enter or leave maintenance.")
    zone_id: strawberry.ID | None = strawberry.field(default=None, description="Move to a zone.")
    cpu_ratio: float | None = strawberry.field(default=None, description="vCPU overcommit ratio.")
    memory_ratio: float | None = strawberry.field(default=None, description="Memory overcommit ratio.")
    tags: list[str] | None = strawberry.field(default=None, description="Replace the tags.")


@strawberry.input(description="Create a network: shared (admins) or of one project.")
class NetworkCreateInput:
    name: str = strawberry.field(description="Unique name.")
    cidr: str = strawberry.field(description="IPv4 range, e.g. 10.1.0.0/24.")
    gateway: str | None = strawberry.field(default=None, description="Gateway inside the range.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Owner; none = shared.")
    bridge: str | None = strawberry.field(default=None, description="Linux bridge on the hosts.")
    vlan_id: int | None = strawberry.field(default=None, description="VLAN tag.")


@strawberry.input(description="Delete a network without addresses in use.")
class NetworkDeleteInput:
    id: strawberry.ID = strawberry.field(description="The network.")


@strawberry.input(description="Filter servers.")
class ServerFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    name_contains: str | None = strawberry.field(default=None, description="Substring of the name.")
    status: ServerStatus | None = strawberry.field(default=None, description="Only this status.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Only this project's.")
    host_id: strawberry.ID | None = strawberry.field(default=None, description="Only on this host.")
    include_deleted: bool = strawberry.field(default=False, description="Include DELETED servers.")


@strawberry.input(description="Filter hosts.")
class HostFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    name_contains: str | None = strawberry.field(default=None, description="Substring of the name.")
    status: HostStatus | None = strawberry.field(default=None, description="Only this status.")
    zone_id: strawberry.ID | None = strawberry.field(default=None, description="Only in this zone.")
    enabled: bool | None = strawberry.field(default=None, description="Only enabled (or disabled) hosts.")


@strawberry.input(description="Filter networks.")
class NetworkFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Only this project's.")


@strawberry.input(description="Filter regions.")
class RegionFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")


@strawberry.input(description="Filter zones.")
class ZoneFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    region_id: strawberry.ID | None = strawberry.field(default=None, description="Only of this region.")


@strawberry.input(description="Sort order of compute objects.")
class ComputeOrder:
    field: NamedOrderField = strawberry.field(default=NamedOrderField.CREATED_AT, description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Direction.")
