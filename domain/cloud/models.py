"""SQLAlchemy models of the cloud context: accounts and what their sync imported."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, IdMixin, UTCDateTime
from domain.scoping import ProjectOwned


class _AccountOwned(ProjectOwned):
    """Rows of a cloud account: visible to the project the account maps to and its domain's admins."""

    __scope_context__: ClassVar[str] = "cloud"


class CloudAccountStatus(StrEnum):
    READY = "READY"
    SYNCING = "SYNCING"
    ERROR = "ERROR"


class CloudAccount(_AccountOwned, IdMixin, Base):
    """Credentials for one provider account; `credentials_sealed` is never returned."""

    __tablename__ = "cloud_account"
    __scope_label__: ClassVar[str] = "account"

    name: Mapped[str] = mapped_column(String(64), unique=True)
    provider: Mapped[str] = mapped_column(String(32))
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Provider settings that are not secret (an endpoint URL, image owners).
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    credentials_sealed: Mapped[str] = mapped_column(Text)
    sync_interval_s: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[CloudAccountStatus] = mapped_column(
        Enum(CloudAccountStatus, name="cloud_account_status", native_enum=False, length=16),
        default=CloudAccountStatus.READY,
    )
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_sync_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_sync_result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CloudSku(_AccountOwned, IdMixin, Base):
    """An instance type offered in a region of an account: the sizes cloud servers come in."""

    __tablename__ = "cloud_sku"
    __table_args__ = (UniqueConstraint("account_id", "region", "name"),)
    __scope_label__: ClassVar[str] = "sku"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cloud_account.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)


class CloudResourceKind(StrEnum):
    IMAGE = "IMAGE"
    VPC = "VPC"
    SUBNET = "SUBNET"
    SECURITY_GROUP = "SECURITY_GROUP"
    EIP = "EIP"


class CloudResource(_AccountOwned, IdMixin, Base):
    """An image, VPC, subnet, security group or elastic IP as the provider last reported it."""

    __tablename__ = "cloud_resource"
    __table_args__ = (UniqueConstraint("account_id", "kind", "external_id"),)
    __scope_label__: ClassVar[str] = "resource"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cloud_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CloudResourceKind] = mapped_column(
        Enum(CloudResourceKind, name="cloud_resource_kind", native_enum=False, length=16)
    )
    region: Mapped[str] = mapped_column(String(64))
    zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
