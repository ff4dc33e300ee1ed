"""SQLAlchemy models of the image context."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    exists,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, IdMixin, UTCDateTime, utcnow
from domain.identity.access import Visibility


class ImageStatus(StrEnum):
    QUEUED = "QUEUED"  # created, no byte received yet
    SAVING = "SAVING"  # bytes arriving (or a conversion writing them)
    ACTIVE = "ACTIVE"  # checked and usable
    KILLED = "KILLED"  # refused after upload or conversion; `error` says why, no file is left
    DELETED = "DELETED"

    @property
    def accepts_bytes(self) -> bool:
        return self in (ImageStatus.QUEUED, ImageStatus.SAVING)


class ImageVisibility(StrEnum):
    PRIVATE = "PRIVATE"
    SHARED = "SHARED"
    PUBLIC = "PUBLIC"


class DiskFormat(StrEnum):
    QCOW2 = "QCOW2"
    RAW = "RAW"
    VMDK = "VMDK"
    VHD = "VHD"
    VHDX = "VHDX"
    ISO = "ISO"


class Image(IdMixin, Base):
    """An image record; its bytes live in the image store under `storage_key`."""

    __tablename__ = "image"
    __scope_context__: ClassVar[str] = "image"
    __scope_label__: ClassVar[str] = "image"

    name: Mapped[str] = mapped_column(String(128), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    status: Mapped[ImageStatus] = mapped_column(
        Enum(ImageStatus, name="image_status", native_enum=False, length=16), default=ImageStatus.QUEUED, index=True
    )
    visibility: Mapped[ImageVisibility] = mapped_column(
        Enum(ImageVisibility, name="image_visibility", native_enum=False, length=16),
        default=ImageVisibility.PRIVATE,
        index=True,
    )
    disk_format: Mapped[DiskFormat] = mapped_column(Enum(DiskFormat, name="disk_format", native_enum=False, length=8))
    # Bytes stored (ACTIVE) or announced by the uploader (SAVING); counts against the project's quota.
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    virtual_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    checksum_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # What the uploader promised, checked after the last byte: a short or altered upload ends KILLED.
    expected_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    min_disk_gb: Mapped[int] = mapped_column(Integer, default=0)
    min_memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    os_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    os_distro: Mapped[str | None] = mapped_column(String(64), nullable=True)
    os_arch: Mapped[str | None] = mapped_column(String(16), nullable=True)
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    storage_key: Mapped[str] = mapped_column(String(128))
    source_image_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        shared_with_caller = exists(
            select(ImageMember.image_id).where(
                ImageMember.image_id == cls.id, ImageMember.project_id.in_(vis.project_ids)
            )
        )
        return or_(
            cls.domain_id.in_(vis.domain_ids),
            cls.project_id.in_(vis.project_ids),
            (cls.visibility == ImageVisibility.PUBLIC) & (cls.status == ImageStatus.ACTIVE),
            (cls.visibility == ImageVisibility.SHARED) & (cls.status == ImageStatus.ACTIVE) & shared_with_caller,
        )

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.domain_id, self.project_id


class ImageMember(Base):
    """A project an image is SHARED with."""

    __tablename__ = "image_member"

    image_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("image.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
