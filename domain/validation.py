"""Input checks shared by every context; each failure names the field it is about."""

from __future__ import annotations

import re

from domain.errors import InvalidInput

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_name(value: str | None, *, field: str = "name", max_length: int = 64) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(field, "A name is required", "REQUIRED")
    if len(value) > max_length:
        raise InvalidInput(field, f"Names are at most {max_length} characters", "TOO_LONG")
    if not NAME_RE.match(value):
        raise InvalidInput(
            field,
            "Use letters, digits and . _ @ - only, starting with a letter or digit",
        )
    return value


def has_control_chars(value: str, *, allow_newlines: bool = False) -> bool:
    allowed = {"\n", "\r", "\t"} if allow_newlines else set()
    return any((ord(c) < 32 or ord(c) == 127) and c not in allowed for c in value)


def check_text(value: str | None, *, field: str = "description", max_length: int = 1024) -> str:
    value = value or ""
    if has_control_chars(value, allow_newlines=True):
        raise InvalidInput(field, "Control characters are not allowed")
    if len(value) > max_length:
        raise InvalidInput(field, f"At most {max_length} characters", "TOO_LONG")
    return value


def check_email(value: str | None, *, field: str = "email") -> str | None:
    if not value:
        return None
    if len(value) > 254 or has_control_chars(value) or not EMAIL_RE.match(value):
        raise InvalidInput(field, "Not a valid e-mail address")
    return value
