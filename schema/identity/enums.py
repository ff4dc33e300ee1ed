"""Enums of the identity schema."""

from __future__ import annotations

from enum import Enum

import strawberry

from domain.identity.errors import IdentityErrorCode as _Code

IdentityErrorCode = strawberry.enum(_Code, description="Why an identity mutation was refused.")


@strawberry.enum(description="Fields projects, users, groups and domains can be sorted by.")
class NamedOrderField(Enum):
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.enum(description="Fields role assignments can be sorted by.")
class RoleAssignmentOrderField(Enum):
    CREATED_AT = "created_at"
