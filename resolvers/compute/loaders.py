"""Per-request DataLoaders for compute relations."""

from __future__ import annotations

import uuid

from domain.compute.models import Disk, Host, Network, Nic, Region, Server, ServerGroup, Zone
from resolvers.context import Context
from resolvers.loaders import by_id, many_by

HostByIdLoader = by_id(Host, "compute.host.get")
ZoneByIdLoader = by_id(Zone, "compute.zone.get")
RegionByIdLoader = by_id(Region, "compute.region.get")
NetworkByIdLoader = by_id(Network, "compute.network.get")
ServerByIdLoader = by_id(Server, "compute.server.get")
NicsByServerLoader = many_by(Nic, Nic.server_id, "compute.server.get", Nic.index)
ServerGroupByIdLoader = by_id(ServerGroup, "compute.server_group.get")
DisksByServerLoader = many_by(Disk, Disk.server_id, "compute.server.get", Disk.boot_index)


async def host(ctx: Context, host_id: uuid.UUID | None) -> Host | None:
    return None if host_id is None else await ctx.loader("host_by_id", HostByIdLoader).load(host_id)


async def zone(ctx: Context, zone_id: uuid.UUID | None) -> Zone | None:
    return None if zone_id is None else await ctx.loader("zone_by_id", ZoneByIdLoader).load(zone_id)


async def region(ctx: Context, region_id: uuid.UUID | None) -> Region | None:
    return None if region_id is None else await ctx.loader("region_by_id", RegionByIdLoader).load(region_id)


async def network(ctx: Context, network_id: uuid.UUID | None) -> Network | None:
    return None if network_id is None else await ctx.loader("network_by_id", NetworkByIdLoader).load(network_id)


async def server(ctx: Context, server_id: uuid.UUID | None) -> Server | None:
    return None if server_id is None else await ctx.loader("server_by_id", ServerByIdLoader).load(server_id)


async def server_group(ctx: Context, group_id: uuid.UUID | None) -> ServerGroup | None:
    return None if group_id is None else await ctx.loader("server_group_by_id", ServerGroupByIdLoader).load(group_id)


DiskByIdLoader = by_id(Disk, "compute.disk.get")


async def disk(ctx: Context, disk_id: uuid.UUID | None) -> Disk | None:
    return None if disk_id is None else await ctx.loader("disk_by_id", DiskByIdLoader).load(disk_id)
