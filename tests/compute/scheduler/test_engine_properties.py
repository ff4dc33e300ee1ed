"""Property tests: whatever the hosts and the batches, no placement exceeds a host's capacity."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.compute.scheduler import PlacementRequest, decide
from domain.compute.scheduler.state import HostState
from domain.compute.scheduler.table import HostTable

hosts_strategy = st.lists(
    st.tuples(
        st.integers(0, 32),  # vCPUs allocatable
        st.integers(0, 16384),  # memory
        st.integers(0, 200),  # disk
        st.sampled_from(["ONLINE", "ONLINE", "ONLINE", "OFFLINE", "MAINTENANCE"]),
        st.integers(0, 16),  # servers already there
    ),
    min_size=0,
    max_size=25,
)
batch_strategy = st.tuples(
    st.integers(1, 8),
    st.integers(64, 8192),
    st.integers(1, 100),
    st.integers(1, 40),
    st.sampled_from(["SPREAD", "PACK"]),
    st.sampled_from([None, "AFFINITY", "ANTI_AFFINITY", "SOFT_AFFINITY", "SOFT_ANTI_AFFINITY"]),
    st.integers(0, 12),  # max servers per host (0 = none)
)


def _table(specs: list[tuple[int, int, int, str, int]]) -> HostTable:
    return HostTable(
        HostState(
            id=uuid.uuid4(),
            name=f"h{i:02d}",
            status=status,
            vcpus_total=v,
            memory_total=m,
            disk_total=d,
            servers_count=n,
        )
        for i, (v, m, d, status, n) in enumerate(specs)
    )


def _commit(table: HostTable, req: PlacementRequest, placed: list[HostState]) -> None:
    """What the database does on commit, so the next batch sees this one."""
    for h in placed:
        h.vcpus_free -= req.vcpus
        h.memory_free -= req.memory_mb
        h.disk_free -= req.disk_gb
        h.servers_count += 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hosts_strategy, st.lists(batch_strategy, min_size=1, max_size=6))
def test_no_placement_ever_exceeds_capacity(specs: list, batches: list) -> None:
    table = _table(specs)
    for vcpus, memory, disk, count, strategy, policy, max_servers in batches:
        req = PlacementRequest(
            vcpus=vcpus,
            memory_mb=memory,
            disk_gb=disk,
            count=count,
            strategy=strategy,
            group_id=uuid.uuid4() if policy else None,
            group_policy=policy,
            max_servers_per_host=max_servers,
        )
        decision = decide(table, req)
        placed = decision.hosts
        assert len(placed) <= count
        per_host = decision.per_host()
        for h, n in per_host.items():
            assert h.status == "ONLINE"
            assert n * vcpus <= h.vcpus_free
            assert n * memory <= h.memory_free
            assert n * disk <= h.disk_free
            if max_servers:
                assert h.servers_count + n <= max_servers
        if policy == "ANTI_AFFINITY":
            assert all(n == 1 for n in per_host.values())
        if policy == "AFFINITY":
            assert len(per_host) <= 1
        if not decision.complete:
            assert decision.explanation is not None
            # every host is explained: it cannot take one more server
            assert len(decision.explanation.rejections) == len(table.hosts)
        _commit(table, req, placed)
        assert all(
            h.vcpus_free >= 0 and h.memory_free >= 0 and h.disk_free >= 0
            for h in table.hosts
            if h.status == "ONLINE" and h in per_host
        )


@settings(max_examples=100, deadline=None)
@given(hosts_strategy, batch_strategy)
def test_a_batch_places_as_many_as_one_by_one(specs: list, batch: tuple) -> None:
    """Greedy batch placement with accounting finds room for as many servers as single placements would."""
    vcpus, memory, disk, count, strategy, _, _ = batch
    batch_req = PlacementRequest(vcpus=vcpus, memory_mb=memory, disk_gb=disk, count=count, strategy=strategy)
    together = len(decide(_table(specs), batch_req).hosts)
    table = _table(specs)
    singles = 0
    for _ in range(count):
        one = PlacementRequest(vcpus=vcpus, memory_mb=memory, disk_gb=disk, strategy=strategy)
        placed = decide(table, one).hosts
        if not placed:
            break
        _commit(table, one, placed)
        singles += 1
    assert together == singles
