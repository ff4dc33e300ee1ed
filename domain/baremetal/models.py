"""SQLAlchemy models of the baremetal context.

A baremetal host is registered by a system admin with its BMC's address and credentials (sealed
with the platform secret, never returned). It belongs to no project until a server is deployed
on it; then the server's project sees it.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, ColumnElement, Enum, ForeignKey, Integer, String, Text, or_
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, IdMixin
from domain.identity.access import Visibility

NAME_MAX = 64


class BmcProtocol(StrEnum):
    IPMI = "IPMI"
    REDFISH = "REDFISH"


class BaremetalStatus(StrEnum):
    REGISTERED = "REGISTERED"
    INSPECTING = "INSPECTING"
    READY = "READY"
    DEPLOYING = "DEPLOYING"
    ACTIVE = "ACTIVE"
    MAINTENANCE = "MAINTENANCE"
    ERROR = "ERROR"


class BootDevice(StrEnum):
    PXE = "PXE"
    DISK = "DISK"
    CDROM = "CDROM"
    BIOS = "BIOS"


class BaremetalHost(IdMixin, Base):
    __tablename__ = "baremetal_host"
    __scope_context__: ClassVar[str] = "baremetal"
    __scope_label__: ClassVar[str] = "host"

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    protocol: Mapped[BmcProtocol] = mapped_column(Enum(BmcProtocol, native_enum=False, length=16))
    bmc_address: Mapped[str] = mapped_column(String(255))
    bmc_port: Mapped[int] = mapped_column(Integer)
    bmc_username: Mapped[str] = mapped_column(String(128))
    bmc_password_sealed: Mapped[str] = mapped_column(Text)
    system_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The baremetal agent that reaches this BMC (and serves its provisioning network).
    agent: Mapped[str] = mapped_column(String(NAME_MAX), default="default")
    macs: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[BaremetalStatus] = mapped_column(
        Enum(BaremetalStatus, native_enum=False, length=16), default=BaremetalStatus.REGISTERED, index=True
    )
    # Where a MAINTENANCE host returns to when maintenance ends.
    status_before_maintenance: Mapped[str | None] = mapped_column(String(16), nullable=True)
    maintenance_reason: Mapped[str] = mapped_column(Text, default="")
    power_state: Mapped[str] = mapped_column(String(16), default="unknown")
    boot_device: Mapped[str | None] = mapped_column(String(16), nullable=True)
    inventory: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cpus: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    disk_gb: Mapped[int] = mapped_column(Integer, default=0)
    task_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The compute host the scheduler sees for this machine, once it is READY.
    compute_host_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("compute_host.id", ondelete="SET NULL"), nullable=True
    )
    # Set while a server is deployed on the host: the server's project sees the host.
    server_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("compute_server.id", ondelete="SET NULL"), nullable=True
    )
    project_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    domain_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        return or_(cls.domain_id.in_(vis.domain_ids), cls.project_id.in_(vis.project_ids))

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.domain_id, self.project_id
