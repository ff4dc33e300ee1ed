"""The `deletedId` of delete payloads."""

from __future__ import annotations

import uuid

import strawberry

from resolvers.ids import to_global_id


def deleted_id(type_name: str, value: uuid.UUID | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(to_global_id(type_name, value))
