"""The permission catalogue and the built-in roles' default policies."""

from __future__ import annotations

from fnmatch import fnmatchcase

_ACTIONS = ("list", "get", "create", "update", "delete")

PERMISSIONS: frozenset[str] = frozenset(
    [f"identity.{noun}.{action}" for noun in ("domain", "project", "user", "group", "role") for action in _ACTIONS]
    + [
        "identity.role_assignment.list",
        "identity.role_assignment.create",
        "identity.role_assignment.delete",
    ]
    + [f"identity.identity_provider.{action}" for action in (*_ACTIONS, "sync")]
    + ["identity.quota.list", "identity.quota.get", "identity.quota.update"]
    + ["audit.event.list"]
    + [f"compute.{noun}.{action}" for noun in ("region", "zone", "host", "network") for action in _ACTIONS]
    + [f"compute.server.{action}" for action in (*_ACTIONS, "start", "stop", "reboot", "console", "migrate")]
    + [f"compute.server.{action}" for action in ("snapshot", "rebuild", "screenshot")]
    + [f"compute.server_group.{action}" for action in _ACTIONS]
    + [f"compute.disk.{action}" for action in _ACTIONS]
    + ["compute.scheduler.get", "compute.scheduler.update", "compute.scheduler.forecast"]
    + [f"image.image.{action}" for action in (*_ACTIONS, "share", "convert", "publicize")]
    + [f"loadbalancer.{noun}.{action}" for noun in ("loadbalancer", "certificate", "acl") for action in _ACTIONS]
    + ["loadbalancer.cluster.list", "loadbalancer.cluster.get"]
    + [f"vmware.account.{action}" for action in (*_ACTIONS, "sync")]
    + [f"baremetal.host.{action}" for action in (*_ACTIONS, "inspect", "power")]
    + ["task.list", "task.get", "task.cancel"]
    + [f"cloud.account.{action}" for action in (*_ACTIONS, "sync")]
    + ["cloud.sku.list", "cloud.sku.get", "cloud.resource.list", "cloud.resource.get"]
)

CATALOGUED_CONTEXTS = frozenset(p.split(".")[0] for p in PERMISSIONS)

BUILT_IN_ROLES: dict[str, tuple[str, list[str]]] = {
    "admin": ("Full control within the scope it is assigned on", ["*"]),
    "member": (
        "Uses and manages the resources of a project",
        [
            "identity.domain.get",
            "identity.project.list",
            "identity.project.get",
            "identity.user.list",
            "identity.user.get",
            "identity.group.list",
            "identity.group.get",
            "identity.role.list",
            "identity.role.get",
            "identity.role_assignment.list",
            "identity.quota.list",
            "identity.quota.get",
            "audit.event.list",
            "compute.server.*",
            "compute.server_group.*",
            "compute.disk.*",
            "compute.scheduler.forecast",
            "compute.network.*",
            "compute.region.list",
            "compute.region.get",
            "compute.zone.list",
            "compute.zone.get",
            "image.image.list",
            "image.image.get",
            "image.image.create",
            "image.image.update",
            "image.image.delete",
            "image.image.share",
            "image.image.convert",
            "network.*",
            "loadbalancer.*",
            # Hosts are seen only once a server of the project is deployed on them.
            "baremetal.host.list",
            "baremetal.host.get",
            "task.*",
            "cloud.account.list",
            "cloud.account.get",
            "cloud.sku.*",
            "cloud.resource.*",
        ],
    ),
    "reader": ("Reads everything in its scope, changes nothing", ["*.list", "*.get"]),
}


def is_valid_pattern(pattern: str) -> bool:
    """A policy line must name at least one known permission (or a context not yet catalogued)."""
    if not pattern or len(pattern) > 128 or any(c.isspace() for c in pattern):
        return False
    if any(fnmatchcase(p, pattern) for p in PERMISSIONS):
        return True
    parts = pattern.split(".")
    if parts[0] in CATALOGUED_CONTEXTS or parts[0] == "*":
        return False  # a typo in a context whose permissions are all known grants nothing
    # Contexts that catalogue their permissions later ("image.*") are accepted when shaped
    # like `context.noun.action` with wildcards.
    return 1 <= len(parts) <= 3 and all(part and (part == "*" or part.replace("_", "").isalnum()) for part in parts)


def matches(patterns: frozenset[str], permission: str) -> bool:
    return any(p == permission or fnmatchcase(permission, p) for p in patterns)


def expand(patterns: frozenset[str]) -> list[str]:
    """The catalogued permissions a set of patterns grants, for `me { permissions }`."""
    return sorted(p for p in PERMISSIONS if matches(patterns, p))
