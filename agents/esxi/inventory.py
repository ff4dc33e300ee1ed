"""Following an account's inventory with one PropertyCollector filter per datacenter.

The first `WaitForUpdatesEx` (version "") returns everything: that is the snapshot. Later calls
return only what changed since the version they name, so nothing is listed twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pyVmomi import vim, vmodl

log = logging.getLogger("nimbus.agent.esxi")
MIB = 1024 * 1024
GIB = 1024 * MIB

# Properties read per managed object type, and how they become a record.
PROPERTIES: dict[type, list[str]] = {
    vim.ClusterComputeResource: ["name"],
    vim.HostSystem: [
        "name",
        "parent",
        "summary.hardware.numCpuThreads",
        "summary.hardware.memorySize",
        "runtime.connectionState",
        "datastore",
    ],
    vim.Datastore: ["name", "summary.capacity", "summary.freeSpace"],
    vim.Network: ["name"],
    vim.VirtualMachine: [
        "name",
        "runtime.host",
        "runtime.powerState",
        "config.hardware.numCPU",
        "config.hardware.memoryMB",
        "config.instanceUuid",
        "config.template",
        "summary.storage.committed",
    ],
}
KIND_OF = {
    vim.ClusterComputeResource: "cluster",
    vim.HostSystem: "host",
    vim.Datastore: "datastore",
    vim.Network: "network",
    vim.VirtualMachine: "vm",
}
POWER = {"poweredOn": "on", "poweredOff": "off", "suspended": "suspended"}


def _kind(obj: Any) -> str | None:
    for cls, kind in KIND_OF.items():
        if isinstance(obj, cls):
            return kind
    return None


def _record(
    kind: str, moref: str, datacenter: str, props: dict[str, Any], known: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """A record for the controller from the properties we hold for one object."""
    name = str(props.get("name", moref))
    if kind == "host":
        parent = props.get("parent")
        datastores = [d._moId for d in props.get("datastore") or []]
        storage = sum(known.get(d, {}).get("capacity_gb", 0) for d in datastores)
        return {
            "moref": moref,
            "name": name,
            "datacenter": datacenter,
            "cluster": parent._moId if isinstance(parent, vim.ClusterComputeResource) else None,
            "cpus": int(props.get("summary.hardware.numCpuThreads") or 0),
            "memory_mb": int((props.get("summary.hardware.memorySize") or 0) // MIB),
            "storage_gb": int(storage),
            "connected": props.get("runtime.connectionState") == "connected",
            "datastores": datastores,
        }
    if kind == "vm":
        host = props.get("runtime.host")
        return {
            "moref": moref,
            "name": name,
            "datacenter": datacenter,
            "host": host._moId if host is not None else None,
            "instance_uuid": str(props.get("config.instanceUuid") or ""),
            "vcpus": int(props.get("config.hardware.numCPU") or 1),
            "memory_mb": int(props.get("config.hardware.memoryMB") or 0),
            "disk_gb": max(1, -(-int(props.get("summary.storage.committed") or 0) // GIB)),
            "power": POWER.get(str(props.get("runtime.powerState")), "off"),
            "template": bool(props.get("config.template")),
        }
    if kind == "datastore":
        return {
            "moref": moref,
            "name": name,
            "datacenter": datacenter,
            "capacity_gb": int((props.get("summary.capacity") or 0) // GIB),
            "free_gb": int((props.get("summary.freeSpace") or 0) // GIB),
        }
    return {"moref": moref, "name": name, "datacenter": datacenter}


@dataclass
class Change:
    """What one WaitForUpdatesEx round returned: records to upsert and morefs that left."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    gone: dict[str, list[str]] = field(default_factory=dict)

    def empty(self) -> bool:
        return not any(self.records.values()) and not any(self.gone.values())

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "gone": self.gone}


class Inventory:
    """The account's objects as last seen, kept current by property collector updates."""

    def __init__(self, si: Any, datacenters: tuple[str, ...]) -> None:
        self.si = si
        content = si.RetrieveContent()
        self._pc = content.propertyCollector.CreatePropertyCollector()
        self.version = ""
        self.props: dict[str, dict[str, Any]] = {}  # moref -> property values
        self.kinds: dict[str, str] = {}  # moref -> kind
        self.dc_of: dict[str, str] = {}  # moref -> datacenter moref
        self.datacenters: list[dict[str, Any]] = []
        self._filters: dict[str, str] = {}  # filter moref -> datacenter moref
        self._views: list[Any] = []
        wanted = set(datacenters)
        for dc in content.rootFolder.childEntity:
            if not isinstance(dc, vim.Datacenter) or (wanted and dc.name not in wanted):
                continue
            self.datacenters.append({"moref": dc._moId, "name": dc.name})
            self._watch(content, dc)

    def _watch(self, content: Any, dc: Any) -> None:
        view = content.viewManager.CreateContainerView(dc, list(PROPERTIES), True)
        self._views.append(view)
        traverse = vmodl.query.PropertyCollector.TraversalSpec(
            name="view", path="view", skip=False, type=vim.view.ContainerView
        )
        spec = vmodl.query.PropertyCollector.FilterSpec(
            objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[traverse])],
            propSet=[
                vmodl.query.PropertyCollector.PropertySpec(type=t, pathSet=paths) for t, paths in PROPERTIES.items()
            ],
        )
        flt = self._pc.CreateFilter(spec, partialUpdates=True)
        self._filters[flt._moId] = dc._moId

    def wait(self, max_wait_s: int) -> Change | None:
        """One round of updates, or None when nothing changed within `max_wait_s`."""
        options = vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=max_wait_s)
        touched: set[str] = set()
        left: set[str] = set()
        while True:
            result = self._pc.WaitForUpdatesEx(self.version, options)
            if result is None:
                break
            self.version = result.version
            for fs in result.filterSet or []:
                dc = self._filters.get(fs.filter._moId, "")
                for update in fs.objectSet or []:
                    self._apply(update, dc, touched, left)
            if not result.truncated:
                break
        if not touched and not left:
            return None
        return self._change(touched, left)

    def _apply(self, update: Any, dc: str, touched: set[str], left: set[str]) -> None:
        moref = update.obj._moId
        if update.kind == "leave":
            left.add(moref)
            touched.discard(moref)
            return
        kind = _kind(update.obj)
        if kind is None:
            return
        self.kinds[moref] = kind
        self.dc_of[moref] = dc
        props = self.props.setdefault(moref, {})
        for change in update.changeSet or []:
            if change.op == "remove":
                props.pop(change.name, None)
            else:
                props[change.name] = change.val
        touched.add(moref)
        left.discard(moref)

    def _change(self, touched: set[str], left: set[str]) -> Change:
        change = Change()
        # Datastores first: a host's storage is the sum of its datastores.
        order = sorted(touched, key=lambda m: self.kinds[m] != "datastore")
        known: dict[str, dict[str, Any]] = {}
        for moref, kind in self.kinds.items():
            if kind == "datastore" and moref not in left:
                known[moref] = _record(kind, moref, self.dc_of[moref], self.props[moref], {})
        for moref in order:
            kind = self.kinds[moref]
            change.records.setdefault(kind, []).append(
                _record(kind, moref, self.dc_of[moref], self.props[moref], known)
            )
        for moref in left:
            self.props.pop(moref, None)
            self.dc_of.pop(moref, None)
            if moref in self.kinds:
                change.gone.setdefault(self.kinds.pop(moref), []).append(moref)
        return change

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every object held, as records (after the first `wait`)."""
        change = self._change(set(self.kinds), set())
        return {"datacenter": list(self.datacenters), **change.records}

    def close(self) -> None:
        try:
            self._pc.Destroy()
            for view in self._views:
                view.Destroy()
        except Exception:  # the session may be gone; the server drops its objects with it
            log.debug("could not destroy the collector", exc_info=True)
