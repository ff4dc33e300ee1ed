"""Snapshot, screenshot and rebuild operations of LibvirtDriver on libvirt's test driver."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.host import snapshots
from agents.host.driver import DriverError
from agents.host.libvirt_driver import LibvirtDriver
from agents.host.protocol import DiskSpec, DomainStatus, ServerSpec


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[LibvirtDriver]:
    driver = LibvirtDriver("test:///default", tmp_path / "storage", "host-1")
    yield driver
    driver.close()


@pytest.fixture
def spec(driver: LibvirtDriver) -> Iterator[ServerSpec]:
    spec = ServerSpec(id=str(uuid.uuid4()), name="snap", vcpus=1, memory_mb=64, disks=[DiskSpec(str(uuid.uuid4()), 1)])
    driver.create(spec)
    yield spec
    driver.delete(spec.id)


def test_snapshot_operations_are_idempotent(driver: LibvirtDriver, spec: ServerSpec) -> None:
    assert driver.snapshot_create(spec.id, "s1", False).status is DomainStatus.RUNNING
    driver.snapshot_create(spec.id, "s1", False)  # a resent job finds it done
    assert driver.snapshot_revert(spec.id, "s1").status is DomainStatus.RUNNING
    driver.snapshot_delete(spec.id, "s1")
    driver.snapshot_delete(spec.id, "s1")  # already gone is fine
    with pytest.raises(DriverError, match="has no snapshot s1"):
        driver.snapshot_revert(spec.id, "s1")


def test_snapshots_of_an_unknown_server_are_refused(driver: LibvirtDriver) -> None:
    with pytest.raises(DriverError, match="has no domain on host host-1"):
        driver.snapshot_create(str(uuid.uuid4()), "s1", False)


def test_screenshot_needs_a_running_server(driver: LibvirtDriver, spec: ServerSpec) -> None:
    mime, data = driver.screenshot(spec.id)
    assert mime == "image/png"
    assert data.startswith(b"\x89PNG")
    driver.stop(spec.id, 0)
    with pytest.raises(DriverError, match="not running"):
        driver.screenshot(spec.id)


def test_swap_in_is_undone_by_swap_back(tmp_path: Path) -> None:
    disk, rebuilt, aside = tmp_path / "d.qcow2", tmp_path / ".d.rebuilt", tmp_path / ".d.aside"
    disk.write_text("old")
    rebuilt.write_text("new")
    snapshots.swap_in(disk, rebuilt, aside)
    snapshots.swap_in(disk, rebuilt, aside)  # a retry after the swap changes nothing
    assert (disk.read_text(), aside.read_text(), rebuilt.exists()) == ("new", "old", False)
    snapshots.swap_back(disk, rebuilt, aside)
    assert (disk.read_text(), aside.exists(), rebuilt.exists()) == ("old", False, False)
