"""Moving image bytes: resumable uploads in Content-Range chunks and resumable, verified downloads.

An upload asks the server where it stands (`HEAD` → `Upload-Offset`) and sends the rest from
there, one chunk per PUT; when a connection breaks it asks again and goes on, so a multi-GB upload
survives dropped connections and restarts of climc itself. A download appends to `<file>.part`
with `Range` and checks the SHA-256 the server announces before renaming it into place.
"""

import base64
import hashlib
import http.client
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from climc.errors import JSON, AuthError, ForbiddenError, NimbusError, NotFoundError, PayloadError, TransportError

BLOCK = 1024 * 1024
DEFAULT_CHUNK = 256 * 1024 * 1024
SENDFILE_SLICE = 16 * 1024 * 1024  # progress is reported after each slice
RETRIES = 8
Progress = Callable[[int], None]


class UploadRefused(NimbusError):
    """The server refused the upload or killed the image; the message says why."""


def _timeout(base: float) -> httpx.Timeout:
    # Bodies take as long as they take; only connecting is bounded. The last chunk also waits
    # for the server's qemu-img checks.
    return httpx.Timeout(base, read=None, write=None, pool=base)


def _refusal(response: httpx.Response) -> NimbusError:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    message = error.get("message") or f"HTTP {response.status_code}"
    if response.status_code == 401:
        return AuthError(message)
    if response.status_code == 403:
        return ForbiddenError(message, [error])
    if response.status_code == 404:
        return NotFoundError(message)
    if error.get("code") == "KILLED":
        return PayloadError([{"field": None, "message": f"the image was refused: {message}", "code": "KILLED"}])
    return UploadRefused(f"upload refused: {message}")


def upload_offset(http: httpx.Client, url: str, headers: dict[str, str], timeout: float) -> int:
    response = http.head(url, headers=headers, timeout=timeout)
    if response.status_code != 200:
        raise _refusal(response)
    return int(response.headers.get("upload-offset", "0"))


def _body(path: Path, start: int, end: int, progress: Progress) -> Iterator[bytes]:
    with path.open("rb") as fh:
        fh.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            block = fh.read(min(BLOCK, remaining))
            if not block:
                return
            remaining -= len(block)
            progress(len(block))
            yield block


def upload(
    http: httpx.Client,
    url: str,
    headers: dict[str, str],
    path: Path,
    *,
    progress: Callable[[int, int], None],
    timeout: float = 30,
    chunk_size: int = DEFAULT_CHUNK,
    retries: int = RETRIES,
    zero_copy: bool = True,
) -> JSON:
    """PUT the file to an image's upload URL, resuming after failures; the server's final answer.

    On plain HTTP with `zero_copy`, the kernel sends the file (sendfile) instead of httpx."""
    total = path.stat().st_size
    failures = 0
    offset = upload_offset(http, url, headers, timeout)
    while True:
        progress(offset, total)
        end = min(offset + chunk_size, total) - 1
        sent = offset

        def advance(n: int) -> None:
            nonlocal sent
            sent += n
            progress(sent, total)

        chunk_headers = {
            **headers,
            "Content-Range": f"bytes {offset}-{end}/{total}",
            "Content-Length": str(end - offset + 1),
            "Content-Type": "application/octet-stream",
        }
        try:
            if zero_copy and urlsplit(url).scheme == "http":
                response = _put_with_sendfile(url, chunk_headers, path, offset, end, advance, timeout)
            else:
                response = http.put(
                    url, content=_body(path, offset, end, advance), headers=chunk_headers, timeout=_timeout(timeout)
                )
        except httpx.TransportError as exc:
            failures += 1
            if failures > retries:
                raise TransportError(f"upload interrupted {failures} times; last: {exc}") from None
            time.sleep(min(2**failures * 0.25, 10))
            offset = _offset_after_failure(http, url, headers, timeout)
            continue
        if response.status_code in (200, 201):
            return dict(response.json())
        if response.status_code in (202, 409) and "upload-offset" in response.headers:
            if response.status_code == 409:
                time.sleep(0.5)  # the server may still be writing what the last attempt sent
            offset = int(response.headers["upload-offset"])
            continue
        raise _refusal(response)


def _put_with_sendfile(
    url: str, headers: dict[str, str], path: Path, start: int, end: int, advance: Progress, timeout: float
) -> httpx.Response:
    """One chunk PUT with the kernel sending the file (`sendfile`): on plain HTTP, the bytes never
    pass through climc, which then costs the machine next to nothing while gigabytes go out."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname or "localhost", parts.port or 80, timeout=timeout)
    try:
        conn.putrequest("PUT", target, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        assert conn.sock is not None
        conn.sock.settimeout(None)  # a body takes as long as it takes; the server drops idle ones
        with path.open("rb") as fh:
            offset, remaining = start, end - start + 1
            while remaining:
                sent = conn.sock.sendfile(fh, offset, min(SENDFILE_SLICE, remaining))
                if not sent:
                    raise httpx.WriteError("the file ended before the chunk did")
                offset, remaining = offset + sent, remaining - sent
                advance(sent)
        answer = conn.getresponse()  # no read timeout: the last chunk waits for the server's checks
        return httpx.Response(answer.status, headers=answer.getheaders(), content=answer.read())
    except (OSError, http.client.HTTPException) as exc:
        raise httpx.WriteError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()


def _offset_after_failure(http: httpx.Client, url: str, headers: dict[str, str], timeout: float) -> int:
    for attempt in range(RETRIES):
        try:
            return upload_offset(http, url, headers, timeout)
        except httpx.TransportError:
            time.sleep(min(2**attempt * 0.25, 10))
    return upload_offset(http, url, headers, timeout)


def download(
    http: httpx.Client,
    url: str,
    headers: dict[str, str],
    target: Path,
    *,
    progress: Callable[[int, int], None],
    timeout: float = 30,
    retries: int = RETRIES,
) -> str:
    """Fetch the image into `target` (resuming a `.part` left by an earlier try); its SHA-256."""
    part = target.with_name(target.name + ".part")
    failures = 0
    while True:
        have = part.stat().st_size if part.exists() else 0
        ranged = {**headers, "Range": f"bytes={have}-"} if have else headers
        try:
            with http.stream("GET", url, headers=ranged, timeout=_timeout(timeout)) as response:
                expected, total = _expect(response, have)
                with part.open("ab" if response.status_code == 206 else "wb") as fh:
                    done = have if response.status_code == 206 else 0
                    for block in response.iter_bytes(BLOCK):
                        fh.write(block)
                        done += len(block)
                        progress(done, total)
            break
        except httpx.TransportError as exc:
            failures += 1
            if failures > retries:
                raise TransportError(f"download interrupted {failures} times; last: {exc}") from None
            time.sleep(min(2**failures * 0.25, 10))
    digest = _sha256(part)
    if expected and digest != expected:
        part.unlink()
        raise TransportError(f"the download's checksum {digest} is not the image's {expected}; nothing was kept")
    part.replace(target)
    return digest


def _expect(response: httpx.Response, have: int) -> tuple[str, int]:
    if response.status_code == 416 and have:
        # The .part is complete (or longer than the image): start over rather than guess.
        raise TransportError("the partial download does not fit the image; delete the .part file and retry")
    if response.status_code not in (200, 206):
        response.read()
        raise _refusal(response)
    size = response.headers.get("content-range", "").rpartition("/")[2] or response.headers.get("content-length", "0")
    return response.headers.get("x-checksum-sha256", ""), int(size)


def _sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(8 * BLOCK):
            hasher.update(block)
    return hasher.hexdigest()


def file_url(api_url: str, image_id: str) -> str:
    """The file URL of an image given its global id (the API names images by uuid there)."""
    raw = base64.urlsafe_b64decode(image_id + "=" * (-len(image_id) % 4)).decode()
    type_name, _, uuid = raw.partition(":")
    if type_name != "Image" or not uuid:
        raise ValueError(f"{image_id!r} is not an image id")
    base = api_url.rstrip("/").removesuffix("/graphql")
    return f"{base}/images/{uuid}/file"
