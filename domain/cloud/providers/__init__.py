"""The provider registry: each sub-package registers itself, so a new provider is a new package."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from domain.cloud.providers.contract import CloudProvider, ProviderPlugin

PROVIDERS: dict[str, ProviderPlugin] = {}


def register(plugin: ProviderPlugin) -> ProviderPlugin:
    PROVIDERS[plugin.name] = plugin
    return plugin


_loaded: list[bool] = []


def _load() -> None:
    """Import every provider package once; each registers itself."""
    if _loaded:
        return
    for module in pkgutil.iter_modules(__path__):
        if module.ispkg:
            importlib.import_module(f"{__name__}.{module.name}")
    _loaded.append(True)


def plugin(name: str) -> ProviderPlugin | None:
    _load()
    return PROVIDERS.get(name.lower())


def build(name: str, config: dict[str, Any], credentials: dict[str, str]) -> CloudProvider:
    found = plugin(name)
    if found is None:
        raise KeyError(name)
    provider: CloudProvider = found.build(config, credentials)
    return provider
