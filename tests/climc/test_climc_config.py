"""Credentials file permissions and contents, and which URL climc talks to."""

import json
import os
import stat
from pathlib import Path

import pytest

from climc import config


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_credentials_file_is_private(config_dir: Path) -> None:
    path = config.save(config.Credentials(url="http://x", token="secret"))

    assert path == config_dir / "credentials.json"
    assert _mode(path) == 0o600
    assert _mode(config_dir) == 0o700


def test_private_even_with_a_permissive_umask() -> None:
    previous = os.umask(0)
    try:
        path = config.save(config.Credentials(url="http://x", token="secret"))
    finally:
        os.umask(previous)

    assert _mode(path) == 0o600


def test_replacing_a_readable_file_makes_it_private(config_dir: Path) -> None:
    config_dir.mkdir()
    old = config_dir / "credentials.json"
    old.write_text("{}")
    old.chmod(0o644)

    config.save(config.Credentials(url="http://x", token="secret"))

    assert _mode(old) == 0o600
    assert [entry.name for entry in config_dir.iterdir()] == ["credentials.json"]


def test_file_holds_the_api_spelling_and_round_trips() -> None:
    stored = config.Credentials(
        url="http://x",
        token="t",
        expires_at="2030-01-01T00:00:00Z",
        user="alice",
        project="demo",
    )
    path = config.save(stored)

    assert json.loads(path.read_text()) == {
        "url": "http://x",
        "token": "t",
        "expiresAt": "2030-01-01T00:00:00Z",
        "user": "alice",
        "project": "demo",
    }
    assert config.load() == stored


@pytest.mark.parametrize("text", ["not json", "[]", '{"token": "t"}'])
def test_unreadable_file_means_not_logged_in(config_dir: Path, text: str) -> None:
    config_dir.mkdir()
    (config_dir / "credentials.json").write_text(text)

    assert config.load() is None


def test_default_directory_is_the_platform_config_dir(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NIMBUS_CONFIG_DIR")

    path = config.credentials_path()

    assert path.name == "credentials.json"
    assert "nimbus" in path.parent.parts[-1].lower()


def test_unwritable_directory_is_a_config_error(config_dir: Path) -> None:
    config_dir.parent.mkdir(parents=True, exist_ok=True)
    config_dir.write_text("a file where the directory should be")

    with pytest.raises(config.ConfigError, match="cannot write"):
        config.save(config.Credentials(url="http://x"))


def test_forget_token_keeps_the_url() -> None:
    stored = config.Credentials(url="http://x", token="t", user="alice")

    config.forget_token(stored)

    assert config.load() == config.Credentials(url="http://x")


STORED = config.Credentials(url="http://stored:8000/", token="t")


@pytest.mark.parametrize(
    ("option", "env", "stored", "expected"),
    [
        ("http://option", "http://env", STORED, "http://option"),
        (None, "http://env", STORED, "http://env"),
        (None, None, STORED, "http://stored:8000"),
        (None, None, None, "http://127.0.0.1:8000"),
        ("http://option/", None, None, "http://option"),
    ],
)
def test_url_resolution_order(
    monkeypatch: pytest.MonkeyPatch,
    option: str | None,
    env: str | None,
    stored: config.Credentials | None,
    expected: str,
) -> None:
    if env:
        monkeypatch.setenv("NIMBUS_URL", env)

    assert config.resolve_url(option, stored) == expected


def test_token_is_only_sent_to_the_server_that_issued_it() -> None:
    assert config.token_for("http://stored:8000", STORED) == "t"
    assert config.token_for("http://elsewhere:8000", STORED) is None
    assert config.token_for("http://stored:8000", None) is None
