"""The identity provider row and the links between directory entries and local users and groups."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, ColumnElement, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, IdMixin, UTCDateTime
from domain.identity.access import Visibility

NAME_MAX = 64


class ProviderDriver(StrEnum):
    SQL = "SQL"
    LDAP = "LDAP"
    OIDC = "OIDC"


class IdentityProvider(IdMixin, Base):
    """Backs one domain: its users sign in and are synced through the provider's driver."""

    __tablename__ = "identity_provider"

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_domain.id", ondelete="CASCADE"), unique=True)
    driver: Mapped[ProviderDriver] = mapped_column(
        Enum(ProviderDriver, name="provider_driver", native_enum=False, length=8)
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Everything but the secret: URLs, base DNs, filters, attribute and role mappings.
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The bind password or client secret, encrypted with a key derived from the platform secret.
    secret_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    sync_interval_s: Mapped[int] = mapped_column(Integer, default=0)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_sync_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    __scope_label__: ClassVar[str] = "identity_provider"

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        return cls.domain_id.in_(vis.domain_ids)

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.domain_id, None


class LinkKind(StrEnum):
    USER = "user"
    GROUP = "group"


class ProviderLink(Base):
    """A local user or group that mirrors a directory entry; unlinked ones stay local (SQL)."""

    __tablename__ = "identity_provider_link"

    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("identity_provider.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[LinkKind] = mapped_column(
        Enum(LinkKind, name="provider_link_kind", native_enum=False, length=8), primary_key=True
    )
    external_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    local_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    # The directory disabled or dropped the user: it may enable them again, an admin's disable stays.
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
