"""IPMI over LAN (RMCP+) through pyghmi: power, boot device, chassis status, FRU inventory."""

from __future__ import annotations

import contextlib
import inspect
from typing import Any

from pyghmi import exceptions as pyghmi_exc
from pyghmi.ipmi import command
from pyghmi.ipmi.private import session

from agents.baremetal.drivers import AUTH_FAILED, BMC_ERROR, UNREACHABLE, UNSUPPORTED, BmcError, register
from agents.baremetal.protocol import BmcAccess, Inventory

# Our names for boot devices and pyghmi's.
BOOT_DEVICES = {"pxe": "network", "disk": "hd", "cdrom": "optical", "bios": "setup"}
BOOT_NAMES = {v: k for k, v in BOOT_DEVICES.items()}
INVALID_COMMAND = 0xC1


class _FallbackSession(session.Session):  # type: ignore[misc]
    """pyghmi opens RMCP+ asking for SHA-256 and only falls back when the BMC refuses the request.

    Some BMCs (virtualbmc among them) accept the SHA-256 request and then sign RAKP2 with SHA-1
    anyway; pyghmi then fails on the short digest. A 20-byte digest is the BMC saying SHA-1, so
    the session is reopened with SHA-1.
    """

    attemptedhash: int

    def _got_rakp2(self, data: Any) -> Any:
        sha256_reply = 40 + 32
        if self.attemptedhash == 256 and len(data) > 1 and data[1] == 0 and len(data) < sha256_reply:
            self.attemptedhash = 1
            self._open_rmcpplus_request()
            return None
        return super()._got_rakp2(data)


def _error(exc: Exception, what: str) -> BmcError:
    message = str(exc) if str(exc) not in ("", "None") else ""
    code = getattr(exc, "ipmicode", None)
    if "password" in message.lower() or "unauthorized" in message.lower() or "Unauthorized name" in message:
        return BmcError(AUTH_FAILED, f"the BMC refused the credentials: {message}")
    if not message or "timeout" in message.lower() or "unreachable" in message.lower():
        return BmcError(UNREACHABLE, f"no answer from the BMC while trying to {what}")
    if code == INVALID_COMMAND or "invalid command" in message.lower():
        return BmcError(UNSUPPORTED, f"the BMC does not support {what}: {message}")
    return BmcError(BMC_ERROR, f"the BMC failed to {what}: {message}")


class IpmiDriver:
    def __init__(self, access: BmcAccess) -> None:
        self.access = access
        self._cmd: command.Command | None = None

    def _command(self) -> command.Command:
        if self._cmd is None:
            a = self.access
            user, password = a.username.encode(), a.password.encode()
            try:
                # Logs in with the fallback; pyghmi's Command then finds and shares that session.
                _FallbackSession(bmc=a.address, userid=user, password=password, port=a.port, kg=None, privlevel=None)
                self._cmd = command.Command(bmc=a.address, userid=user, password=password, port=a.port)
            except (pyghmi_exc.IpmiException, OSError) as exc:
                raise _error(exc, "log in") from exc
        return self._cmd

    def _call(self, what: str, fn: str, *args: Any, **kwargs: Any) -> Any:
        cmd = self._command()
        try:
            answer = getattr(cmd, fn)(*args, **kwargs)
            # Some answers are generators that talk to the BMC while they are read.
            return list(answer) if inspect.isgenerator(answer) else answer
        except (pyghmi_exc.IpmiException, OSError) as exc:
            self._cmd = None
            raise _error(exc, what) from exc

    def power_state(self) -> str:
        return str(self._call("read the power state", "get_power")["powerstate"])

    def power(self, action: str) -> str:
        target = {"on": "on", "off": "off", "reset": "reset"}[action]
        if action == "reset" and self.power_state() == "off":
            # A chassis reset of a machine that is off does nothing on most BMCs.
            target = "on"
        self._call(f"power {action}", "set_power", target, wait=True)
        return self.power_state()

    def set_boot_device(self, device: str) -> str:
        if device not in BOOT_DEVICES:
            raise BmcError(UNSUPPORTED, f"IPMI has no boot device {device!r}")
        self._call(f"set boot device {device}", "set_bootdev", BOOT_DEVICES[device])
        # Not read back: a running machine keeps reporting its current boot until it reboots.
        return device

    def boot_device(self) -> str:
        answer = self._call("read the boot device", "get_bootdev")
        return BOOT_NAMES.get(str(answer.get("bootdev")), str(answer.get("bootdev")))

    def inspect(self) -> Inventory:
        notes: list[str] = []
        vendor = model = serial = ""
        try:
            for name, fru in self._call("read the FRU inventory", "get_inventory"):
                if not isinstance(fru, dict):
                    continue
                vendor = vendor or str(fru.get("Manufacturer") or fru.get("Board manufacturer") or "")
                model = model or str(fru.get("Product name") or fru.get("Board product name") or "")
                serial = serial or str(fru.get("Serial Number") or fru.get("Board serial number") or "")
                notes.append(f"FRU {name} read")
        except BmcError as exc:
            if exc.code != UNSUPPORTED:
                raise
            notes.append(str(exc))
        device = self._call("read the device id", "raw_command", netfn=6, command=1)
        data = bytes(device.get("data", b""))
        if len(data) >= 11:
            manufacturer = int.from_bytes(data[6:9], "little")
            product = int.from_bytes(data[9:11], "little")
            vendor = vendor or f"IANA {manufacturer}"
            model = model or f"product {product}"
        notes.append("IPMI reports no CPU, memory, disk or NIC inventory; NICs are the registered MACs")
        return Inventory(
            vendor=vendor,
            model=model,
            serial=serial,
            power_state=self.power_state(),
            boot_device=self.boot_device(),
            notes=notes,
        )

    def close(self) -> None:
        if self._cmd is not None:
            with contextlib.suppress(Exception):  # the BMC may be gone; nothing to give back then
                self._cmd.ipmi_session.logout()
            self._cmd = None


register("IPMI")(IpmiDriver)
