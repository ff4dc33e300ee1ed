"""Many host agents on libvirt's test driver in one process: `python -m bench.agents N`."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from nimbus.processes import build_host_agent
from nimbus.settings import Settings


async def main(count: int) -> None:
    settings = Settings()
    storage = Path(tempfile.mkdtemp(prefix="nimbus-bench-disks-"))
    agents = [
        build_host_agent(
            settings,
            libvirt_uri="test:///default",
            host_name=f"bench-{i:02d}",
            storage_dir=storage / str(i),
            handle_signals=False,
        )
        for i in range(count)
    ]
    await asyncio.gather(*(a.async_run() for a in agents))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
