"""Job payloads between the controller (workers/) and the baremetal agent, shared by both sides.

Plain dicts on the wire; credentials travel only inside the agent job, decrypted by the worker
just before sending, and are never part of a reply.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Functions of the baremetal agent.
INSPECT = "bmc_inspect"
POWER = "bmc_power"
SET_BOOT_DEVICE = "bmc_set_boot_device"
PXE_DEPLOY = "pxe_deploy"

# Function an agent calls on the controller's queue.
RUN_STAGE = "run_stage"

POWER_ACTIONS = ("on", "off", "reset")
BOOT_DEVICES = ("pxe", "disk", "cdrom", "bios")


def queue_name(prefix: str, agent_name: str) -> str:
    """The arq queue a baremetal agent listens on (`nimbus:agent:baremetal:<name>` by default)."""
    return f"{prefix}:agent:baremetal:{agent_name}"


def controller_queue(prefix: str) -> str:
    return f"{prefix}:worker"


@dataclass(frozen=True)
class BmcAccess:
    """How to reach one machine's BMC."""

    host_id: str  # the baremetal host's uuid: the agent serializes operations per id
    protocol: str  # "IPMI" or "REDFISH"
    address: str
    port: int
    username: str
    password: str
    system_id: str | None = None  # Redfish: the system's path or id when the BMC has several
    timeout_s: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BmcAccess:
        return cls(**data)


@dataclass(frozen=True)
class Nic:
    mac: str
    name: str = ""


@dataclass(frozen=True)
class Inventory:
    """What the BMC tells about the machine; fields the BMC does not know stay empty."""

    cpus: int | None = None
    memory_mb: int | None = None
    disks_gb: list[int] = field(default_factory=list)
    nics: list[Nic] = field(default_factory=list)
    vendor: str = ""
    model: str = ""
    serial: str = ""
    power_state: str = ""  # "on" or "off"
    boot_device: str = ""
    notes: list[str] = field(default_factory=list)  # what the BMC could not answer, and why

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Inventory:
        return cls(**{**data, "nics": [Nic(**n) for n in data.get("nics", [])]})


@dataclass(frozen=True)
class PxeBoot:
    """A per-MAC boot script the agent serves on its provisioning network."""

    host_id: str
    macs: list[str]
    script: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
