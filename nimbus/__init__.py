"""Nimbus server process wiring: settings, the ASGI app, and the `nimbus` command."""
