"""Each weigher on its own, and how the engine normalises and combines them."""

from __future__ import annotations

import uuid

from domain.compute.scheduler import decide
from domain.compute.scheduler.table import HostTable
from domain.compute.scheduler.weighers import REGISTRY, active
from tests.compute.scheduler.hosts import host, request


def ranked(hosts: list, **kw: object) -> list[str]:
    return [h.name for h, _ in decide(HostTable(hosts), request(**kw), rank=True).ranked]


def test_the_registry_finds_every_weigher() -> None:
    assert set(REGISTRY) == {"spread", "pack", "affinity", "anti_affinity", "preferred_tags"}


def test_spread_prefers_the_most_free_memory_and_cpu() -> None:
    hosts = [host("full", memory_used=30000, vcpus_used=14), host("half", memory_used=16000), host("empty")]
    assert ranked(hosts) == ["empty", "half", "full"]
    w = REGISTRY["spread"]
    req = request(memory_unit=1 / 32768, vcpus_unit=1 / 16)
    assert w.weigh(hosts[2], req) == 2.0  # all memory and all vCPUs free
    req.claims[hosts[2].id] = 1
    assert w.weigh(hosts[2], req) < 2.0  # the batch's own servers count


def test_pack_prefers_the_fullest_host_that_fits() -> None:
    hosts = [host("full", memory_used=30000), host("half", memory_used=16000), host("empty")]
    assert ranked(hosts, strategy="PACK") == ["full", "half", "empty"]


def test_weights_are_normalised_to_the_multiplier() -> None:
    hosts = [host("a", memory_used=30000, vcpus_used=16 - 2), host("b")]
    weights = dict((h.name, w) for h, w in decide(HostTable(hosts), request(), rank=True).ranked)
    assert weights == {"b": 1.0, "a": 0.0}
    doubled = decide(HostTable(hosts), request(multipliers={"spread": 2.0}), rank=True).ranked
    assert [w for _, w in doubled] == [2.0, 0.0]


def test_soft_affinity_and_anti_affinity() -> None:
    a, b = host("a"), host("b", memory_used=8000)
    group = uuid.uuid4()
    together = request(group_id=group, group_policy="SOFT_AFFINITY", group_hosts={b.id: 1}, multipliers={"spread": 0.1})
    assert ranked([a, b], **_fields(together))[0] == "b"
    apart = request(
        group_id=group, group_policy="SOFT_ANTI_AFFINITY", group_hosts={a.id: 1}, multipliers={"spread": 0.1}
    )
    assert ranked([a, b], **_fields(apart))[0] == "b"  # despite b having less room
    assert REGISTRY["anti_affinity"].weigh(a, apart) == -1.0


def test_soft_anti_affinity_spreads_a_batch_even_when_packing() -> None:
    hosts = [host(f"h{i}") for i in range(3)]
    req = request(count=3, strategy="PACK", group_id=uuid.uuid4(), group_policy="SOFT_ANTI_AFFINITY")
    req.multipliers["anti_affinity"] = 10.0
    assert len({h.name for h in decide(HostTable(hosts), req).hosts}) == 3


def test_preferred_tags() -> None:
    hosts = [host("plain"), host("fast", tags=frozenset({"ssd", "nvme"})), host("ssd", tags=frozenset({"ssd"}))]
    assert ranked(hosts, preferred_tags=frozenset({"ssd", "nvme"}), multipliers={"spread": 0}) == [
        "fast",
        "ssd",
        "plain",
    ]


def test_a_zero_multiplier_turns_a_weigher_off() -> None:
    assert [w.name for w, _ in active(request(multipliers={"spread": 0}))] == []
    assert [w.name for w, _ in active(request(strategy="PACK"))] == ["pack"]


def _fields(req: object) -> dict[str, object]:
    names = ("group_id", "group_policy", "group_hosts", "multipliers")
    return {n: getattr(req, n) for n in names}
