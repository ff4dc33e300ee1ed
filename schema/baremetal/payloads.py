"""Mutation payloads of the baremetal context."""

from __future__ import annotations

import strawberry

from schema.baremetal.types import BaremetalError, BaremetalHost
from schema.task.types import Task


@strawberry.type(description="The host and the task of a baremetal operation.")
class BaremetalHostTaskPayload:
    host: BaremetalHost | None = strawberry.field(default=None, description="The host, as the operation left it.")
    task: Task | None = strawberry.field(default=None, description="The task doing the work.")
    errors: list[BaremetalError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of baremetalHostRegister.")
class BaremetalHostRegisterPayload(BaremetalHostTaskPayload):
    pass


@strawberry.type(description="Result of baremetalHostInspect.")
class BaremetalHostInspectPayload(BaremetalHostTaskPayload):
    pass


@strawberry.type(description="Result of baremetalHostPowerOn.")
class BaremetalHostPowerOnPayload(BaremetalHostTaskPayload):
    pass


@strawberry.type(description="Result of baremetalHostPowerOff.")
class BaremetalHostPowerOffPayload(BaremetalHostTaskPayload):
    pass


@strawberry.type(description="Result of baremetalHostReset.")
class BaremetalHostResetPayload(BaremetalHostTaskPayload):
    pass


@strawberry.type(description="Result of baremetalHostSetBootDevice.")
class BaremetalHostSetBootDevicePayload(BaremetalHostTaskPayload):
    pass


@strawberry.type(description="Result of baremetalHostMaintenance (immediate: no task).")
class BaremetalHostMaintenancePayload:
    host: BaremetalHost | None = strawberry.field(default=None, description="The host.")
    errors: list[BaremetalError] = strawberry.field(default_factory=list, description="Why it was refused.")
