"""The scheduler: filters and weighers over cached host states, batch placement, race-free commits.

`build_request` turns a create into a PlacementRequest, `place` decides and claims (retrying on
fresh state when another worker won a host), `forecast` explains without allocating. Filters
live in `filters/`, weighers in `weighers/`, one per module, found by their registries.
"""

from domain.compute.scheduler.cache import HostStateCache
from domain.compute.scheduler.commit import Resources, adjust, claim, claim_many, release
from domain.compute.scheduler.engine import Decision, decide
from domain.compute.scheduler.explanation import Explanation
from domain.compute.scheduler.forecast import Forecast, forecast
from domain.compute.scheduler.request import PlacementHints, PlacementRequest, Reason
from domain.compute.scheduler.service import Placement, PlacementFailed, assign_hosts, build_request, place

__all__ = [
    "Decision",
    "Explanation",
    "Forecast",
    "HostStateCache",
    "Placement",
    "PlacementFailed",
    "PlacementHints",
    "PlacementRequest",
    "Reason",
    "Resources",
    "adjust",
    "assign_hosts",
    "build_request",
    "claim",
    "claim_many",
    "decide",
    "forecast",
    "place",
    "release",
]
