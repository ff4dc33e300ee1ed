"""The baremetal scheduler filter: machines take baremetal requests only, one server each."""

from __future__ import annotations

from domain.compute.scheduler.filters import REGISTRY
from tests.compute.scheduler.hosts import host, request

BAREMETAL = REGISTRY["baremetal"]


def test_virtual_requests_never_land_on_a_machine() -> None:
    reason = BAREMETAL.host_passes(host(hypervisor="BAREMETAL"), request())
    assert reason is not None
    assert reason.summary == "baremetal host"
    assert BAREMETAL.host_passes(host(hypervisor="kvm"), request()) is None


def test_baremetal_requests_take_free_machines_only() -> None:
    wants = request(hypervisor="BAREMETAL")
    assert BAREMETAL.host_passes(host(hypervisor="BAREMETAL"), wants) is None
    busy = BAREMETAL.host_passes(host(hypervisor="BAREMETAL", servers_count=1), wants)
    assert busy is not None
    assert busy.summary == "already allocated"
    kvm = BAREMETAL.host_passes(host(hypervisor="kvm"), wants)
    assert kvm is not None
    assert kvm.summary == "not a baremetal host"
