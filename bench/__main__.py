"""Run every benchmark and print its figures."""

from __future__ import annotations

from bench import api, baremetal, identity, images, loadbalancer, scheduler, task_pipeline
from bench.harness import platform


def main() -> None:
    with platform() as p:
        figures = api.run(p)
    with platform() as p:
        figures += task_pipeline.run(p)
    with platform() as p:
        figures += identity.run(p)
    figures += scheduler.run()  # in this process, against its own database
    figures += images.main()
    # haproxy and the lb agent's own code path; no platform needed.
    figures += loadbalancer.run()
    # BMC emulators in front of libvirt domains and the baremetal agent's drivers; no platform needed.
    figures += baremetal.run()
    width = max(len(name) for name, _ in figures)
    print("\nNimbus benchmarks (this machine)")
    for name, value in figures:
        print(f"  {name.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
