"""One VMware mutation per module."""
