"""Process settings, read from `NIMBUS_*` environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.compute.consoles import ConsoleEndpoints


def _default_data_dir() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "nimbus"


class Settings(BaseSettings):
    """Everything a Nimbus process needs to know about its surroundings."""

    model_config = SettingsConfigDict(env_prefix="NIMBUS_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    # Connections kept open per process: a connection opened and closed per request costs more
    # than the query it serves. Size them to the requests (or stages) a process runs at once.
    db_pool_size: int = 20
    db_max_overflow: int = 10
    redis_url: str | None = None
    redis_prefix: str = "nimbus"
    secret_key: str | None = None
    token_ttl_seconds: int = 8 * 3600
    password_min_length: int = 10
    password_hash_profile: str = "default"
    login_max_failures_per_user: int = 5
    login_max_failures_per_ip: int = 30
    login_failure_window_seconds: int = 300
    max_body_bytes: int = 1_000_000
    max_query_depth: int = 15
    max_aliases: int = 30
    max_tokens: int = 2_000
    max_query_cost: int = 10_000
    task_stall_seconds: float = 30.0
    create_deadline_seconds: float = 600.0
    action_deadline_seconds: float = 300.0
    heartbeat_seconds: float = 10.0
    up_libvirt_uri: str = "test:///default"
    # The console proxy (`nimbus console-proxy`): where it listens, and the addresses clients
    # are given for it (behind a reverse proxy these differ).
    console_listen: str = "127.0.0.1"
    console_vnc_port: int = 6080
    console_ssh_port: int = 6081
    console_vnc_url: str | None = None
    console_ssh_url: str | None = None
    console_page_url: str | None = None
    console_token_ttl_seconds: int = 60
    # Images: where their bytes live, how big one may be, how much a project may store (0: no quota).
    image_store: str = "local"
    image_dir: Path | None = None
    image_max_bytes: int = 1024**4
    image_quota_bytes: int = 0
    image_upload_expiry_seconds: float = 7 * 24 * 3600
    # The image data listener: image bytes on a port of their own at disk speed (None: the api's
    # own /images route only). image_data_url is what clients are told when a proxy fronts it.
    image_data_host: str = "127.0.0.1"
    image_data_port: int | None = None
    image_data_url: str | None = None
    # Where host agents reach the API (to fetch images through signed links).
    api_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    log_json: bool = True

    @property
    def effective_database_url(self) -> str:
        """The configured database, or the SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'nimbus.db'}"

    def console_endpoints(self) -> ConsoleEndpoints:
        return ConsoleEndpoints(
            vnc_url=self.console_vnc_url or f"ws://{self.console_listen}:{self.console_vnc_port}/",
            ssh_url=self.console_ssh_url or f"ws://{self.console_listen}:{self.console_ssh_port}/ssh",
            page_base=self.console_page_url,
            ttl_s=self.console_token_ttl_seconds,
        )

    @property
    def effective_image_dir(self) -> Path:
        return self.image_dir or self.data_dir / "images"

    @property
    def effective_redis_url(self) -> str:
        """The configured Redis, or the one on localhost's standard port."""
        return self.redis_url or "redis://127.0.0.1:6379/0"

    @property
    def effective_secret_key(self) -> str:
        """The signing secret; generated once into the data dir when not configured."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process of this platform won the race
                return path.read_text().strip()
            with os.fdopen(fd, "w") as fh:
                fh.write(os.urandom(32).hex())
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
