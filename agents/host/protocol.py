"""Job payloads between the controller (workers/) and the host agent, shared by both sides.

Plain dataclasses that round-trip through dicts, so arq can pickle them as builtins and an agent
of another version can still read what it understands.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


def queue_name(prefix: str, host_name: str) -> str:
    """The arq queue a host agent listens on (`nimbus:agent:host:<name>` by default)."""
    return f"{prefix}:agent:host:{host_name}"


def controller_queue(prefix: str) -> str:
    """Where agents send their reports: the workers' queue (`nimbus:worker` by default)."""
    return f"{prefix}:worker"


def alive_key(prefix: str, host_name: str) -> str:
    """Set by the agent itself on every heartbeat, with a TTL: liveness that no job backlog can delay."""
    return f"{prefix}:host-alive:{host_name}"


# Functions an agent calls on the controller's queue.
RUN_STAGE = "run_stage"
HOST_HEARTBEAT = "host_heartbeat"


class DomainStatus(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"
    PAUSED = "paused"
    MISSING = "missing"


@dataclass(frozen=True)
class ImageRef:
    """An image a disk is an overlay of: the agent fetches it once into its cache, checksum verified."""

    id: str
    sha256: str
    size: int
    format: str  # qemu-img's name for it (qcow2, raw, vmdk, vpc, vhdx)
    path: str  # signed, expiring download path on the API: /images/<id>/file?expires=…&signature=…


@dataclass(frozen=True)
class DiskSpec:
    id: str  # the disk's uuid; the file is <storage dir>/<server id>/<disk id>.qcow2
    size_gb: int
    boot_index: int = 0
    image_path: str | None = None  # backing image in the host's cache; None = blank disk
    image: ImageRef | None = None  # the image to fetch into the cache first (sets image_path)
    path: str | None = None  # a volume's own file (diskCreate); None = in the server's directory

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DiskSpec:
        image = data.get("image")
        return cls(**{**data, "image": ImageRef(**image) if image else None})


@dataclass(frozen=True)
class NicSpec:
    id: str
    mac: str
    ip: str
    bridge: str | None = None  # None: user-mode networking, which needs no host setup


@dataclass(frozen=True)
class ServerSpec:
    id: str  # the server's uuid; also the libvirt domain's uuid
    name: str
    vcpus: int
    memory_mb: int
    disks: list[DiskSpec] = field(default_factory=list)
    nics: list[NicSpec] = field(default_factory=list)
    # Room for live resize: vCPUs and memory the domain may grow to while running (None = none).
    max_vcpus: int | None = None
    max_memory_mb: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServerSpec:
        return cls(
            id=data["id"],
            name=data["name"],
            vcpus=int(data["vcpus"]),
            memory_mb=int(data["memory_mb"]),
            disks=[DiskSpec.from_dict(d) for d in data.get("disks", [])],
            nics=[NicSpec(**n) for n in data.get("nics", [])],
            max_vcpus=data.get("max_vcpus"),
            max_memory_mb=data.get("max_memory_mb"),
        )


@dataclass(frozen=True)
class DomainState:
    server_id: str
    status: DomainStatus
    vnc_port: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"server_id": self.server_id, "status": self.status.value, "vnc_port": self.vnc_port}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DomainState:
        return cls(data["server_id"], DomainStatus(data["status"]), data.get("vnc_port"))


@dataclass(frozen=True)
class HostFacts:
    """What a host agent reports about its node when it registers and on every heartbeat."""

    name: str
    libvirt_uri: str
    cpus: int
    memory_mb: int
    storage_gb: int
    arch: str
    hypervisor: str  # "kvm", "qemu" (TCG) or "test"
    # Where this host's VNC displays listen, as the console proxy reaches them.
    console_address: str = "127.0.0.1"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
