"""What a cloud provider plug-in implements. Calls are blocking (SDKs are); callers run them in a
thread. Every failure the provider reports is a `ProviderError` carrying the provider's own code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class ProviderError(Exception):
    """The provider refused or failed a call; `code` is the provider's (e.g. AWS's `AuthFailure`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class InstanceState:
    """Provider-neutral power states, the names Nimbus' server statuses use."""

    PENDING, RUNNING, STOPPING, STOPPED, DELETING, DELETED = (
        "PENDING",
        "RUNNING",
        "STOPPING",
        "STOPPED",
        "DELETING",
        "DELETED",
    )


@dataclass(frozen=True)
class ZoneInfo:
    name: str
    region: str


@dataclass(frozen=True)
class InstanceType:
    name: str
    vcpus: int
    memory_mb: int


@dataclass(frozen=True)
class Resource:
    """An image, VPC, subnet, security group or elastic IP: what sync keeps of it."""

    id: str
    name: str
    region: str
    zone: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Instance:
    id: str
    name: str
    region: str
    zone: str
    instance_type: str
    state: str
    image_id: str = ""
    private_ip: str = ""
    # The Nimbus server the instance was created for (a tag at the provider), if any.
    server_id: str = ""


@dataclass(frozen=True)
class InstanceSpec:
    name: str
    region: str
    zone: str
    instance_type: str
    image_id: str
    subnet_id: str | None = None
    # Tagged on the instance, so a sync that sees it before the create task recorded it links
    # it to its server instead of importing it a second time.
    server_id: str = ""
    # The provider's idempotency token: a create stage run twice makes one instance.
    client_token: str = ""


class CloudProvider(Protocol):
    """One account's view of a provider."""

    def list_regions(self) -> list[str]: ...
    def list_zones(self, region: str) -> list[ZoneInfo]: ...
    def list_instance_types(self, region: str) -> list[InstanceType]: ...
    def list_images(self, region: str) -> list[Resource]: ...
    def list_vpcs(self, region: str) -> list[Resource]: ...
    def list_subnets(self, region: str) -> list[Resource]: ...
    def list_security_groups(self, region: str) -> list[Resource]: ...
    def list_eips(self, region: str) -> list[Resource]: ...
    def list_instances(self, region: str) -> list[Instance]: ...
    def create_instance(self, spec: InstanceSpec) -> Instance: ...
    def start_instance(self, region: str, instance_id: str) -> Instance: ...
    def stop_instance(self, region: str, instance_id: str) -> Instance: ...
    def reboot_instance(self, region: str, instance_id: str) -> Instance: ...
    def delete_instance(self, region: str, instance_id: str) -> Instance: ...


@dataclass(frozen=True)
class ProviderPlugin:
    """A registered provider: its name, the hypervisor its servers show, how to build it."""

    name: str
    hypervisor: str
    credential_fields: tuple[str, ...]
    # (config, credentials) -> provider; config is the account's non-secret settings.
    build: Any
