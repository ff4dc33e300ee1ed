"""The scheduler's commands: scheduler-forecast as tables, server groups, settings."""

import json
from typing import Any

from typer.testing import CliRunner, Result

from climc import cli

runner = CliRunner()
HOST_A = {"id": "SG9zdDox", "name": "kvm-1"}
HOST_B = {"id": "SG9zdDoy", "name": "kvm-2"}
FORECAST = {
    "fits": False,
    "count": 1,
    "requested": 2,
    "hostsChecked": 2,
    "summary": "2 hosts checked; 1 by memory: not enough memory",
    "candidates": [{"host": HOST_A, "weight": 1.0, "servers": 1}],
    "rejections": [
        {
            "host": HOST_B,
            "filter": "memory",
            "reason": "not enough memory",
            "detail": "needs 4096 MB, 1024 of 8192 MB free",
        }
    ],
    "rejectionCounts": [{"filter": "memory", "reason": "not enough memory", "hosts": 1}],
    "errors": [],
}
SETTINGS = {
    "strategy": "PACK",
    "maxServersPerHost": 0,
    "filters": ["requested_host", "status"],
    "multipliers": [{"weigher": "pack", "multiplier": 2.0}, {"weigher": "spread", "multiplier": 1.0}],
    "projectStrategies": [],
}


def climc(*args: str) -> Result:
    return runner.invoke(cli.app, list(args))


def test_forecast_prints_the_verdict_the_candidates_and_every_rejected_host(api: Any, logged_in: Any) -> None:
    api.on("schedulerForecast", FORECAST)

    result = climc("scheduler-forecast", "--vcpus", "2", "--memory", "4096", "--count", "2", "--require-tag", "ssd")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "2 server(s) does NOT fit; 1 would fit in all; 2 host(s) checked"
    assert "kvm-1" in result.stdout
    (rejected,) = [line for line in lines if "kvm-2" in line]
    assert rejected.split()[:5] == ["kvm-2", "memory", "not", "enough", "memory"]
    sent = api.last("schedulerForecast")["variables"]["input"]
    assert sent == {"name": "forecast", "vcpus": 2, "memoryMb": 4096, "diskGb": 10, "count": 2, "requiredTags": ["ssd"]}


def test_forecast_as_json(api: Any, logged_in: Any) -> None:
    api.on("schedulerForecast", FORECAST)
    assert json.loads(climc("scheduler-forecast", "--vcpus", "1", "--memory", "64", "-o", "json").stdout) == FORECAST


def test_forecast_input_errors_are_one_line(api: Any, logged_in: Any) -> None:
    bad = {
        **FORECAST,
        "errors": [{"field": "vcpus", "message": "vcpus must be between 1 and 128", "code": "OUT_OF_RANGE"}],
    }
    api.on("schedulerForecast", bad)
    result = climc("scheduler-forecast", "--vcpus", "0", "--memory", "64")
    assert result.exit_code == 1
    assert "vcpus must be between 1 and 128" in result.stderr


def test_server_groups(api: Any, logged_in: Any) -> None:
    group = {
        "id": "U0c6MQ==",
        "name": "db",
        "policy": "ANTI_AFFINITY",
        "createdAt": "2026-01-01",
        "project": {"id": "p", "name": "demo"},
    }
    api.on("serverGroupCreate", {"serverGroup": group, "errors": []})
    api.on("serverGroups", api.page([group]))
    created = climc("server-group-create", "db", "--policy", "anti_affinity")
    assert created.stdout == "Created server group db (U0c6MQ==), ANTI_AFFINITY\n"
    assert api.last("serverGroupCreate")["variables"]["input"] == {"name": "db", "policy": "ANTI_AFFINITY"}
    listed = climc("server-group-list").stdout.splitlines()
    assert listed[2].split()[:4] == ["U0c6MQ==", "db", "ANTI_AFFINITY", "demo"]


def test_settings_update_parses_multipliers(api: Any, logged_in: Any) -> None:
    api.on("schedulerSettingsUpdate", {"settings": SETTINGS, "errors": []})
    result = climc("scheduler-settings-update", "--strategy", "pack", "--multiplier", "pack=2")
    assert result.exit_code == 0, result.output
    assert "pack=2" in result.stdout
    sent = api.last("schedulerSettingsUpdate")["variables"]["input"]
    assert sent == {"strategy": "PACK", "multipliers": [{"weigher": "pack", "multiplier": 2.0}]}
    assert climc("scheduler-settings-update", "--multiplier", "pack").exit_code == 2
