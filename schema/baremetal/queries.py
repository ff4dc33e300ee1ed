"""Baremetal fields of the root Query and Mutation."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.baremetal.errors import Code
from domain.baremetal.models import BmcProtocol as ProtocolModel
from domain.baremetal.models import BootDevice as BootDeviceModel
from domain.baremetal.services import Registration
from resolvers.baremetal import queries
from resolvers.baremetal.mutations.host_inspect import host_inspect
from resolvers.baremetal.mutations.host_maintenance import host_maintenance
from resolvers.baremetal.mutations.host_power_off import host_power_off
from resolvers.baremetal.mutations.host_power_on import host_power_on
from resolvers.baremetal.mutations.host_register import host_register
from resolvers.baremetal.mutations.host_reset import host_reset
from resolvers.baremetal.mutations.host_set_boot_device import host_set_boot_device
from resolvers.mutation import Result
from resolvers.pagination import ListArgs
from schema.baremetal import inputs as i
from schema.baremetal import payloads as p
from schema.baremetal.types import BaremetalError, BaremetalErrorCode, BaremetalHost
from schema.base import After, Connection, First, OrderDirection, filter_kwargs
from schema.identity.types import NimbusInfo
from schema.payload_errors import convert
from schema.task.types import Task


def _errors(r: Result[Any]) -> list[BaremetalError]:
    return convert(r.errors, BaremetalError, BaremetalErrorCode, Code.INVALID)


def _payload(cls: Any, r: Result[Any]) -> Any:
    if r.value is None:
        return cls(errors=_errors(r))
    host, task = r.value
    return cls(host=BaremetalHost.from_model(host), task=Task.from_model(task))


@strawberry.type
class BaremetalQuery:
    @strawberry.field(
        description="Baremetal hosts the caller may see: all for system admins, else those allocated to the caller's projects."
    )
    async def baremetal_hosts(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.BaremetalHostFilter | None = None,
        order_by: i.BaremetalHostOrder | None = None,
    ) -> Connection[BaremetalHost]:
        order = order_by or i.BaremetalHostOrder()
        args = ListArgs(first, after, order.field.value, order.direction is OrderDirection.DESC)
        page = await queries.list_hosts(info.context, args, **filter_kwargs(filter))
        return Connection.from_page(page, BaremetalHost.from_model)


@strawberry.type
class BaremetalMutation:
    @strawberry.mutation(
        description="Register a physical machine by its BMC (system admins only); starts its inspection."
    )
    async def baremetal_host_register(
        self, info: NimbusInfo, input: i.BaremetalHostRegisterInput
    ) -> p.BaremetalHostRegisterPayload:
        registration = Registration(
            name=input.name,
            protocol=ProtocolModel(input.protocol.value),
            address=input.address,
            username=input.username,
            password=input.password,
            port=input.port,
            system_id=input.system_id,
            agent=input.agent or "default",
            macs=list(input.macs or []),
        )
        return _payload(p.BaremetalHostRegisterPayload, await host_register(info.context, registration))  # type: ignore[no-any-return]

    @strawberry.mutation(description="Read the host's inventory from its BMC again.")
    async def baremetal_host_inspect(
        self, info: NimbusInfo, input: i.BaremetalHostIdInput
    ) -> p.BaremetalHostInspectPayload:
        return _payload(p.BaremetalHostInspectPayload, await host_inspect(info.context, input.id))  # type: ignore[no-any-return]

    @strawberry.mutation(description="Power the host on through its BMC.")
    async def baremetal_host_power_on(
        self, info: NimbusInfo, input: i.BaremetalHostIdInput
    ) -> p.BaremetalHostPowerOnPayload:
        return _payload(p.BaremetalHostPowerOnPayload, await host_power_on(info.context, input.id))  # type: ignore[no-any-return]

    @strawberry.mutation(description="Power the host off (hard) through its BMC.")
    async def baremetal_host_power_off(
        self, info: NimbusInfo, input: i.BaremetalHostIdInput
    ) -> p.BaremetalHostPowerOffPayload:
        return _payload(p.BaremetalHostPowerOffPayload, await host_power_off(info.context, input.id))  # type: ignore[no-any-return]

    @strawberry.mutation(description="Reset the host through its BMC (powers it on when it is off).")
    async def baremetal_host_reset(
        self, info: NimbusInfo, input: i.BaremetalHostIdInput
    ) -> p.BaremetalHostResetPayload:
        return _payload(p.BaremetalHostResetPayload, await host_reset(info.context, input.id))  # type: ignore[no-any-return]

    @strawberry.mutation(description="Set the device the host boots from next.")
    async def baremetal_host_set_boot_device(
        self, info: NimbusInfo, input: i.BaremetalHostSetBootDeviceInput
    ) -> p.BaremetalHostSetBootDevicePayload:
        device = BootDeviceModel(input.device.value)
        result = await host_set_boot_device(info.context, input.id, device)
        return _payload(p.BaremetalHostSetBootDevicePayload, result)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Put the host into maintenance or take it out.")
    async def baremetal_host_maintenance(
        self, info: NimbusInfo, input: i.BaremetalHostMaintenanceInput
    ) -> p.BaremetalHostMaintenancePayload:
        r = await host_maintenance(info.context, input.id, input.enabled, input.reason or "")
        if r.value is None:
            return p.BaremetalHostMaintenancePayload(errors=_errors(r))
        return p.BaremetalHostMaintenancePayload(host=BaremetalHost.from_model(r.value))
