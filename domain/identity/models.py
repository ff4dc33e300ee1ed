"""SQLAlchemy models of the identity context."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, IdMixin, UTCDateTime, utcnow
from domain.identity.access import Visibility

NAME_MAX = 64


class Domain(IdMixin, Base):
    """A namespace of projects, users and groups (an organisation)."""

    __tablename__ = "identity_domain"

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    __scope_label__: ClassVar[str] = "domain"

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        in_projects = select(Project.domain_id).where(Project.id.in_(vis.project_ids))
        return or_(cls.id.in_(vis.domain_ids), cls.id.in_(in_projects))

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.id, None


class Project(IdMixin, Base):
    """A tenant: the owner of resources and the scope of a token."""

    __tablename__ = "identity_project"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_domain.id"), index=True)

    __scope_label__: ClassVar[str] = "project"

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        return or_(cls.domain_id.in_(vis.domain_ids), cls.id.in_(vis.project_ids))

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.domain_id, self.id


class User(IdMixin, Base):
    __tablename__ = "identity_user"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_domain.id"), index=True)
    # Tokens issued before this instant are void: moved on password change and on disable.
    tokens_valid_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __scope_label__: ClassVar[str] = "user"

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        # Project-level readers see the users who hold a role in their projects, and themselves.
        assigned = select(RoleAssignment.user_id).where(RoleAssignment.project_id.in_(vis.project_ids))
        return or_(cls.domain_id.in_(vis.domain_ids), cls.id.in_(assigned), cls.id == user_id)

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.domain_id, None


class Group(IdMixin, Base):
    __tablename__ = "identity_group"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    domain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_domain.id"), index=True)

    __scope_label__: ClassVar[str] = "group"

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        assigned = select(RoleAssignment.group_id).where(RoleAssignment.project_id.in_(vis.project_ids))
        return or_(cls.domain_id.in_(vis.domain_ids), cls.id.in_(assigned))

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.domain_id, None


class GroupMember(Base):
    __tablename__ = "identity_group_member"

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_group.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("identity_user.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Role(IdMixin, Base):
    """A named bundle of permissions; its policy is the set of `RolePermission` rows."""

    __tablename__ = "identity_role"

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    built_in: Mapped[bool] = mapped_column(Boolean, default=False)

    __scope_label__: ClassVar[str] = "role"

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        # Roles are system-wide definitions: anyone who may list roles somewhere sees them all.
        return true()

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return None, None


class RolePermission(Base):
    """One policy line: a role grants a permission pattern such as `compute.*` or `*.list`."""

    __tablename__ = "identity_role_permission"

    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_role.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(128), primary_key=True)


class RoleAssignment(IdMixin, Base):
    """A role given to a user or a group on a project, a domain, or the whole system."""

    __tablename__ = "identity_role_assignment"

    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_role.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("identity_user.id", ondelete="CASCADE"), index=True, nullable=True
    )
    group_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("identity_group.id", ondelete="CASCADE"), index=True, nullable=True
    )
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("identity_project.id", ondelete="CASCADE"), index=True, nullable=True
    )
    domain_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("identity_domain.id", ondelete="CASCADE"), index=True, nullable=True
    )
    system: Mapped[bool] = mapped_column(Boolean, default=False)
    # The domain the target lives in (the project's domain, or the domain itself); NULL for
    # system assignments. Kept so scoping is one indexed comparison.
    scope_domain_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("identity_domain.id", ondelete="CASCADE"), index=True, nullable=True
    )
    # "role:actor:target" — unique, because NULLs defeat a plain composite unique constraint.
    key: Mapped[str] = mapped_column(String(160), unique=True)

    __scope_label__: ClassVar[str] = "role_assignment"

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        return or_(
            cls.scope_domain_id.in_(vis.domain_ids),
            cls.project_id.in_(vis.project_ids),
            cls.user_id == user_id,
        )

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.scope_domain_id, self.project_id


class RevokedToken(Base):
    """A token revoked before its expiry; rows past `expires_at` can be purged."""

    __tablename__ = "identity_revoked_token"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
