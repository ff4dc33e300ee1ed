"""Listener inputs as domain values: global ids decoded, empty strings meaning "none"."""

from __future__ import annotations

from typing import Any

from resolvers.ids import decode_id

_REFERENCES = {
    "backend_group_id": ("LoadbalancerBackendGroup", "backendGroupId"),
    "certificate_id": ("LoadbalancerCertificate", "certificateId"),
    "acl_id": ("LoadbalancerAcl", "aclId"),
}
# Fields an update clears with an empty string (GraphQL cannot tell null from absent here).
CLEARABLE = ("backend_group_id", "certificate_id", "acl_id", "sticky_cookie")


def listener_values(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if value == "" and name in CLEARABLE:
            out[name] = None
        elif name in _REFERENCES:
            type_name, field = _REFERENCES[name]
            out[name] = decode_id(value, type_name, field)
        else:
            out[name] = value
    return out
