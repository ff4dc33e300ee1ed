"""Quota rows: a project's limits, or the defaults of a domain's projects."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import ColumnElement, ForeignKey, Integer, String, or_
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, IdMixin, UTCDateTime, utcnow
from domain.identity.access import Visibility

# The limited resources, in the order they are shown. A limit of NULL inherits (a project
# from its domain's default) or, on a domain default, means unlimited; -1 is unlimited.
RESOURCES: tuple[str, ...] = (
    "servers",
    "vcpus",
    "memory_mb",
    "disk_gb",
    "images",
    "image_storage_gb",
    "networks",
    "ips",
)
UNLIMITED = -1


class Quota(IdMixin, Base):
    __tablename__ = "quota"

    # "p:<project id>" or "d:<domain id>": unique where (domain, NULL project) could not be.
    key: Mapped[str] = mapped_column(String(40), unique=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_domain.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("identity_project.id", ondelete="CASCADE"), nullable=True, index=True
    )
    servers: Mapped[int | None] = mapped_column(Integer, nullable=True)
    vcpus: Mapped[int | None] = mapped_column(Integer, nullable=True)
    memory_mb: Mapped[int | None] = mapped_column(Integer, nullable=True)
    disk_gb: Mapped[int | None] = mapped_column(Integer, nullable=True)
    images: Mapped[int | None] = mapped_column(Integer, nullable=True)
    image_storage_gb: Mapped[int | None] = mapped_column(Integer, nullable=True)
    networks: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ips: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Bumped by every allocation that checks this project: the row lock they queue on.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __scope_label__: ClassVar[str] = "quota"

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        return or_(cls.domain_id.in_(vis.domain_ids), cls.project_id.in_(vis.project_ids))

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.domain_id, self.project_id

    def limit(self, resource: str) -> int | None:
        value: int | None = getattr(self, resource)
        return value


def project_key(project_id: uuid.UUID) -> str:
    return f"p:{project_id}"


def domain_key(domain_id: uuid.UUID) -> str:
    return f"d:{domain_id}"
