"""LibvirtDriver on libvirt's test:///default driver, with real qemu-img disks in a temporary dir."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.host.driver import DriverError, HostDriver
from agents.host.libvirt_driver import LibvirtDriver
from agents.host.protocol import DiskSpec, DomainState, DomainStatus, NicSpec, ServerSpec


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    return tmp_path / "storage"


@pytest.fixture
def driver(storage: Path) -> Iterator[LibvirtDriver]:
    driver = LibvirtDriver("test:///default", storage, "host-1")
    yield driver
    driver.close()


def _spec(name: str = "web", disks: int = 2) -> ServerSpec:
    return ServerSpec(
        id=str(uuid.uuid4()),
        name=name,
        vcpus=1,
        memory_mb=64,
        disks=[DiskSpec(id=str(uuid.uuid4()), size_gb=1, boot_index=i) for i in range(disks)],
        nics=[NicSpec(id="nic", mac="52:54:00:12:34:56", ip="10.0.0.2")],
    )


def test_it_is_a_host_driver(driver: LibvirtDriver) -> None:
    honours: HostDriver = driver
    assert honours is driver


def test_create_runs_the_domain_and_makes_the_disks(driver: LibvirtDriver, storage: Path) -> None:
    spec = _spec()

    state = driver.create(spec)

    assert state == DomainState(spec.id, DomainStatus.RUNNING, None)
    assert driver.state(spec.id).status is DomainStatus.RUNNING
    for disk in spec.disks:
        assert (storage / spec.id / f"{disk.id}.qcow2").is_file()


def test_create_is_idempotent(driver: LibvirtDriver) -> None:
    spec = _spec()
    driver.create(spec)

    assert driver.create(spec).status is DomainStatus.RUNNING
    assert [d.server_id for d in driver.list_domains()] == [spec.id]

    driver.stop(spec.id, timeout_s=1)
    assert driver.create(spec).status is DomainStatus.RUNNING  # a stopped one is started again


def test_stop_start_reboot(driver: LibvirtDriver) -> None:
    spec = _spec()
    driver.create(spec)

    assert driver.stop(spec.id, timeout_s=5).status is DomainStatus.STOPPED
    assert driver.state(spec.id).status is DomainStatus.STOPPED
    assert driver.stop(spec.id, timeout_s=5).status is DomainStatus.STOPPED

    assert driver.start(spec.id).status is DomainStatus.RUNNING
    assert driver.start(spec.id).status is DomainStatus.RUNNING

    assert driver.reboot(spec.id).status is DomainStatus.RUNNING
    driver.stop(spec.id, timeout_s=5)
    assert driver.reboot(spec.id).status is DomainStatus.RUNNING  # rebooting a stopped one starts it


def test_start_resumes_a_paused_domain(driver: LibvirtDriver) -> None:
    spec = _spec(disks=0)
    driver.create(spec)
    driver._call("pause", lambda conn: conn.lookupByUUIDString(spec.id).suspend())
    assert driver.state(spec.id).status is DomainStatus.PAUSED

    assert driver.start(spec.id).status is DomainStatus.RUNNING


def test_delete_removes_domain_and_disks(driver: LibvirtDriver, storage: Path) -> None:
    spec = _spec()
    driver.create(spec)

    driver.delete(spec.id)

    assert driver.state(spec.id) == DomainState(spec.id, DomainStatus.MISSING)
    assert not (storage / spec.id).exists()
    assert driver.list_domains() == []
    driver.delete(spec.id)  # again: nothing to do, no error


def test_delete_of_a_stopped_domain(driver: LibvirtDriver) -> None:
    spec = _spec(disks=0)
    driver.create(spec)
    driver.stop(spec.id, timeout_s=1)

    driver.delete(spec.id)

    assert driver.state(spec.id).status is DomainStatus.MISSING


def test_list_domains_only_lists_nimbus_domains(driver: LibvirtDriver) -> None:
    builtin = driver._call("look up", lambda conn: conn.lookupByName("test"))
    assert builtin.isActive()  # the test driver's own domain exists and runs

    assert driver.list_domains() == []
    first, second = _spec("a"), _spec("b", disks=0)
    driver.create(first)
    driver.create(second)
    driver.stop(second.id, timeout_s=1)

    listed = {state.server_id: state.status for state in driver.list_domains()}
    assert listed == {first.id: DomainStatus.RUNNING, second.id: DomainStatus.STOPPED}


def test_facts(driver: LibvirtDriver) -> None:
    facts = driver.facts()

    assert facts.name == "host-1"
    assert facts.libvirt_uri == "test:///default"
    assert facts.hypervisor == "test"
    assert facts.cpus > 0
    assert facts.memory_mb > 0
    assert facts.storage_gb >= 0
    assert facts.arch


@pytest.mark.parametrize("operation", ["start", "reboot"])
def test_unknown_server_is_a_driver_error(driver: LibvirtDriver, operation: str) -> None:
    server_id = str(uuid.uuid4())
    with pytest.raises(DriverError, match=f"server {server_id} has no domain on host host-1"):
        getattr(driver, operation)(server_id)
    with pytest.raises(DriverError, match="has no domain"):
        driver.stop(server_id, timeout_s=1)
    assert driver.state(server_id).status is DomainStatus.MISSING


def test_libvirt_errors_carry_libvirt_message(driver: LibvirtDriver) -> None:
    with pytest.raises(DriverError, match="cannot read the state of server not-a-uuid: Invalid UUID"):
        driver.state("not-a-uuid")

    first = _spec("same")
    clash = ServerSpec(id=first.id[:8] + str(uuid.uuid4())[8:], name="same", vcpus=1, memory_mb=64)
    driver.create(first)
    with pytest.raises(DriverError, match=f"cannot create server {clash.id}: .*already"):
        driver.create(clash)  # another domain already has the name nimbus-<first 8>-same


def test_unreachable_libvirt_is_a_driver_error(storage: Path) -> None:
    driver = LibvirtDriver("qemu+unix:///system?socket=/nonexistent/sock", storage, "host-1")
    with pytest.raises(DriverError, match="unreachable"):
        driver.list_domains()


def test_concurrent_calls_for_different_servers(driver: LibvirtDriver) -> None:
    specs = [_spec(f"s{i}", disks=1) for i in range(8)]
    errors: list[BaseException] = []

    def lifecycle(spec: ServerSpec) -> None:
        try:
            driver.create(spec)
            driver.stop(spec.id, timeout_s=1)
            driver.start(spec.id)
            driver.delete(spec.id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=lifecycle, args=(spec,)) for spec in specs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert driver.list_domains() == []
