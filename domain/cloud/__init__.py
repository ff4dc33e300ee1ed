"""Public and private clouds managed through provider plug-ins: accounts, sync and cloud servers."""
