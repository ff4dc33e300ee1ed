"""The BMC driver contract and the registry of drivers by protocol."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from agents.baremetal.protocol import BmcAccess, Inventory


class BmcError(Exception):
    """A BMC operation failed; `code` says how, the message carries the BMC's own answer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


UNREACHABLE = "BMC_UNREACHABLE"
AUTH_FAILED = "BMC_AUTH_FAILED"
UNSUPPORTED = "BMC_UNSUPPORTED"
BMC_ERROR = "BMC_ERROR"


class BmcDriver(Protocol):
    def inspect(self) -> Inventory: ...

    def power_state(self) -> str: ...

    def power(self, action: str) -> str:
        """Apply on/off/reset and return the power state afterwards."""
        ...

    def set_boot_device(self, device: str) -> str:
        """Set the next boot device (pxe/disk/cdrom/bios); return what the BMC reports after."""
        ...

    def close(self) -> None: ...


DriverFactory = Callable[[BmcAccess], BmcDriver]
DRIVERS: dict[str, DriverFactory] = {}


def register(protocol: str) -> Callable[[DriverFactory], DriverFactory]:
    def add(factory: DriverFactory) -> DriverFactory:
        DRIVERS[protocol] = factory
        return factory

    return add


def driver_for(access: BmcAccess) -> BmcDriver:
    # Imported here so each driver registers itself and its library loads only when used.
    from agents.baremetal.drivers import ipmi, redfish  # noqa: F401

    factory = DRIVERS.get(access.protocol)
    if factory is None:
        raise BmcError(UNSUPPORTED, f"no driver for BMC protocol {access.protocol}")
    return factory(access)
