"""Each filter on its own: the hosts it keeps, and the reason it gives for the others."""

from __future__ import annotations

import uuid

import pytest

from domain.compute.scheduler.filters import REGISTRY, Filter, all_filters
from tests.compute.scheduler.hosts import host, request


def f(name: str) -> Filter:
    return REGISTRY[name]


def test_the_registry_finds_one_filter_per_module_in_order() -> None:
    names = [x.name for x in all_filters()]
    assert set(names) == {
        "requested_host", "excluded_hosts", "status", "zone", "tags", "network", "image",
        "cpu", "memory", "disk", "max_servers", "affinity", "anti_affinity", "vmware", "baremetal",
    }  # fmt: skip
    assert names.index("status") < names.index("cpu")  # cheap static filters first


@pytest.mark.parametrize(
    ("status", "enabled", "summary"),
    [
        ("ONLINE", True, None),
        ("OFFLINE", True, "host is offline"),
        ("MAINTENANCE", True, "host is in maintenance"),
        ("ONLINE", False, "host is disabled"),
    ],
)
def test_status(status: str, enabled: bool, summary: str | None) -> None:
    reason = f("status").host_passes(host(status=status, enabled=enabled), request())
    assert (reason.summary if reason else None) == summary


def test_excluded_hosts() -> None:
    leaving, other = host(), host()
    req = request(excluded_host_ids=frozenset({leaving.id}))
    reason = f("excluded_hosts").host_passes(leaving, req)
    assert reason is not None
    assert reason.summary == "the server is leaving this host"
    assert f("excluded_hosts").host_passes(other, req) is None
    assert not f("excluded_hosts").active(request())


def test_requested_host() -> None:
    wanted, other = host("a"), host("b")
    req = request(host_id=wanted.id)
    assert f("requested_host").host_passes(wanted, req) is None
    assert f("requested_host").host_passes(other, req).summary == "not the requested host"  # type: ignore[union-attr]
    assert not f("requested_host").active(request())


def test_zone_and_region() -> None:
    zone, region = uuid.uuid4(), uuid.uuid4()
    inside = host(zone_id=zone, region_id=region)
    elsewhere = host(zone_id=uuid.uuid4(), region_id=region)
    assert f("zone").host_passes(inside, request(zone_id=zone)) is None
    assert f("zone").host_passes(elsewhere, request(zone_id=zone)).summary == "in another zone"  # type: ignore[union-attr]
    assert f("zone").host_passes(elsewhere, request(region_id=region)) is None
    other_region = request(region_id=uuid.uuid4())
    assert f("zone").host_passes(inside, other_region).summary == "in another region"  # type: ignore[union-attr]


def test_required_and_excluded_tags() -> None:
    ssd_gpu = host(tags=frozenset({"ssd", "gpu"}))
    ssd = host(tags=frozenset({"ssd"}))
    need = request(required_tags=frozenset({"ssd", "gpu"}))
    assert f("tags").host_passes(ssd_gpu, need) is None
    reason = f("tags").host_passes(ssd, need)
    assert reason is not None
    assert (reason.summary, reason.detail) == ("lacks a required tag", "gpu")
    reason = f("tags").host_passes(ssd_gpu, request(excluded_tags=frozenset({"gpu"})))
    assert reason is not None
    assert reason.summary == "has an excluded tag"


def test_network_reaches_only_its_zone() -> None:
    zone = uuid.uuid4()
    req = request(network_id=uuid.uuid4(), network_zone_id=zone)
    assert f("network").host_passes(host(zone_id=zone), req) is None
    assert f("network").host_passes(host(zone_id=None), req).summary == "not attached to the requested network"  # type: ignore[union-attr]
    assert not f("network").active(request(network_id=uuid.uuid4()))  # a network of no zone reaches every host


def test_image_architecture_and_hypervisor() -> None:
    arm = host(arch="aarch64")
    assert f("image").host_passes(arm, request(arch="aarch64")) is None
    reason = f("image").host_passes(arm, request(arch="x86_64"))
    assert reason is not None
    assert reason.detail == "needs x86_64, host is aarch64"
    assert f("image").host_passes(host(hypervisor="qemu"), request(hypervisor="kvm")).summary == "wrong hypervisor"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "free", "summary"),
    [
        ("cpu", {"vcpus_total": 3}, "not enough vCPUs"),
        ("memory", {"memory_total": 3000}, "not enough memory"),
        ("disk", {"disk_total": 30}, "not enough disk"),
    ],
)
def test_capacity_counts_what_the_batch_already_placed(name: str, free: dict[str, int], summary: str) -> None:
    h = host(**free)
    req = request()
    assert f(name).host_passes(h, req) is None
    assert f(name).select([h], req) == [h]
    req.claims[h.id] = 1  # one server of this batch is already there
    reason = f(name).host_passes(h, req)
    assert reason is not None
    assert reason.summary == summary
    assert f(name).select([h], req) == []


def test_capacity_uses_allocation_ratios_and_usage() -> None:
    from domain.compute.scheduler.state import COLUMNS, HostState

    row = dict.fromkeys(COLUMNS, 0) | {
        "id": uuid.uuid4(), "name": "r", "status": "ONLINE", "enabled": True, "arch": "x86_64",
        "hypervisor": "kvm", "tags": [], "cpus": 4, "cpu_ratio": 4.0, "memory_mb": 1000,
        "memory_ratio": 1.5, "storage_gb": 100, "storage_ratio": 1.0, "vcpus_used": 10,
        "memory_used_mb": 400,
    }  # fmt: skip
    state = HostState.from_row(tuple(row[c] for c in COLUMNS), {})
    assert (state.vcpus_total, state.vcpus_free) == (16, 6)
    assert (state.memory_total, state.memory_free) == (1500, 1100)
    assert f("cpu").host_passes(state, request(vcpus=6, memory_mb=64, disk_gb=1)) is None
    assert f("cpu").host_passes(state, request(vcpus=7, memory_mb=64, disk_gb=1)) is not None


def test_max_servers_per_host() -> None:
    h = host(servers_count=3)
    assert not f("max_servers").active(request())
    assert f("max_servers").host_passes(h, request(max_servers_per_host=4)) is None
    assert f("max_servers").host_passes(h, request(max_servers_per_host=3)).summary == "too many servers"  # type: ignore[union-attr]


def test_hard_affinity_keeps_the_group_on_its_host() -> None:
    a, b = host("a"), host("b")
    empty = request(group_id=uuid.uuid4(), group_policy="AFFINITY")
    assert f("affinity").host_passes(b, empty) is None  # a new group may start anywhere
    placed = request(group_id=uuid.uuid4(), group_policy="AFFINITY", group_hosts={a.id: 2})
    assert f("affinity").host_passes(a, placed) is None
    assert f("affinity").host_passes(b, placed).summary == "server group members are on another host"  # type: ignore[union-attr]
    assert not f("affinity").active(request(group_policy="SOFT_AFFINITY"))


def test_hard_anti_affinity_keeps_members_apart() -> None:
    a, b = host("a"), host("b")
    req = request(group_id=uuid.uuid4(), group_policy="ANTI_AFFINITY", group_hosts={a.id: 1})
    assert f("anti_affinity").host_passes(a, req).summary == "a server group member is already here"  # type: ignore[union-attr]
    assert f("anti_affinity").host_passes(b, req) is None


def test_vmware_hosts_take_only_vmware_requests() -> None:
    esxi = host(hypervisor="VMWARE")
    assert f("vmware").host_passes(esxi, request(hypervisor="VMWARE")) is None
    reason = f("vmware").host_passes(esxi, request())
    assert reason is not None
    assert reason.summary == "VMware host"
    assert f("vmware").host_passes(host(), request()) is None
