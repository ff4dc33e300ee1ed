"""`nimbus agent baremetal`: its options, and the PXE options it refuses half-given."""

from __future__ import annotations

from typer.testing import CliRunner

from nimbus.cli import app


def test_the_baremetal_agent_command_is_there() -> None:
    result = CliRunner().invoke(app, ["agent", "baremetal", "--help"])
    assert result.exit_code == 0
    for option in ("--name", "--pxe-interface", "--pxe-address", "--pxe-range", "--pxe-netns"):
        assert option in result.output


def test_pxe_needs_an_address_and_a_range() -> None:
    result = CliRunner().invoke(app, ["agent", "baremetal", "--pxe-interface", "br-prov"])
    assert result.exit_code != 0
    assert "--pxe-address" in result.output
