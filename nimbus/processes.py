"""Building the worker and host-agent arq workers from settings, for `nimbus worker`,
`nimbus agent host` and the all-in-one `nimbus up`."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from arq.worker import Worker

from agents.host.agent import agent_settings
from agents.host.image_cache import ImageCache
from nimbus.settings import Settings
from workers.settings import worker_settings


def build_worker(settings: Settings, *, handle_signals: bool = True, max_jobs: int = 50) -> Worker:
    conf: dict[str, Any] = worker_settings(settings, max_jobs=max_jobs)
    conf["handle_signals"] = handle_signals
    return Worker(**conf)


def build_host_agent(
    settings: Settings,
    *,
    libvirt_uri: str,
    host_name: str | None = None,
    storage_dir: Path | None = None,
    handle_signals: bool = True,
    console_address: str = "127.0.0.1",
    api_url: str | None = None,
) -> Worker:
    from agents.host.libvirt_driver import LibvirtDriver

    name = host_name or socket.gethostname()
    storage = storage_dir or settings.data_dir / "disks"
    conf = agent_settings(
        lambda: LibvirtDriver(libvirt_uri, storage, name, console_address),
        host_name=name,
        prefix=settings.redis_prefix,
        redis_url=settings.effective_redis_url,
        heartbeat_seconds=settings.heartbeat_seconds,
        image_cache=lambda: ImageCache(image_cache_dir(storage), api_url or settings.api_url, storage),
    )
    conf["handle_signals"] = handle_signals
    return Worker(**conf)


def image_cache_dir(storage_dir: Path) -> Path:
    # Not a valid server id (those start with a letter or digit): never mistaken for a server's disks.
    return storage_dir / "_image-cache"


def build_lb_agent(
    settings: Settings,
    *,
    cluster: str,
    agent_name: str | None = None,
    state_dir: Path | None = None,
    report_seconds: float | None = None,
    vrrp_interface: str | None = None,
    vrrp_priority: int = 100,
    netns: str | None = None,
    handle_signals: bool = True,
) -> Worker:
    from agents.lb.agent import agent_settings as lb_agent_settings
    from agents.lb.keepalived import VrrpSettings

    name = agent_name or socket.gethostname()
    conf = lb_agent_settings(
        cluster=cluster,
        agent=name,
        state_dir=state_dir or settings.data_dir / "lb" / f"{cluster}.{name}",
        prefix=settings.redis_prefix,
        redis_url=settings.effective_redis_url,
        report_seconds=report_seconds or settings.heartbeat_seconds,
        vrrp=VrrpSettings(vrrp_interface, vrrp_priority) if vrrp_interface else None,
        netns=netns,
    )
    conf["handle_signals"] = handle_signals
    return Worker(**conf)


def build_esxi_agent(settings: Settings, *, account_id: str, handle_signals: bool = True) -> Worker:
    from agents.esxi.agent import agent_settings as esxi_agent_settings

    conf = esxi_agent_settings(
        account_id=account_id,
        prefix=settings.redis_prefix,
        redis_url=settings.effective_redis_url,
        platform_secret=settings.effective_secret_key,
    )
    conf["handle_signals"] = handle_signals
    return Worker(**conf)


def build_baremetal_agent(
    settings: Settings,
    *,
    agent_name: str = "default",
    pxe: tuple[str, str, tuple[str, str], str | None] | None = None,
    state_dir: Path | None = None,
    handle_signals: bool = True,
) -> Worker:
    """The baremetal agent; with `pxe` = (interface, address, (first, last), netns) it also serves PXE."""
    from agents.baremetal.agent import agent_settings as baremetal_agent_settings
    from agents.baremetal.pxe import PxeService

    def provisioning() -> PxeService | None:
        if pxe is None:
            return None
        interface, address, dhcp_range, netns = pxe
        work_dir = state_dir or settings.data_dir / "baremetal" / agent_name
        return PxeService(interface, address, dhcp_range, work_dir, netns=netns)

    conf = baremetal_agent_settings(
        agent_name=agent_name,
        prefix=settings.redis_prefix,
        redis_url=settings.effective_redis_url,
        pxe=provisioning,
    )
    conf["handle_signals"] = handle_signals
    return Worker(**conf)
