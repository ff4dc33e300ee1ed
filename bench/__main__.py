"""Run every benchmark and print its figures."""

from __future__ import annotations

from bench import (
    api,
    baremetal,
    esxi_sync,
    identity,
    images,
    loadbalancer,
    migration,
    multicloud,
    scheduler,
    server_devices,
    snapshots,
    task_pipeline,
)
from bench.harness import platform


def main() -> None:
    with platform() as p:
        figures = api.run(p)
    with platform() as p:
        figures += task_pipeline.run(p)
    with platform() as p:
        figures += identity.run(p)
    with platform() as p:
        figures += multicloud.run(p)
    figures += scheduler.run()  # in this process, against its own database
    figures += images.main()
    # haproxy and the lb agent's own code path; no platform needed.
    figures += loadbalancer.run()
    # Real QEMU guests on qemu:///system, at the host driver.
    figures += snapshots.run()
    # A real QEMU guest on qemu:///system: volumes, hotplug and resize.
    figures += server_devices.main()
    figures += migration.run()  # the host agent's disk transfer; no platform needed
    figures += esxi_sync.main()  # govmomi's vCenter simulator, 20 hosts and 1,000 VMs
    # BMC emulators in front of libvirt domains and the baremetal agent's drivers; no platform needed.
    figures += baremetal.run()
    width = max(len(name) for name, _ in figures)
    print("\nNimbus benchmarks (this machine)")
    for name, value in figures:
        print(f"  {name.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
