"""Snapshot, revert, delete, screenshot and disk-copy times of a real QEMU guest, measured at the
host driver (what a host agent does for each task), on qemu:///system: `python -m bench.snapshots`."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from agents.host.libvirt_driver import LibvirtDriver
from agents.host.protocol import DiskSpec, ServerSpec

ROUNDS = 5
URI = "qemu:///system"


def _median_ms(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _figures(driver: LibvirtDriver, spec: ServerSpec) -> list[tuple[str, str]]:
    driver.create(spec)
    counter = iter(range(1_000_000))

    def cycle_running() -> None:
        name = f"bench-{next(counter)}"
        driver.snapshot_create(spec.id, name, False)
        driver.snapshot_delete(spec.id, name)

    running = _median_ms(lambda: driver.snapshot_create(spec.id, f"run-{next(counter)}", False))
    revert = _median_ms(lambda: driver.snapshot_revert(spec.id, "run-0"))
    cycle = _median_ms(cycle_running)
    shot = _median_ms(lambda: driver.screenshot(spec.id))
    shot_bytes = len(driver.screenshot(spec.id)[1])
    export = _median_ms(lambda: driver.export_disk(spec.id, spec.disks[0].id, "bench").unlink(), rounds=3)
    driver.stop(spec.id, 0)
    stopped = _median_ms(lambda: driver.snapshot_create(spec.id, f"off-{next(counter)}", False))
    return [
        ("snapshot of a running 64 MiB guest (disk + memory)", f"{running:.0f} ms median of {ROUNDS}"),
        ("revert to it (guest running again)", f"{revert:.0f} ms"),
        ("snapshot + delete, running", f"{cycle:.0f} ms"),
        ("snapshot of the stopped guest (disk only)", f"{stopped:.0f} ms"),
        ("screenshot (720x400 PNG)", f"{shot:.0f} ms, {shot_bytes} bytes"),
        ("copy of a 1 GiB root disk for an image (running)", f"{export:.0f} ms median of 3"),
    ]


def run() -> list[tuple[str, str]]:
    if shutil.which("qemu-img") is None:
        return [("snapshots", "skipped: qemu-img (qemu-utils) is needed")]
    storage = Path(tempfile.mkdtemp(prefix="nimbus-bench-snap-"))
    driver = LibvirtDriver(URI, storage, "bench-snap")
    spec = ServerSpec(
        id=str(uuid.uuid4()),
        name=f"bench-snap-{uuid.uuid4().hex[:6]}",
        vcpus=1,
        memory_mb=64,
        disks=[DiskSpec(id=str(uuid.uuid4()), size_gb=1)],
    )
    try:
        return _figures(driver, spec)
    except subprocess.SubprocessError as exc:
        return [("snapshots", f"failed: {exc}")]
    finally:
        driver.delete(spec.id)
        driver.close()
        shutil.rmtree(storage, ignore_errors=True)


if __name__ == "__main__":
    for name, value in run():
        print(f"  {name}: {value}")
