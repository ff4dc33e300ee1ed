"""Deciding in memory: filter, weigh, and place a batch one server at a time, accounting as it goes.

A batch keeps the candidates in a heap by weight. Placing a server changes only the chosen host's
state (and weight), so each placement costs a heap pop and push, not a pass over every host.
Weights are normalised with the bounds seen when the decision starts, which keeps each host's
weight a function of that host alone.
"""

from __future__ import annotations

import dataclasses
import heapq
from dataclasses import dataclass, field

from domain.compute.scheduler import weighers
from domain.compute.scheduler.explanation import Explanation
from domain.compute.scheduler.filters import Filter, all_filters
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState
from domain.compute.scheduler.table import HostTable


@dataclass
class Decision:
    request: PlacementRequest
    # One host per placed server, in placement order.
    hosts: list[HostState] = field(default_factory=list)
    # Candidates for the first server with their weights, best first (when asked to rank).
    ranked: list[tuple[HostState, float]] = field(default_factory=list)
    # Why hosts were out: for the first server when explaining, for one more server on a shortfall.
    explanation: Explanation | None = None

    @property
    def complete(self) -> bool:
        return len(self.hosts) == self.request.count

    def per_host(self) -> dict[HostState, int]:
        counts: dict[HostState, int] = {}
        for host in self.hosts:
            counts[host] = counts.get(host, 0) + 1
        return counts


class Scorer:
    """Weight of a host: the sum over weighers of its normalised score times the multiplier.

    The best candidate scores the multiplier and the worst 0 (all score the multiplier when they
    tie). The bounds are those of the decision's start, so a batch keeps weights comparable.
    """

    def __init__(self, request: PlacementRequest, candidates: list[HostState]) -> None:
        self.request = request
        self.terms: list[tuple[weighers.Weigher, float, float]] = []
        self.top = 0.0
        self.initial = [0.0] * len(candidates)
        for weigher, multiplier in weighers.active(request):
            raws = weigher.weigh_all(candidates, request)
            low, high = (min(raws), max(raws)) if raws else (0.0, 0.0)
            scale = multiplier / (high - low if high > low else 1.0)
            self.terms.append((weigher, scale, high))
            self.top += multiplier
            self.initial = [t + multiplier + scale * (raw - high) for t, raw in zip(self.initial, raws, strict=True)]

    def weight(self, host: HostState) -> float:
        request = self.request
        return self.top + sum(scale * (w.weigh(host, request) - high) for w, scale, high in self.terms)


def decide(table: HostTable, request: PlacementRequest, *, rank: bool = False, explain: bool = False) -> Decision:
    """Place `request.count` servers on `table` without touching it; the request is copied."""
    req = dataclasses.replace(request, claims={}, group_hosts=dict(request.group_hosts))
    req.memory_unit, req.vcpus_unit = table.memory_unit, table.vcpus_unit
    decision = Decision(req)
    static_ok, static_rejected = table.static_pass(req)
    dynamic = [f for f in all_filters() if not f.static and f.active(req)]
    candidates = static_ok
    for f in dynamic:
        candidates = f.select(candidates, req)
    if explain:
        decision.explanation = _explain(table, req, static_rejected, static_ok, dynamic)
    candidates = _affinity_room(req, candidates)
    scorer = Scorer(req, candidates)
    weights = scorer.initial
    if rank:
        order = sorted(range(len(candidates)), key=lambda i: (-weights[i], candidates[i].name))
        decision.ranked = [(candidates[i], weights[i]) for i in order]
    if req.count == 1 and candidates:
        best = max(range(len(candidates)), key=weights.__getitem__)  # the first of equals: by name
        _take(req, candidates[best])
        decision.hosts.append(candidates[best])
    else:
        _place_batch(req, decision, candidates, weights, scorer, dynamic)
    if not decision.complete and not explain:
        decision.explanation = _explain(table, req, static_rejected, static_ok, dynamic)
    return decision


def _place_batch(
    req: PlacementRequest,
    decision: Decision,
    candidates: list[HostState],
    weights: list[float],
    scorer: Scorer,
    dynamic: list[Filter],
) -> None:
    heap = [(-w, i) for i, w in enumerate(weights)]
    heapq.heapify(heap)
    while heap and len(decision.hosts) < req.count:
        _, i = heapq.heappop(heap)
        host = candidates[i]
        if any(f.host_passes(host, req) is not None for f in dynamic):
            continue  # hosts only fill up during a batch: one that no longer fits never will again
        _take(req, host)
        decision.hosts.append(host)
        heapq.heappush(heap, (-scorer.weight(host), i))


def _take(req: PlacementRequest, host: HostState) -> None:
    req.claims[host.id] = req.claims.get(host.id, 0) + 1
    if req.group_id is not None:
        req.group_hosts[host.id] = req.group_hosts.get(host.id, 0) + 1


def _affinity_room(req: PlacementRequest, candidates: list[HostState]) -> list[HostState]:
    """A new hard-affinity group goes where the whole batch fits, when some host can take it."""
    if req.group_policy != "AFFINITY" or req.group_hosts or req.count == 1:
        return candidates
    n = req.count
    whole = [
        h
        for h in candidates
        if h.vcpus_free >= n * req.vcpus and h.memory_free >= n * req.memory_mb and h.disk_free >= n * req.disk_gb
    ]
    return whole or candidates


def _explain(
    table: HostTable,
    req: PlacementRequest,
    static_rejected: list[tuple[HostState, Reason]],
    static_ok: list[HostState],
    dynamic: list[Filter],
) -> Explanation:
    """Every host that cannot take one more server of this request, with the first filter that said so."""
    rejections = list(static_rejected)
    for host in static_ok:
        for f in dynamic:
            reason = f.host_passes(host, req)
            if reason is not None:
                rejections.append((host, reason))
                break
    return Explanation(len(table.hosts), rejections)
