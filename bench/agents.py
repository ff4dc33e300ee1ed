"""Many host agents on libvirt's test driver in one process: `python -m bench.agents N`.

Each agent gets its own test-driver node file, hence its own hypervisor: `test:///default` is
one state shared by the whole process, so every agent would see (and sync) every host's domains.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import uvloop

from nimbus.processes import build_host_agent
from nimbus.settings import Settings

# A 32-core, 64 GiB host: 1,000 servers of 64 MB across 20 of them fit without overcommit.
NODE_XML = """<node>
  <cpu><mhz>2400</mhz><model>x86_64</model><nodes>1</nodes><sockets>2</sockets><cores>16</cores>
    <threads>1</threads><active>32</active></cpu>
  <memory>67108864</memory>
</node>
"""


def _node_file(storage: Path, index: int) -> Path:
    path = storage / f"node-{index:02d}.xml"
    path.write_text(NODE_XML)
    return path


async def main(count: int) -> None:
    settings = Settings()
    storage = Path(tempfile.mkdtemp(prefix="nimbus-bench-disks-"))
    agents = [
        build_host_agent(
            settings,
            libvirt_uri=f"test://{_node_file(storage, i)}",
            host_name=f"bench-{i:02d}",
            storage_dir=storage / str(i),
            handle_signals=False,
        )
        for i in range(count)
    ]
    await asyncio.gather(*(a.async_run() for a in agents))


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))  # as `nimbus agent host` runs
