"""console_proxy package."""
