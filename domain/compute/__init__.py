"""Compute (region): regions, zones, hosts, networks with IPAM, servers, disks and NICs."""
