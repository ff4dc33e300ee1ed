"""Error codes of the cloud context."""

from enum import StrEnum


class CloudErrorCode(StrEnum):
    INVALID = "INVALID"
    INVALID_ID = "INVALID_ID"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    DUPLICATE = "DUPLICATE"
    NOT_FOUND = "NOT_FOUND"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    NOT_ALLOWED = "NOT_ALLOWED"
    UNKNOWN_PROVIDER = "UNKNOWN_PROVIDER"
    BUSY = "BUSY"
