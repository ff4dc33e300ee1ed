"""Error codes of the loadbalancer context."""

from enum import StrEnum


class LoadbalancerErrorCode(StrEnum):
    INVALID = "INVALID"
    INVALID_ID = "INVALID_ID"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    DUPLICATE = "DUPLICATE"
    NOT_FOUND = "NOT_FOUND"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    INVALID_STATE = "INVALID_STATE"
    BUSY = "BUSY"
    IN_USE = "IN_USE"
    NOT_ALLOWED = "NOT_ALLOWED"
    NO_CLUSTER = "NO_CLUSTER"
    NETWORK_FULL = "NETWORK_FULL"
    BAD_CERTIFICATE = "BAD_CERTIFICATE"
