"""Mutation inputs and list filters of the baremetal context."""

from __future__ import annotations

import strawberry

from schema.baremetal.types import BaremetalStatus, BmcProtocol, BootDevice
from schema.base import OrderDirection
from schema.identity.enums import NamedOrderField


@strawberry.input(description="Register a physical machine by its BMC (system admins only); inspection starts at once.")
class BaremetalHostRegisterInput:
    name: str = strawberry.field(description="Name, unique on the platform.")
    protocol: BmcProtocol = strawberry.field(description="IPMI or REDFISH.")
    address: str = strawberry.field(description="The BMC's host name or address (or a Redfish base URL).")
    username: str = strawberry.field(description="BMC user.")
    password: str = strawberry.field(description="BMC password; stored encrypted, never returned.")
    port: int | None = strawberry.field(default=None, description="BMC port; 623 for IPMI, 443 for Redfish by default.")
    system_id: str | None = strawberry.field(
        default=None, description="Redfish: the system's id when the BMC manages several."
    )
    agent: str | None = strawberry.field(default=None, description="The baremetal agent that reaches the BMC.")
    macs: list[str] | None = strawberry.field(
        default=None, description="MACs of the NICs it PXE-boots from (IPMI BMCs do not report them)."
    )


@strawberry.input(description="A baremetal host to act on.")
class BaremetalHostIdInput:
    id: strawberry.ID = strawberry.field(description="The host.")


@strawberry.input(description="Set the device a host boots from next.")
class BaremetalHostSetBootDeviceInput:
    id: strawberry.ID = strawberry.field(description="The host.")
    device: BootDevice = strawberry.field(description="PXE, DISK, CDROM or BIOS.")


@strawberry.input(description="Put a host into maintenance (out of scheduling) or take it out.")
class BaremetalHostMaintenanceInput:
    id: strawberry.ID = strawberry.field(description="The host.")
    enabled: bool = strawberry.field(description="True to enter maintenance, false to leave it.")
    reason: str | None = strawberry.field(default=None, description="Why, for other admins.")


@strawberry.input(description="Filter baremetal hosts.")
class BaremetalHostFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    name_contains: str | None = strawberry.field(default=None, description="Part of the name, any case.")
    status: BaremetalStatus | None = strawberry.field(default=None, description="Only hosts in this status.")
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only hosts allocated to this project."
    )


@strawberry.input(description="Sort order of baremetal hosts.")
class BaremetalHostOrder:
    field: NamedOrderField = strawberry.field(default=NamedOrderField.CREATED_AT, description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Direction.")
