"""climc: the Nimbus command-line client and its Python SDK (climc.client)."""
