"""SQLAlchemy models of VMware accounts and of the vSphere objects mapped onto Nimbus rows."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, Boolean, ColumnElement, Enum, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, IdMixin, UTCDateTime
from domain.identity.access import Visibility

HYPERVISOR = "VMWARE"  # Host.hypervisor of synced ESXi hosts


class AccountStatus(StrEnum):
    NEW = "NEW"
    SYNCING = "SYNCING"
    CONNECTED = "CONNECTED"
    ERROR = "ERROR"


class VmwareAccount(IdMixin, Base):
    """A vCenter or ESXi endpoint; its VMs become servers of `project_id`."""

    __tablename__ = "vmware_account"
    __scope_context__: ClassVar[str] = "vmware"
    __scope_label__: ClassVar[str] = "account"

    name: Mapped[str] = mapped_column(String(64), unique=True)
    endpoint: Mapped[str] = mapped_column(String(255))
    username: Mapped[str] = mapped_column(String(255))
    # Sealed with SecretBox(purpose "vmware-account"); never returned.
    password_encrypted: Mapped[str] = mapped_column(Text)
    datacenters: Mapped[list[str]] = mapped_column(JSON, default=list)
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    status: Mapped[AccountStatus] = mapped_column(
        Enum(AccountStatus, name="vmware_account_status", native_enum=False, length=16), default=AccountStatus.NEW
    )
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Counts by kind from the last snapshot and changes: datacenter, cluster, host, datastore, network, vm.
    inventory: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        return false()  # system-wide grants only: restrict() lets those through before asking

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return None, None


class VmwareObject(Base):
    """One vSphere object (by moref) and the Nimbus row it became: region, zone, host or server.

    `seq` orders the agent's messages, which workers may run out of order: an older one never
    overwrites a newer. A vanished object keeps its row with `gone`, so a late update cannot
    bring it back.
    """

    __tablename__ = "vmware_object"
    __table_args__ = (UniqueConstraint("account_id", "moref"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vmware_account.id", ondelete="CASCADE"), index=True)
    moref: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255), default="")
    target_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    gone: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
