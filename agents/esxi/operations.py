"""VM operations: each starts a vSphere task and waits for it, reporting its progress."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pyVmomi import vim, vmodl

from agents.esxi.protocol import VmSpec
from agents.esxi.session import VsphereError, fault_message

Progress = Callable[[int], None]
TASK_POLL_S = 0.2
TASK_TIMEOUT_S = 600
POWERED_ON = "poweredOn"  # vim.VirtualMachine.PowerState, compared as the string it is


def _task_info(task: Any) -> dict[str, Any]:
    # Read the fields, not `info` whole: some servers (vcsim) fill `info.entity` with a snapshot,
    # which pyvmomi refuses to deserialize as a ManagedEntity.
    pc = vmodl.query.PropertyCollector
    spec = pc.FilterSpec(
        objectSet=[pc.ObjectSpec(obj=task)],
        propSet=[pc.PropertySpec(type=vim.Task, pathSet=["info.state", "info.progress", "info.error", "info.result"])],
    )
    collector = vim.ServiceInstance("ServiceInstance", task._stub).content.propertyCollector
    result = collector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
    return {p.name: p.val for p in result.objects[0].propSet} if result and result.objects else {}


def wait_task(task: Any, progress: Progress) -> Any:
    """The task's result once it succeeds; its fault's message as a VsphereError when it fails."""
    deadline = time.monotonic() + TASK_TIMEOUT_S
    last = -1
    while time.monotonic() < deadline:
        info = _task_info(task)
        state = info.get("info.state")
        if state == vim.TaskInfo.State.success:
            return info.get("info.result")
        if state == vim.TaskInfo.State.error:
            raise VsphereError(fault_message(info["info.error"]))
        done = info.get("info.progress")
        if done is not None and done != last:
            last = done
            progress(int(done))
        time.sleep(TASK_POLL_S)
    raise VsphereError(f"vSphere task {task._moId} did not finish in {TASK_TIMEOUT_S} s")


def _vm(si: Any, moref: str) -> Any:
    vm = vim.VirtualMachine(moref, si._stub)
    try:
        vm.name  # noqa: B018  (resolves the reference: a VM that is gone raises here)
    except vmodl.fault.ManagedObjectNotFound:
        raise VsphereError(f"the VM {moref} no longer exists") from None
    return vm


def state(vm: Any) -> dict[str, Any]:
    return {"moref": vm._moId, "power": str(vm.runtime.powerState), "host": vm.runtime.host._moId}


def power(si: Any, moref: str, action: str, progress: Progress) -> dict[str, Any]:
    """power_on, power_off, reset; already in the wanted state is success (jobs may run twice)."""
    vm = _vm(si, moref)
    on = vm.runtime.powerState == POWERED_ON
    if action == "power_on" and not on:
        wait_task(vm.PowerOnVM_Task(), progress)
    elif action == "power_off" and on:
        wait_task(vm.PowerOffVM_Task(), progress)
    elif action == "reset":
        if not on:
            raise VsphereError("the VM is powered off; power it on instead")
        wait_task(vm.ResetVM_Task(), progress)
    return state(vm)


def destroy(si: Any, moref: str, progress: Progress) -> dict[str, Any]:
    try:
        vm = _vm(si, moref)
    except VsphereError:
        return {"moref": moref, "power": "gone"}  # deleted already: a resent job is done
    if vm.runtime.powerState == POWERED_ON:
        wait_task(vm.PowerOffVM_Task(), progress)
    wait_task(vm.Destroy_Task(), progress)
    return {"moref": moref, "power": "gone"}


def destroy_server(si: Any, server_id: str, progress: Progress) -> dict[str, Any]:
    """Remove the VM made for a server, if there is one (a failed create's clean-up)."""
    vm = _existing(si, server_id)
    return destroy(si, vm._moId, progress) if vm is not None else {"moref": "", "power": "gone"}


def reconfigure(si: Any, moref: str, vcpus: int, memory_mb: int, progress: Progress) -> dict[str, Any]:
    vm = _vm(si, moref)
    wait_task(vm.ReconfigVM_Task(vim.vm.ConfigSpec(numCPUs=vcpus, memoryMB=memory_mb)), progress)
    return {**state(vm), "vcpus": vm.config.hardware.numCPU, "memory_mb": vm.config.hardware.memoryMB}


def _snapshots(tree: Any) -> list[Any]:
    found = []
    for node in tree or []:
        found.append(node)
        found.extend(_snapshots(node.childSnapshotList))
    return found


def _snapshot(vm: Any, name: str) -> Any:
    tree = vm.snapshot.rootSnapshotList if vm.snapshot else []
    for node in _snapshots(tree):
        if node.name == name:
            return node.snapshot
    raise VsphereError(f"the VM has no snapshot named {name!r}")


def snapshot(si: Any, moref: str, op: str, name: str, progress: Progress) -> dict[str, Any]:
    """create / revert / delete the snapshot `name`."""
    vm = _vm(si, moref)
    if op == "create":
        wait_task(vm.CreateSnapshot_Task(name=name, description="", memory=False, quiesce=False), progress)
    elif op == "revert":
        wait_task(_snapshot(vm, name).RevertToSnapshot_Task(), progress)
    elif op == "delete":
        wait_task(_snapshot(vm, name).RemoveSnapshot_Task(removeChildren=False), progress)
    else:
        raise VsphereError(f"unknown snapshot operation {op!r}")
    # Not the snapshot list afterwards: vcsim fails reading it after a removal.
    return {**state(vm), "snapshot": name}


def _existing(si: Any, server_id: str) -> Any:
    """The VM a previous run of this job created already, found by its instance UUID."""
    return si.RetrieveContent().searchIndex.FindByUuid(None, server_id, True, True)


def create(si: Any, spec: VmSpec, progress: Progress) -> dict[str, Any]:
    """Clone `spec.source`, or create a blank VM on `spec.host`; the instance UUID is the server's."""
    vm = _existing(si, spec.server_id)
    if vm is None:
        config = vim.vm.ConfigSpec(
            name=spec.name, numCPUs=spec.vcpus, memoryMB=spec.memory_mb, instanceUuid=spec.server_id
        )
        vm = _clone(si, spec, config, progress) if spec.source else _create(si, spec, config, progress)
    if spec.power_on and vm.runtime.powerState != POWERED_ON:
        wait_task(vm.PowerOnVM_Task(), progress)
    return state(vm)


def _clone(si: Any, spec: VmSpec, config: Any, progress: Progress) -> Any:
    source = _vm(si, spec.source)
    clone_spec = vim.vm.CloneSpec(location=vim.vm.RelocateSpec(), powerOn=False, template=False, config=config)
    vm = wait_task(source.CloneVM_Task(folder=source.parent, name=spec.name, spec=clone_spec), progress)
    if vm.config.hardware.numCPU != spec.vcpus or vm.config.hardware.memoryMB != spec.memory_mb:
        # Not every vCenter applies the clone spec's sizes: set them on the copy.
        wait_task(vm.ReconfigVM_Task(vim.vm.ConfigSpec(numCPUs=spec.vcpus, memoryMB=spec.memory_mb)), progress)
    return vm


def _datacenter_of(entity: Any) -> Any:
    while entity is not None and not isinstance(entity, vim.Datacenter):
        entity = entity.parent
    if entity is None:
        raise VsphereError("the host belongs to no datacenter")
    return entity


def _create(si: Any, spec: VmSpec, config: Any, progress: Progress) -> Any:
    if not spec.host:
        raise VsphereError("no host to create the VM on")
    host = vim.HostSystem(spec.host, si._stub)
    datastores = sorted(host.datastore, key=lambda d: d.summary.freeSpace, reverse=True)
    if not datastores:
        raise VsphereError(f"host {host.name} has no datastore")
    config.files = vim.vm.FileInfo(vmPathName=f"[{datastores[0].name}]")
    config.guestId = "otherGuest64"
    disk = vim.vm.device.VirtualDeviceSpec(
        operation=vim.vm.device.VirtualDeviceSpec.Operation.add,
        fileOperation=vim.vm.device.VirtualDeviceSpec.FileOperation.create,
        device=vim.vm.device.VirtualDisk(
            capacityInKB=spec.disk_gb * 1024 * 1024,
            controllerKey=1000,
            unitNumber=0,
            backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(diskMode="persistent", thinProvisioned=True),
        ),
    )
    controller = vim.vm.device.VirtualDeviceSpec(
        operation=vim.vm.device.VirtualDeviceSpec.Operation.add,
        device=vim.vm.device.ParaVirtualSCSIController(key=1000, busNumber=0, sharedBus="noSharing"),
    )
    config.deviceChange = [controller, disk]
    folder = _datacenter_of(host).vmFolder
    compute: Any = host.parent
    pool = compute.resourcePool
    return wait_task(folder.CreateVM_Task(config=config, pool=pool, host=host), progress)
