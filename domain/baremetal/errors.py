"""Error codes of the baremetal context."""

from enum import StrEnum


class Code(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    NAME_TAKEN = "NAME_TAKEN"
    BUSY = "BUSY"
    INVALID_STATE = "INVALID_STATE"
    INVALID = "INVALID"
