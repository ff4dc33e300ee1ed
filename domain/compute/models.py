"""SQLAlchemy models of the compute context."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    or_,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, IdMixin, UTCDateTime, utcnow
from domain.identity.access import Visibility
from domain.scoping import ProjectOwned

NAME_MAX = 64


class _Infrastructure:
    """Regions, zones and hosts: visible to whoever may list them, managed at system scope."""

    __scope_context__: ClassVar[str] = "compute"

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        return true()

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return None, None


class _CloudMarked(_Infrastructure):
    """Regions and zones a cloud account imported carry its provider and, like the account's
    other resources, are visible only to the account's project (and admins)."""

    provider: Mapped[str | None] = mapped_column(String(32), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cloud_account_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    domain_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        return or_(
            cls.cloud_account_id.is_(None), cls.domain_id.in_(vis.domain_ids), cls.project_id.in_(vis.project_ids)
        )


class Region(_CloudMarked, IdMixin, Base):
    __tablename__ = "compute_region"
    __scope_label__: ClassVar[str] = "region"

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class Zone(_CloudMarked, IdMixin, Base):
    __tablename__ = "compute_zone"
    __table_args__ = (UniqueConstraint("region_id", "name"),)
    __scope_label__: ClassVar[str] = "zone"

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("compute_region.id"), index=True)


class HostStatus(StrEnum):
    ONLINE = "ONLINE"
    OFFLINE = "OFFLINE"
    MAINTENANCE = "MAINTENANCE"


class Host(_Infrastructure, IdMixin, Base):
    """A KVM node and its capacity; `*_used` are changed only by conditional updates."""

    __tablename__ = "compute_host"
    __scope_label__: ClassVar[str] = "host"

    name: Mapped[str] = mapped_column(String(128), unique=True)
    zone_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("compute_zone.id"), nullable=True, index=True)
    status: Mapped[HostStatus] = mapped_column(
        Enum(HostStatus, name="host_status", native_enum=False, length=16), default=HostStatus.OFFLINE
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    libvirt_uri: Mapped[str] = mapped_column(String(256), default="")
    console_address: Mapped[str] = mapped_column(String(255), default="127.0.0.1", server_default="127.0.0.1")
    hypervisor: Mapped[str] = mapped_column(String(16), default="kvm")
    arch: Mapped[str] = mapped_column(String(16), default="x86_64")
    cpus: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    storage_gb: Mapped[int] = mapped_column(Integer, default=0)
    cpu_ratio: Mapped[float] = mapped_column(Float, default=4.0)
    memory_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    storage_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    vcpus_used: Mapped[int] = mapped_column(Integer, default=0)
    memory_used_mb: Mapped[int] = mapped_column(Integer, default=0)
    storage_used_gb: Mapped[int] = mapped_column(Integer, default=0)
    servers_count: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_heartbeat: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def vcpus_total(self) -> int:
        return int(self.cpus * self.cpu_ratio)

    @property
    def memory_total_mb(self) -> int:
        return int(self.memory_mb * self.memory_ratio)

    @property
    def storage_total_gb(self) -> int:
        return int(self.storage_gb * self.storage_ratio)


class _ProjectOwned(ProjectOwned):
    """Rows owned by a project: visible to that project's members and its domain's admins."""

    __scope_context__: ClassVar[str] = "compute"


class Network(IdMixin, Base):
    """An IPv4 network; `shared` ones (project NULL) are usable by every project."""

    __tablename__ = "compute_network"
    __scope_context__: ClassVar[str] = "compute"
    __scope_label__: ClassVar[str] = "network"

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    cidr: Mapped[str] = mapped_column(String(43))
    gateway: Mapped[str | None] = mapped_column(String(39), nullable=True)
    bridge: Mapped[str | None] = mapped_column(String(15), nullable=True)
    vlan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    domain_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    zone_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("compute_zone.id"), nullable=True)

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        return or_(cls.project_id.is_(None), cls.domain_id.in_(vis.domain_ids), cls.project_id.in_(vis.project_ids))

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.domain_id, self.project_id


class IpAllocation(Base):
    """One address handed out on a network; the primary key makes double allocation impossible."""

    __tablename__ = "compute_ip_allocation"
    __table_args__ = (UniqueConstraint("network_id", "ordinal"),)

    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("compute_network.id", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(String(39), primary_key=True)
    # Offset from the network address: lets the next free address be found with one indexed query.
    ordinal: Mapped[int] = mapped_column(Integer)
    nic_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)


class ServerStatus(StrEnum):
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


class Server(_ProjectOwned, IdMixin, Base):
    __tablename__ = "compute_server"
    __scope_label__: ClassVar[str] = "server"

    name: Mapped[str] = mapped_column(String(NAME_MAX), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    status: Mapped[ServerStatus] = mapped_column(
        Enum(ServerStatus, name="server_status", native_enum=False, length=16),
        default=ServerStatus.PENDING,
        index=True,
    )
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    disk_gb: Mapped[int] = mapped_column(Integer)
    image_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    host_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("compute_host.id"), nullable=True, index=True)
    server_group_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("compute_server_group.id", ondelete="SET NULL"), nullable=True, index=True
    )
    vnc_port: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The task holding the server's lock (Cloudpods' object lock); NULL when idle.
    task_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    power_on_create: Mapped[bool] = mapped_column(Boolean, default=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Heartbeats only correct servers that have not changed since well before the agent looked.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class DiskStatus(StrEnum):
    CREATING = "CREATING"
    READY = "READY"
    ATTACHING = "ATTACHING"
    DETACHING = "DETACHING"
    RESIZING = "RESIZING"
    DELETING = "DELETING"
    DELETED = "DELETED"
    ERROR = "ERROR"


class Disk(_ProjectOwned, IdMixin, Base):
    """A server's boot disk (boot_index 0, made with the server) or a volume (diskCreate), which
    lives on one host's local storage and can be attached to a server on that host."""

    __tablename__ = "compute_disk"
    __scope_label__: ClassVar[str] = "disk"

    server_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("compute_server.id", ondelete="SET NULL"), nullable=True, index=True
    )
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    size_gb: Mapped[int] = mapped_column(Integer)
    boot_index: Mapped[int] = mapped_column(Integer, default=0)
    image_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    host_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("compute_host.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="READY")
    name: Mapped[str] = mapped_column(String(NAME_MAX), default="", server_default="")
    # Where a volume's file is on its host; NULL for boot disks, which live in the server's directory.
    path: Mapped[str | None] = mapped_column(String(512), nullable=True)
    # The guest device (vdb, …) of an attached volume, as the host agent chose it.
    device: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The task holding the disk's lock; NULL when idle.
    task_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Nic(_ProjectOwned, IdMixin, Base):
    __tablename__ = "compute_nic"
    __scope_label__: ClassVar[str] = "nic"

    server_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("compute_server.id", ondelete="CASCADE"), index=True)
    network_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("compute_network.id"), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    mac: Mapped[str] = mapped_column(String(17), unique=True)
    ip_address: Mapped[str | None] = mapped_column(String(39), nullable=True)
    index: Mapped[int] = mapped_column(Integer, default=0)


class ServerGroupPolicy(StrEnum):
    """Nova's four policies: hard ones filter hosts out, soft ones only weigh them."""

    AFFINITY = "AFFINITY"
    ANTI_AFFINITY = "ANTI_AFFINITY"
    SOFT_AFFINITY = "SOFT_AFFINITY"
    SOFT_ANTI_AFFINITY = "SOFT_ANTI_AFFINITY"


class ServerGroup(_ProjectOwned, IdMixin, Base):
    """Servers placed together (affinity) or apart (anti-affinity); members name it on create."""

    __tablename__ = "compute_server_group"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    __scope_label__: ClassVar[str] = "server_group"

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    policy: Mapped[ServerGroupPolicy] = mapped_column(
        Enum(ServerGroupPolicy, name="server_group_policy", native_enum=False, length=24)
    )


class SchedulerSettings(Base):
    """The scheduler's tunables as data: one row (id 1), edited by system administrators."""

    __tablename__ = "compute_scheduler_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # "SPREAD" or "PACK"; projects may override it in `project_strategies` (project id -> strategy).
    strategy: Mapped[str] = mapped_column(String(16), default="SPREAD")
    project_strategies: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # weigher name -> multiplier; a weigher missing here weighs with 1.0, with 0 it is off.
    multipliers: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # 0 = no limit.
    max_servers_per_host: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SnapshotStatus(StrEnum):
    CREATING = "CREATING"
    READY = "READY"
    REVERTING = "REVERTING"
    DELETING = "DELETING"
    ERROR = "ERROR"


class ServerSnapshot(_ProjectOwned, IdMixin, Base):
    """A point-in-time copy of a server's disks (and memory, when taken running), kept on its host."""

    __tablename__ = "compute_server_snapshot"
    __scope_label__: ClassVar[str] = "server_snapshot"
    # Whoever may snapshot a server may manage its snapshots: permissions are the server's.
    __permission_prefix__: ClassVar[str] = "compute.server"

    server_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("compute_server.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    status: Mapped[SnapshotStatus] = mapped_column(
        Enum(SnapshotStatus, native_enum=False, length=16, name="snapshot_status"), default=SnapshotStatus.CREATING
    )
    includes_memory: Mapped[bool] = mapped_column(Boolean, default=False)
    quiesced: Mapped[bool] = mapped_column(Boolean, default=False)
    task_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class ServerScreenshot(Base):
    """The latest capture of a server's screen, as the host handed it over."""

    __tablename__ = "compute_server_screenshot"

    server_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("compute_server.id", ondelete="CASCADE"), primary_key=True)
    mime_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
