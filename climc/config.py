"""Where climc keeps its credentials, and which Nimbus URL a command talks to."""

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from climc.errors import NimbusError

DEFAULT_URL = "http://127.0.0.1:8000"
CREDENTIALS_FILE = "credentials.json"


class ConfigError(NimbusError):
    """The credentials file could not be written or removed."""


@dataclass(frozen=True)
class Credentials:
    """What `climc login` remembers; `token` is None after `climc logout`."""

    url: str
    token: str | None = None
    expires_at: str | None = None
    user: str | None = None
    project: str | None = None

    def to_json(self) -> dict[str, str | None]:
        # The file's keys follow the API's spelling (expiresAt).
        return {
            "url": self.url,
            "token": self.token,
            "expiresAt": self.expires_at,
            "user": self.user,
            "project": self.project,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "Credentials":
        def text(key: str) -> str | None:
            value = raw.get(key)
            return value if isinstance(value, str) else None

        return cls(
            url=str(raw["url"]),
            token=text("token"),
            expires_at=text("expiresAt"),
            user=text("user"),
            project=text("project"),
        )


def config_dir() -> Path:
    override = os.environ.get("NIMBUS_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir("nimbus"))


def credentials_path() -> Path:
    return config_dir() / CREDENTIALS_FILE


def load() -> Credentials | None:
    """The stored credentials, or None when there are none worth using."""
    try:
        raw: Any = json.loads(credentials_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # A missing or corrupt file means "not logged in"; login rewrites it.
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
        return None
    return Credentials.from_json(raw)


def save(credentials: Credentials) -> Path:
    """Replace the credentials file atomically; it is never readable by others."""
    path = credentials_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_private(path, json.dumps(credentials.to_json(), indent=2) + "\n")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def _write_private(path: Path, text: str) -> None:
    # Created 0600 from the first byte, then renamed over the old file, so no
    # reader ever sees a half-written or group/world-readable token.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask may only narrow the mode; make it exact
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def forget_token(credentials: Credentials) -> None:
    """Keep the URL for the next login but drop the token and who it was for."""
    save(Credentials(url=credentials.url))


def normalize_url(url: str) -> str:
    return url.strip().rstrip("/")


def resolve_url(option: str | None, stored: Credentials | None) -> str:
    """`--url` beats NIMBUS_URL, which beats the stored URL, which beats the default."""
    for candidate in (option, os.environ.get("NIMBUS_URL"), stored and stored.url):
        if candidate:
            return normalize_url(candidate)
    return DEFAULT_URL


def token_for(url: str, stored: Credentials | None) -> str | None:
    """The stored token, but only for the server it was issued by."""
    if stored is None or normalize_url(stored.url) != normalize_url(url):
        return None
    return stored.token
