"""Renders rows of API objects as a table, JSON or YAML for climc's stdout."""

import io
import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

import yaml
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

Row = Mapping[str, Any]
# Wide enough that piped tables never wrap; rich only uses what the cells need.
_PIPE_WIDTH = 1000


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    YAML = "yaml"


def render(
    rows: Sequence[Row],
    fmt: OutputFormat,
    columns: Sequence[str] | None = None,
    width: int | None = None,
) -> str:
    """All rows at once; `columns` picks and orders the table's columns only."""
    if fmt is OutputFormat.JSON:
        return json.dumps([dict(row) for row in rows], indent=2, ensure_ascii=False)
    if fmt is OutputFormat.YAML:
        return _yaml([dict(row) for row in rows])
    if not rows:
        return ""
    return _table(rows, columns or _keys(rows), width)


def render_object(obj: Row, fmt: OutputFormat, width: int | None = None) -> str:
    """One object: a two-column field/value table, or the object as JSON or YAML."""
    if fmt is OutputFormat.JSON:
        return json.dumps(dict(obj), indent=2, ensure_ascii=False)
    if fmt is OutputFormat.YAML:
        return _yaml(dict(obj))
    rows = [{"field": key, "value": value} for key, value in obj.items()]
    return _table(rows, ["field", "value"], width)


def render_line(row: Row, fmt: OutputFormat, columns: Sequence[str]) -> str:
    """One row of a stream: a JSON line, a YAML document, or tab-separated cells."""
    if fmt is OutputFormat.JSON:
        return json.dumps(dict(row), ensure_ascii=False)
    if fmt is OutputFormat.YAML:
        return "---\n" + _yaml(dict(row))
    return "\t".join(cell(row.get(column)) for column in columns)


def cell(value: Any) -> str:
    """How one value reads in a table: related objects by name, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return str(value.get("name") or value.get("id") or json.dumps(value))
    if isinstance(value, list):
        return ", ".join(cell(item) for item in value)
    return str(value)


def _keys(rows: Sequence[Row]) -> list[str]:
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    return list(keys)


def _table(rows: Sequence[Row], columns: Sequence[str], width: int | None) -> str:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for column in columns:
        table.add_column(Text(column))
    for row in rows:
        # Text, not str: a value like "[admin]" must not be read as rich markup.
        table.add_row(*(Text(cell(row.get(column))) for column in columns))
    buffer = io.StringIO()
    Console(file=buffer, width=width or _PIPE_WIDTH, color_system=None).print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip("\n")
