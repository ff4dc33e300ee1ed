"""Why hosts were turned down: per host, and counted per filter and reason for messages."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from domain.compute.scheduler.request import Reason
from domain.compute.scheduler.state import HostState


@dataclass
class Explanation:
    checked: int
    rejections: list[tuple[HostState, Reason]] = field(default_factory=list)

    def counts(self) -> list[tuple[str, str, int]]:
        """(filter, reason, hosts), most hosts first."""
        counter = Counter((r.filter, r.summary) for _, r in self.rejections)
        return [(f, s, n) for (f, s), n in sorted(counter.items(), key=lambda item: (-item[1], item[0]))]

    def summary(self) -> str:
        if self.checked == 0:
            return "no host is registered"
        parts = [f"{n} by {f}: {s}" for f, s, n in self.counts()]
        hosts = "host" if self.checked == 1 else "hosts"
        return f"{self.checked} {hosts} checked" + (f"; {'; '.join(parts)}" if parts else "")
