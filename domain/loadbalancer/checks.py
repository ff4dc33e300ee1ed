"""Input checks of load balancer configuration, each naming the field at fault."""

from __future__ import annotations

import ipaddress
import re

from domain.errors import DomainError, InvalidInput
from domain.loadbalancer.errors import LoadbalancerErrorCode as Code

HOSTNAME_RE = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
PATH_RE = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")
COOKIE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_CIDRS = 1000


def in_range(field: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise DomainError(Code.OUT_OF_RANGE, f"{field} must be between {low} and {high}", field)
    return value


def port(value: int, field: str = "port") -> int:
    return in_range(field, value, 1, 65535)


def host_or_address(value: str, field: str = "address") -> str:
    """An IP address, or a DNS name the agents resolve when they load the configuration."""
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        pass
    if not HOSTNAME_RE.match(value):
        raise InvalidInput(field, f"{value!r} is neither an IP address nor a host name")
    return value.lower()


def hostname(value: str, field: str = "host") -> str:
    value = value.strip().lower()
    if not HOSTNAME_RE.match(value):
        raise InvalidInput(field, f"{value!r} is not a host name")
    return value


def path(value: str, field: str = "path") -> str:
    value = value.strip()
    if len(value) > 256 or not PATH_RE.match(value):
        raise InvalidInput(field, "A path starts with / and holds no spaces or quotes (at most 256 characters)")
    return value


def cookie(value: str, field: str = "stickyCookie") -> str:
    if not COOKIE_RE.match(value):
        raise InvalidInput(field, "A cookie name is 1-64 letters, digits, _ or -")
    return value


def cidrs(values: list[str], field: str = "cidrs") -> list[str]:
    if len(values) > MAX_CIDRS:
        raise DomainError(Code.OUT_OF_RANGE, f"At most {MAX_CIDRS} entries", field)
    out = []
    for raw in values:
        try:
            out.append(str(ipaddress.ip_network(raw.strip(), strict=False)))
        except ValueError:
            raise InvalidInput(field, f"{raw!r} is not an address or network in CIDR notation") from None
    return sorted(set(out), key=out.index)


def status_codes(values: list[int], field: str = "checkExpectedCodes") -> list[int]:
    for code in values:
        if not 100 <= code <= 599:
            raise DomainError(Code.OUT_OF_RANGE, f"{code} is not an HTTP status code", field)
    return sorted(set(values))
