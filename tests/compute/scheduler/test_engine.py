"""Batch placement in memory: accounting as it goes, groups within the batch, explanations."""

from __future__ import annotations

import uuid

from domain.compute.scheduler import decide
from domain.compute.scheduler.service import failure
from domain.compute.scheduler.table import HostTable
from tests.compute.scheduler.hosts import host, request


def test_two_servers_of_one_batch_never_exceed_a_host() -> None:
    big, small = host("big", memory_total=8192), host("small", memory_total=4096)
    decision = decide(HostTable([big, small]), request(memory_mb=4096, count=3))
    assert decision.complete
    assert {h.name: n for h, n in decision.per_host().items()} == {"big": 2, "small": 1}
    assert big.memory_free == 8192  # deciding leaves the cached states alone


def test_a_batch_that_does_not_fit_says_how_many_are_missing_and_why() -> None:
    hosts = [host("a", memory_total=4096), host("b", memory_total=4096), host("off", status="OFFLINE")]
    decision = decide(HostTable(hosts), request(memory_mb=4096, count=3))
    assert len(decision.hosts) == 2
    assert not decision.complete
    message = failure(decision).message
    assert message.startswith("No host has room for 1 of 3 servers of 2 vCPU, 4096 MB memory, 20 GB disk")
    assert "3 hosts checked; 2 by memory: not enough memory; 1 by status: host is offline" in message


def test_hard_affinity_puts_a_new_group_where_the_whole_batch_fits() -> None:
    hosts = [host("a-roomy", memory_total=65536, memory_used=32768), host("b-small", memory_total=4096)]
    hosts[1].memory_free = 4096  # the emptiest, so spread would pick it first
    req = request(count=4, memory_mb=2048, group_id=uuid.uuid4(), group_policy="AFFINITY")
    decision = decide(HostTable(hosts), req)
    assert decision.complete
    assert {h.name for h in decision.hosts} == {"a-roomy"}


def test_hard_anti_affinity_within_a_batch() -> None:
    hosts = [host(f"h{i}") for i in range(3)]
    req = request(count=4, group_id=uuid.uuid4(), group_policy="ANTI_AFFINITY")
    decision = decide(HostTable(hosts), req)
    assert len(decision.hosts) == 3
    assert len(set(decision.hosts)) == 3
    assert decision.explanation is not None
    assert {r.filter for _, r in decision.explanation.rejections} == {"anti_affinity"}


def test_spread_alternates_and_pack_fills_one_host_first() -> None:
    hosts = [host("a"), host("b")]
    spread = decide(HostTable(hosts), request(count=4))
    assert [h.name for h in spread.hosts] == ["a", "b", "a", "b"]
    pack = decide(HostTable(hosts), request(count=4, strategy="PACK"))
    assert [h.name for h in pack.hosts] == ["a", "a", "a", "a"]


def test_explain_names_the_first_filter_for_every_host() -> None:
    zone = uuid.uuid4()
    hosts = [
        host("off", status="OFFLINE", zone_id=zone),
        host("elsewhere"),
        host("full", zone_id=zone, memory_used=32000),
        host("ok", zone_id=zone),
    ]
    decision = decide(HostTable(hosts), request(zone_id=zone), rank=True, explain=True)
    assert decision.explanation is not None
    why = {h.name: r.filter for h, r in decision.explanation.rejections}
    assert why == {"off": "status", "elsewhere": "zone", "full": "memory"}
    assert [h.name for h, _ in decision.ranked] == ["ok"]


def test_static_verdicts_are_cached_until_a_host_changes_what_it_is() -> None:
    a = host("a", tags=frozenset({"ssd"}))
    table = HostTable([a])
    req = request(required_tags=frozenset({"ssd"}))
    assert decide(table, req).hosts == [a]
    changed = host("a", id=a.id, tags=frozenset())
    table.update([changed])
    assert decide(table, req).hosts == []
