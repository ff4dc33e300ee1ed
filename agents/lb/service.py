"""What the lb agent does with a configuration: render it into a new generation directory,
validate it, point `current` at it and reload; on any refusal, `current` stays where it was.

    <state>/gens/<generation>/haproxy.cfg, certs/, acls/   one directory per configuration
    <state>/current -> gens/<generation>                     what haproxy serves
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from agents.lb.haproxy import Haproxy, HaproxyError
from agents.lb.keepalived import Keepalived
from agents.lb.protocol import BackendHealthReport, ClusterConfig, empty_config
from agents.lb.render import render

log = logging.getLogger("nimbus.agent.lb")
KEEP_GENERATIONS = 3

# `show stat` status column -> what Nimbus reports.
_HEALTH = {"UP": "UP", "DOWN": "DOWN", "no check": "NO_CHECK", "MAINT": "MAINTENANCE", "NOLB": "UP", "DRAIN": "UP"}
_RANK = {"DOWN": 0, "MAINTENANCE": 1, "UNKNOWN": 2, "UP": 3, "NO_CHECK": 4}


def _digest(conf: ClusterConfig) -> str:
    """What a configuration serves, whatever its generation number."""
    content = {key: value for key, value in conf.items() if key != "generation"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


class LbService:
    def __init__(
        self, cluster: str, state_dir: Path, haproxy: Haproxy | None = None, keepalived: Keepalived | None = None
    ) -> None:
        self.cluster = cluster
        self.state_dir = state_dir
        self.haproxy = haproxy or Haproxy(state_dir)
        self.keepalived = keepalived
        self.gens = state_dir / "gens"
        self.current = state_dir / "current"
        # One configuration change at a time: two reloads racing would leave either one serving.
        self._lock = threading.Lock()

    def applied_generation(self) -> int:
        try:
            return int(self._meta()["generation"])
        except (KeyError, TypeError, ValueError):
            return -1

    def ensure_running(self) -> None:
        """Serve the last configuration that worked, whatever the controller is doing."""
        with self._lock:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            if not self.current.exists():
                self._install(empty_config(self.cluster))
            if self.haproxy.master_pid() is None:
                log.info("starting haproxy with generation %s", self.applied_generation())
                self.haproxy.start()
            if self.keepalived is not None and self.keepalived.pid() is None:
                self.keepalived.apply(self._vips())

    def wait_idle(self) -> None:
        """Return once no configuration change is under way (a cancelled job's thread runs on)."""
        with self._lock:
            pass

    def apply(self, conf: ClusterConfig) -> str:
        """Serve `conf` unless a newer one is served already; raise HaproxyError with haproxy's reason."""
        with self._lock:
            running = self.haproxy.master_pid() is not None
            if conf["generation"] <= self.applied_generation() and running:
                return "superseded"
            if running and _digest(conf) == self._meta().get("digest"):
                # What haproxy serves already (e.g. a catch-up after a refused change): no reload.
                self._write_meta(self.current.resolve(), conf)
                return "unchanged"
            previous = self.current.resolve() if self.current.exists() else None
            self._install(conf)
            try:
                self.haproxy.reload()
            except HaproxyError:
                if previous is not None:
                    self._point_at(previous)
                    shutil.rmtree(self.gens / str(conf["generation"]), ignore_errors=True)
                raise
            if self.keepalived is not None:
                self.keepalived.apply(self._vips())
            self._prune()
            return "applied"

    def _meta(self) -> dict[str, Any]:
        try:
            meta: dict[str, Any] = json.loads((self.current / "meta.json").read_text())
            return meta
        except (OSError, ValueError):
            return {}

    def _vips(self) -> list[str]:
        return list(self._meta().get("vips", []))

    def _write_meta(self, target: Path, conf: ClusterConfig) -> None:
        vips = sorted({x["address"] for x in conf["listeners"]} - {"0.0.0.0"})
        meta = {"generation": conf["generation"], "vips": vips, "digest": _digest(conf)}
        tmp = target / "meta.json.new"
        tmp.write_text(json.dumps(meta))
        os.replace(tmp, target / "meta.json")

    def _install(self, conf: ClusterConfig) -> None:
        """Write the generation's files and validate them; `current` moves only if haproxy agrees."""
        target = self.gens / str(conf["generation"])
        shutil.rmtree(target, ignore_errors=True)
        rendered = render(conf, target, self.state_dir, nonlocal_bind=self.keepalived is not None)
        for rel, content in rendered.files.items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(content)
        target.mkdir(parents=True, exist_ok=True)
        (target / "haproxy.cfg").write_text(rendered.config)
        self._write_meta(target, conf)
        try:
            self.haproxy.validate(target / "haproxy.cfg")
        except HaproxyError:
            shutil.rmtree(target, ignore_errors=True)
            raise
        self._point_at(target)

    def _point_at(self, target: Path) -> None:
        tmp = self.state_dir / "current.new"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target.relative_to(self.state_dir))
        os.replace(tmp, self.current)  # atomic: haproxy never sees a missing configuration

    def _prune(self) -> None:
        gens = sorted((int(p.name) for p in self.gens.iterdir() if p.name.isdigit()), reverse=True)
        keep = {self.current.resolve().name}
        for gen in gens[KEEP_GENERATIONS:]:
            if str(gen) not in keep:
                shutil.rmtree(self.gens / str(gen), ignore_errors=True)

    def health(self) -> list[BackendHealthReport]:
        """Each backend's state from the stats socket; a backend in several pools reports its worst."""
        text = self.haproxy.stats_command("show stat")
        header, *rows = [line for line in text.splitlines() if line.strip()]
        columns = header.lstrip("# ").split(",")
        px, sv, st = columns.index("pxname"), columns.index("svname"), columns.index("status")
        worst: dict[str, str] = {}
        for row in rows:
            cells = row.split(",")
            if len(cells) <= st or cells[sv] in ("FRONTEND", "BACKEND") or not cells[px].startswith("p-"):
                continue
            raw = cells[st]
            status = _HEALTH.get(raw) or _HEALTH.get(raw.split(" ")[0], "UNKNOWN")
            seen = worst.get(cells[sv])
            if seen is None or _RANK[status] < _RANK[seen]:
                worst[cells[sv]] = status
        return [{"id": k, "status": v} for k, v in sorted(worst.items())]
