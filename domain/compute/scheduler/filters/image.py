"""The image (or the request) needs a CPU architecture or a hypervisor the host must have."""

from __future__ import annotations

from domain.compute.scheduler.filters import Filter, register
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


@register
class ImageFilter(Filter):
    name = "image"
    order = 50
    static = True

    def active(self, request: PlacementRequest) -> bool:
        return request.arch is not None or request.hypervisor is not None

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        if request.arch is not None and host.arch != request.arch:
            return self.reject("wrong architecture", f"needs {request.arch}, host is {host.arch}")
        if request.hypervisor is not None and host.hypervisor != request.hypervisor:
            return self.reject("wrong hypervisor", f"needs {request.hypervisor}, host runs {host.hypervisor}")
        return None
