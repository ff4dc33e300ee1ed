"""Redfish through sushy: systems, power/reset, boot source override, inventory."""

from __future__ import annotations

from typing import Any

import sushy
from sushy import exceptions as sushy_exc

from agents.baremetal.drivers import AUTH_FAILED, BMC_ERROR, UNREACHABLE, UNSUPPORTED, BmcError, register
from agents.baremetal.protocol import BmcAccess, Inventory, Nic

BOOT_DEVICES = {
    "pxe": sushy.BOOT_SOURCE_TARGET_PXE,
    "disk": sushy.BOOT_SOURCE_TARGET_HDD,
    "cdrom": sushy.BOOT_SOURCE_TARGET_CD,
    "bios": sushy.BOOT_SOURCE_TARGET_BIOS_SETUP,
}
BOOT_NAMES = {v: k for k, v in BOOT_DEVICES.items()}
READ_TIMEOUT_S = 60
RESETS = {"on": sushy.RESET_ON, "off": sushy.RESET_FORCE_OFF, "reset": sushy.RESET_FORCE_RESTART}


def _error(exc: Exception, what: str) -> BmcError:
    if isinstance(exc, sushy_exc.AccessError):
        return BmcError(AUTH_FAILED, f"the BMC refused the credentials: {exc}")
    if isinstance(exc, sushy_exc.ConnectionError):
        return BmcError(UNREACHABLE, f"no answer from the BMC while trying to {what}: {exc}")
    if isinstance(exc, sushy_exc.MissingAttributeError | sushy_exc.MissingActionError):
        return BmcError(UNSUPPORTED, f"the BMC does not support {what}: {exc}")
    return BmcError(BMC_ERROR, f"the BMC failed to {what}: {exc}")


class RedfishDriver:
    def __init__(self, access: BmcAccess) -> None:
        self.access = access
        self._root: sushy.Sushy | None = None

    def _guard(self, what: str, fn: Any) -> Any:
        try:
            return fn()
        except sushy_exc.SushyError as exc:
            raise _error(exc, what) from exc

    def _system(self) -> Any:
        a = self.access

        def connect() -> Any:
            if self._root is None:
                base = a.address if "://" in a.address else f"http://{a.address}:{a.port}"
                # An unreachable BMC fails in seconds; a slow power action still gets its time; a 5xx is not retried for minutes.
                self._root = sushy.Sushy(
                    base,
                    verify=False,
                    auth=sushy.auth.BasicAuth(a.username, a.password),
                    read_timeout=READ_TIMEOUT_S,
                    connect_timeout=a.timeout_s,
                    server_side_retries=1,
                    server_side_retries_delay=1,
                )
            members = self._root.get_system_collection().members_identities
            if a.system_id:
                wanted = [m for m in members if m.rstrip("/").endswith(a.system_id)]
                if not wanted:
                    raise sushy_exc.MissingAttributeError(attribute=f"system {a.system_id}", resource=a.address)
                return self._root.get_system(wanted[0])
            if len(members) != 1:
                raise sushy_exc.MissingAttributeError(attribute="a single system (set systemId)", resource=a.address)
            return self._root.get_system(members[0])

        return self._guard("reach the system", connect)

    def power_state(self) -> str:
        system = self._system()
        return str(system.power_state.value).lower()

    def power(self, action: str) -> str:
        system = self._system()
        reset = RESETS[action]
        if action == "reset" and str(system.power_state.value).lower() == "off":
            reset = sushy.RESET_ON
        self._guard(f"power {action}", lambda: system.reset_system(reset))
        return self.power_state()

    def set_boot_device(self, device: str) -> str:
        if device not in BOOT_DEVICES:
            raise BmcError(UNSUPPORTED, f"Redfish has no boot device {device!r}")
        system = self._system()
        self._guard(
            f"set boot device {device}",
            lambda: system.set_system_boot_options(BOOT_DEVICES[device], enabled=sushy.BOOT_SOURCE_ENABLED_ONCE),
        )
        system.refresh()
        return BOOT_NAMES.get(system.boot.target, str(system.boot.target))

    def inspect(self) -> Inventory:
        system = self._system()
        notes: list[str] = []

        def optional(what: str, fn: Any, default: Any) -> Any:
            try:
                return fn()
            except sushy_exc.SushyError as exc:
                notes.append(f"{what}: {exc}")
                return default

        cpus = optional("processors", lambda: system.processors.summary.count, None)
        memory_gib = optional("memory", lambda: system.memory_summary.size_gib, None)
        nics = optional(
            "ethernet interfaces",
            lambda: [
                Nic(mac=str(e.mac_address).lower(), name=e.identity) for e in system.ethernet_interfaces.get_members()
            ],
            [],
        )
        disks = optional("storage", lambda: self._disk_sizes(system), [])
        return Inventory(
            cpus=cpus,
            memory_mb=int(memory_gib * 1024) if memory_gib is not None else None,
            disks_gb=disks,
            nics=nics,
            vendor=system.manufacturer or "",
            model=system.model or "",
            serial=system.serial_number or "",
            power_state=str(system.power_state.value).lower(),
            boot_device=BOOT_NAMES.get(system.boot.target, str(system.boot.target or "")),
            notes=notes,
        )

    @staticmethod
    def _disk_sizes(system: Any) -> list[int]:
        # Older BMCs describe disks as SimpleStorage, newer ones as Storage with Drives.
        try:
            sizes = system.simple_storage.disks_sizes_bytes
        except sushy_exc.SushyError:
            sizes = system.storage.drives_sizes_bytes
        return [int(b) // 2**30 for b in sizes]

    def close(self) -> None:
        self._root = None


register("REDFISH")(RedfishDriver)
