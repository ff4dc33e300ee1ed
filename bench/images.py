"""Image transfer figures: a 2 GiB upload and download through the API against `cp` on the same
disk (both made durable with fsync), and the api process's peak memory while it streams."""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.harness import ADMIN_PASSWORD, Platform, free_port, platform
from climc import transfer

GIB = 1024**3
SIZE = 2 * GIB
LOGIN = (
    """mutation($p: String!) { tokenCreate(input: {username: "admin", password: $p, project: "admin"}) { token } }"""
)
CREATE = """mutation { imageCreate(input: {name: "bench", diskFormat: RAW}) { image { id fileUrl } uploadUrl } }"""


def _make_source(path: Path) -> str:
    """2 GiB of incompressible bytes (a random block repeated); returns its SHA-256."""
    block = os.urandom(64 * 1024 * 1024)
    hasher = hashlib.sha256()
    with path.open("wb") as fh:
        for _ in range(SIZE // len(block)):
            fh.write(block)
            hasher.update(block)
    return hasher.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _cold(path: Path) -> None:
    """Start from the disk, not the page cache: every run reads what it copies from the device."""
    subprocess.run(["sync"], check=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _turns(runs: int, reference: Callable[[], float], measure: Callable[[], float]) -> tuple[float, float]:
    """The best of a few runs of each, taken turn about: this virtual disk's speed swings by a factor
    of two from one minute to the next, so each figure is set against `cp` in the same minutes."""
    pairs = [(reference(), measure()) for _ in range(runs)]
    return min(p[0] for p in pairs), min(p[1] for p in pairs)


def _cp_seconds(source: Path, target: Path) -> float:
    _cold(source)
    started = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    _fsync(target)
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


class Transfers:
    """Uploads and downloads through the API, timed from a cold page cache to durable bytes."""

    def __init__(self, http: httpx.Client, source: Path, work: Path, pid: int, through_api: bool = False) -> None:
        self.http, self.source, self.work, self.pid = http, source, work, pid
        # The URLs the API hands out lead to the image data listener; through_api uses the api's
        # own /images route instead, to show what the listener saves.
        self.through_api = through_api
        self.urls: list[str] = []
        self.checksums: set[str] = set()
        # The api's CPU seconds per transfer: a figure the machine's other load does not move.
        self.cpu: dict[str, list[float]] = {"upload": [], "download": []}

    def _cpu_s(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def upload(self) -> float:
        created = self.http.post("/graphql", json={"query": CREATE}).json()["data"]["imageCreate"]
        url = created["uploadUrl"]
        if self.through_api:
            url = f"{self.http.base_url}".rstrip("/") + "/images/" + url.split("/images/", 1)[1]
        _cold(self.source)
        cpu, started = self._cpu_s(), time.perf_counter()
        answer = self._curl("-T", str(self.source), url)
        elapsed = time.perf_counter() - started
        self.cpu["upload"].append(self._cpu_s() - cpu)
        assert json.loads(answer)["status"] == "ACTIVE", answer
        self.urls.append(url)
        return elapsed

    def upload_climc(self) -> float:
        """The same upload through climc's own code (256 MiB chunks, each sent with sendfile)."""
        created = self.http.post("/graphql", json={"query": CREATE}).json()["data"]["imageCreate"]
        _cold(self.source)
        started = time.perf_counter()
        auth = {"authorization": self.http.headers["authorization"]}
        with httpx.Client() as http:
            answer = transfer.upload(http, created["uploadUrl"], auth, self.source, progress=lambda _d, _t: None)
        elapsed = time.perf_counter() - started
        assert answer["status"] == "ACTIVE", answer
        return elapsed

    def stored(self) -> Path:
        return self.work / "store" / self.urls[-1].split("/images/", 1)[1].split("/")[0]

    def download(self) -> float:
        target = self.work / "downloaded.raw"
        headers = self.work / "headers.txt"
        _cold(self.stored())
        cpu, started = self._cpu_s(), time.perf_counter()
        self._curl("-o", str(target), "-D", str(headers), self.urls[-1])
        _fsync(target)
        elapsed = time.perf_counter() - started
        self.cpu["download"].append(self._cpu_s() - cpu)
        for line in headers.read_text().splitlines():
            if line.lower().startswith("x-checksum-sha256:"):
                self.checksums.add(line.split(":", 1)[1].strip())
        target.unlink()
        return elapsed

    def download_direct(self) -> float:
        """The same GET by a client that writes the way cp does not need to: O_DIRECT from its
        receive buffer. curl's buffered writes cap a download here, not the API; this shows the API."""
        target = self.work / "downloaded-direct.raw"
        _cold(self.stored())
        started = time.perf_counter()
        _fetch_direct(self.urls[-1], self.http.headers["authorization"], target)
        elapsed = time.perf_counter() - started
        target.unlink()
        return elapsed

    def _curl(self, *args: str) -> str:
        # curl, not a Python client: the figures are the API's, not the client's.
        auth = f"authorization: {self.http.headers['authorization']}"
        done = subprocess.run(["curl", "-sS", "--fail", "-H", auth, *args], capture_output=True, check=True)
        return done.stdout.decode()


def _fetch_direct(url: str, authorization: str, target: Path, block: int = 4 * 1024 * 1024) -> None:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port)) as conn:
        conn.sendall(
            f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: {authorization}\r\n\r\n".encode()
        )
        peeked = b""
        while b"\r\n\r\n" not in peeked:
            peeked = conn.recv(65536, socket.MSG_PEEK)
        head = conn.recv(peeked.index(b"\r\n\r\n") + 4, socket.MSG_WAITALL).decode()
        assert head.startswith("HTTP/1.1 200"), head
        length = int(next(h.split(":")[1] for h in head.split("\r\n") if h.lower().startswith("content-length:")))
        buffer = memoryview(mmap.mmap(-1, block))
        direct = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_DIRECT)
        offset = 0
        try:
            while offset < length:
                got = conn.recv_into(buffer, min(block, length - offset), socket.MSG_WAITALL)
                assert got, "the download ended early"
                if got % 4096:  # the tail: O_DIRECT writes whole pages only
                    with target.open("r+b") as fh:
                        fh.seek(offset)
                        fh.write(buffer[:got])
                else:
                    os.pwrite(direct, buffer[:got], offset)
                offset += got
            os.fsync(direct)
        finally:
            os.close(direct)
    _fsync(target)


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class RssSampler:
    """The api process's largest resident set while the transfers run, sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _status_mb(self.pid, "VmRSS"))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(p: Platform, work: Path, runs: int = 3) -> list[tuple[str, str]]:
    source = work / "source.raw"
    digest = _make_source(source)
    copy = work / "cp-copy.raw"
    with httpx.Client(base_url=p.url, timeout=httpx.Timeout(30, read=None, write=None)) as http:
        token = http.post("/graphql", json={"query": LOGIN, "variables": {"p": ADMIN_PASSWORD}}).json()
        http.headers["authorization"] = f"Bearer {token['data']['tokenCreate']['token']}"
        pid = p.processes[0].pid
        before = _status_mb(pid, "VmRSS")
        transfers = Transfers(http, source, work, pid)
        via_api = Transfers(http, source, work, pid, through_api=True)
        with RssSampler(pid) as rss:
            cp_up, up = _turns(runs, lambda: _cp_seconds(source, copy), transfers.upload)
            cp_down, down = _turns(runs, lambda: _cp_seconds(transfers.stored(), copy), transfers.download)
            cp_direct, direct = _turns(runs, lambda: _cp_seconds(transfers.stored(), copy), transfers.download_direct)
            cp_climc, climc_up = _turns(runs, lambda: _cp_seconds(source, copy), transfers.upload_climc)
            api_up, api_down = via_api.upload(), via_api.download()
    assert transfers.checksums == via_api.checksums == {digest}, "the downloaded image does not match the upload"
    mb = SIZE / 1024**2
    return [
        ("image upload 2 GiB to the uploadUrl (curl PUT; sha256, qemu-img info, fsync)", f"{mb / up:.0f} MB/s"),
        ("  cp of the same file on the same disk (+ fsync)", f"{mb / cp_up:.0f} MB/s"),
        ("  upload / cp (target >= 0.7)", f"{cp_up / up:.2f}"),
        ("  api CPU per GiB uploaded (sha256 is most of it)", f"{min(transfers.cpu['upload']) / 2:.2f} s"),
        (
            "  upload / cp with climc image-upload (sendfile; curl's sends are the limit above)",
            f"{cp_climc / climc_up:.2f}",
        ),
        ("image download 2 GiB from the fileUrl (GET into a file with curl, fsync)", f"{mb / down:.0f} MB/s"),
        ("  cp of the stored image on the same disk (+ fsync)", f"{mb / cp_down:.0f} MB/s"),
        ("  download / cp (target >= 0.7)", f"{cp_down / down:.2f}"),
        ("  api CPU per GiB downloaded (sendfile)", f"{min(transfers.cpu['download']) / 2:.2f} s"),
        (
            "  download / cp with a client writing O_DIRECT (curl's buffered writes are the limit above)",
            f"{cp_direct / direct:.2f}",
        ),
        ("through the api's own /images route: upload / cp", f"{cp_up / api_up:.2f}"),
        ("  download / cp", f"{cp_down / api_down:.2f}"),
        ("api process peak RSS while streaming (target < 150 MB)", f"{rss.peak:.0f} MB"),
        ("  api RSS before the transfers", f"{before:.0f} MB"),
        # Sign-in hashes with argon2id (64 MiB of memory by design): the lifetime peak includes it.
        ("  api lifetime peak (VmHWM, includes an argon2id sign-in)", f"{_status_mb(pid, 'VmHWM'):.0f} MB"),
    ]


def main() -> list[tuple[str, str]]:
    """A platform whose image store sits on the same disk as the benchmark's files."""
    work = Path(tempfile.mkdtemp(prefix="nimbus-bench-images-", dir=os.environ.get("NIMBUS_BENCH_DIR")))
    try:
        env = {"NIMBUS_IMAGE_DIR": str(work / "store"), "NIMBUS_IMAGE_DATA_PORT": str(free_port())}
        with platform(env) as p:
            return run(p, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for name, value in main():
        print(f"  {name}  {value}")
