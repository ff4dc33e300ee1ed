"""Relay global ids: an opaque `base64url("Type:uuid")` for every object."""

from __future__ import annotations

import base64
import binascii
import uuid

from domain.errors import DomainError


def to_global_id(type_name: str, obj_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{obj_id}".encode()).decode().rstrip("=")


def parse_global_id(value: str) -> tuple[str, uuid.UUID]:
    """Split a global id; raises ValueError when it is not one of ours."""
    if not value or len(value) > 200:
        raise ValueError("empty or oversized id")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        type_name, _, obj = raw.partition(":")
        return type_name, uuid.UUID(obj)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError(f"malformed id {value!r}") from None


def decode_id(value: str, expected: str, field: str = "id") -> uuid.UUID:
    """The uuid inside a global id of type `expected`, or an INVALID_ID payload error on `field`."""
    try:
        type_name, obj_id = parse_global_id(value)
    except ValueError:
        raise DomainError("INVALID_ID", f"{value!r} is not a valid {expected} id", field) from None
    if type_name != expected:
        raise DomainError("INVALID_ID", f"{value!r} is not a valid {expected} id", field)
    return obj_id


def decode_optional(value: str | None, expected: str, field: str) -> uuid.UUID | None:
    return None if value is None else decode_id(value, expected, field)
