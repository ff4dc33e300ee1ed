"""Cold-migration figures on the host agent's own code path: two libvirt drivers with their own
storage directories; the source serves a stopped server's disk over NBD and the target pulls it."""

from __future__ import annotations

import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from agents.host.libvirt_driver import LibvirtDriver
from agents.host.protocol import DiskSpec, ServerSpec

NODE = """<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads>
<active>2</active><mhz>2000</mhz><model>x86_64</model></cpu><memory>4194304</memory></node>"""
DISK_GB = 10
WRITTEN_MIB = (0, 256, 1024)


def _move(root: Path, written_mib: int) -> float:
    """Seconds to export, pull, define on the target and remove from the source."""
    node = root / "node.xml"
    node.write_text(NODE)
    source = LibvirtDriver("test:///default", root / f"src-{written_mib}", "bench-src")
    target = LibvirtDriver(f"test://{node}", root / f"dst-{written_mib}", "bench-dst")
    spec = ServerSpec(str(uuid.uuid4()), "bench", 1, 64, [DiskSpec(str(uuid.uuid4()), DISK_GB)])
    try:
        source.create(spec)
        source.stop(spec.id, 0)
        if written_mib:
            disk = next((root / f"src-{written_mib}" / spec.id).glob("*.qcow2"))
            command = f"write -P 0x5a 0 {written_mib}M"
            subprocess.run(["qemu-io", "-f", "qcow2", "-c", command, str(disk)], check=True, capture_output=True)
        started = time.perf_counter()
        exports = source.export_disks(spec.id)
        target.receive(spec, exports, start=False)
        source.stop_exports(spec.id)
        source.delete(spec.id)
        return time.perf_counter() - started
    finally:
        target.delete(spec.id)
        source.close()
        target.close()


def run() -> list[tuple[str, str]]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="nimbus-bench-migrate-") as tmp:
        for written in WRITTEN_MIB:
            seconds = _move(Path(tmp), written)
            rate = f", {written / seconds:.0f} MiB/s" if written else ""
            figures.append((f"cold move, {DISK_GB} GB disk, {written} MiB written", f"{seconds:.2f} s{rate}"))
    return figures


def main() -> None:
    for name, value in run():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
