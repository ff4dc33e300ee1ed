"""Error codes of the compute context."""

from enum import StrEnum


class ComputeErrorCode(StrEnum):
    INVALID = "INVALID"
    INVALID_ID = "INVALID_ID"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    DUPLICATE = "DUPLICATE"
    NOT_FOUND = "NOT_FOUND"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    NO_CAPACITY = "NO_CAPACITY"
    NETWORK_FULL = "NETWORK_FULL"
    INVALID_STATE = "INVALID_STATE"
    BUSY = "BUSY"
    IN_USE = "IN_USE"
    NOT_ALLOWED = "NOT_ALLOWED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
