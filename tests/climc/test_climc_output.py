"""Rendering rows as table, JSON and YAML."""

import json

import yaml

from climc.output import OutputFormat, cell, render, render_line, render_object

ROWS = [
    {
        "id": "UHJvamVjdDox",
        "name": "admin",
        "domain": {"id": "RG9tYWluOjE=", "name": "default"},
        "enabled": True,
        "description": None,
    },
    {
        "id": "UHJvamVjdDoy",
        "name": "[bold]demo[/bold]",
        "domain": {"id": "RG9tYWluOjE=", "name": "default"},
        "enabled": False,
        "description": "a, b",
    },
]


def test_json_is_the_rows_unchanged() -> None:
    assert json.loads(render(ROWS, OutputFormat.JSON)) == ROWS


def test_yaml_is_the_rows_unchanged() -> None:
    assert yaml.safe_load(render(ROWS, OutputFormat.YAML)) == ROWS


def test_empty_lists() -> None:
    assert json.loads(render([], OutputFormat.JSON)) == []
    assert yaml.safe_load(render([], OutputFormat.YAML)) == []
    assert render([], OutputFormat.TABLE) == ""


def test_table_has_a_header_and_one_line_per_row() -> None:
    lines = render(ROWS, OutputFormat.TABLE).splitlines()

    assert lines[0].split() == ["id", "name", "domain", "enabled", "description"]
    assert lines[2].split() == ["UHJvamVjdDox", "admin", "default", "true"]
    assert "default" in lines[3]
    assert len(lines) == 4


def test_table_prints_values_literally_not_as_markup() -> None:
    assert "[bold]demo[/bold]" in render(ROWS, OutputFormat.TABLE)


def test_table_columns_pick_and_order() -> None:
    header = render(ROWS, OutputFormat.TABLE, columns=["name", "id"]).splitlines()[0]

    assert header.split() == ["name", "id"]


def test_table_does_not_wrap_long_values_when_piped() -> None:
    rows = [{"id": "x" * 150, "description": "y" * 150}]

    assert len(render(rows, OutputFormat.TABLE).splitlines()) == 3


def test_cells() -> None:
    assert cell(None) == ""
    assert cell(True) == "true"
    assert cell({"id": "1", "name": "default"}) == "default"
    assert cell({"id": "1"}) == "1"
    assert cell(["a", "b"]) == "a, b"
    assert cell(3) == "3"


def test_single_object() -> None:
    me = {"user": {"id": "u1", "name": "admin"}, "roles": ["admin", "member"]}

    table = render_object(me, OutputFormat.TABLE).splitlines()

    assert table[0].split() == ["field", "value"]
    assert table[2].split() == ["user", "admin"]
    assert table[3].split() == ["roles", "admin,", "member"]
    assert json.loads(render_object(me, OutputFormat.JSON)) == me
    assert yaml.safe_load(render_object(me, OutputFormat.YAML)) == me


def test_stream_lines() -> None:
    row = ROWS[0]

    assert json.loads(render_line(row, OutputFormat.JSON, [])) == row
    assert "\n" not in render_line(row, OutputFormat.JSON, [])
    assert yaml.safe_load(render_line(row, OutputFormat.YAML, [])) == row
    assert render_line(row, OutputFormat.YAML, []).startswith("---\n")
    line = render_line(row, OutputFormat.TABLE, ["name", "domain", "description"])
    assert line == "admin\tdefault\t"
