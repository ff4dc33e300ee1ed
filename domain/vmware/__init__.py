"""VMware accounts and the inventory synced from them into regions, zones, hosts and servers."""
