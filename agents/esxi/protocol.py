"""Job payloads between the controller (workers/) and the esxi agent, shared by both sides.

Plain dicts and dataclasses of builtins, so arq pickles builtins only. The account's password
travels sealed, as stored; the agent opens it with a key derived from the platform secret.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# The SecretBox purpose of VMware account passwords (domain/vmware seals with the same one).
PASSWORD_PURPOSE = b"vmware-account"

# Functions an agent calls on the controller's queue.
RUN_STAGE = "run_stage"
VMWARE_REPORT = "vmware_report"
VMWARE_PROGRESS = "vmware_progress"
VMWARE_HELLO = "vmware_agent_hello"

# The agent functions the controller calls, by server action.
POWER_FUNCTIONS = {"start": "power_on", "stop": "power_off", "reboot": "reset", "delete": "destroy"}

# VMs per inventory message of a first sync: each message is one stage, so one step of progress.
CHUNK_VMS = 200


def queue_name(prefix: str, account_id: str) -> str:
    """The arq queue an esxi agent serving `account_id` listens on."""
    return f"{prefix}:{queue_suffix(account_id)}"


def queue_suffix(account_id: str) -> str:
    return f"agent:esxi:{account_id}"


def controller_queue(prefix: str) -> str:
    return f"{prefix}:worker"


def open_password(platform_secret: str, sealed: str) -> str:
    """The plaintext of a password sealed by the controller's SecretBox("vmware-account")."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PASSWORD_PURPOSE).derive(platform_secret.encode())
    try:
        return Fernet(base64.urlsafe_b64encode(key)).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise ValueError("the account password was sealed with another platform secret") from None


@dataclass(frozen=True)
class AccountConf:
    """Where and how to sign in to one vCenter or ESXi, as the controller sends it."""

    id: str
    endpoint: str  # http(s)://host[:port]
    username: str
    password_sealed: str
    datacenters: tuple[str, ...] = ()  # names to sync; empty: all

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "datacenters": list(self.datacenters)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccountConf:
        return cls(
            id=data["id"],
            endpoint=data["endpoint"],
            username=data["username"],
            password_sealed=data["password_sealed"],
            datacenters=tuple(data.get("datacenters") or ()),
        )

    @property
    def address(self) -> tuple[str, str, int]:
        """(protocol, host, port) of the endpoint."""
        url = urlsplit(self.endpoint if "://" in self.endpoint else f"https://{self.endpoint}")
        protocol = url.scheme or "https"
        return protocol, url.hostname or "", url.port or (80 if protocol == "http" else 443)


@dataclass(frozen=True)
class VmSpec:
    """A VM to create new, or to clone from `source` (a VM moref) when set."""

    server_id: str  # becomes the VM's instance UUID, so the sync knows it is Nimbus'
    name: str
    vcpus: int
    memory_mb: int
    disk_gb: int
    host: str = ""  # host moref: where to create (the clone's lands beside its source)
    source: str = ""
    power_on: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VmSpec:
        return cls(**data)


# Inventory records, as dicts (agent -> controller):
#   datacenter {moref, name}
#   cluster    {moref, name, datacenter}
#   host       {moref, name, datacenter, cluster, cpus, memory_mb, storage_gb, connected}
#   datastore  {moref, name, datacenter, capacity_gb, free_gb}
#   network    {moref, name, datacenter}
#   vm         {moref, name, datacenter, host, instance_uuid, vcpus, memory_mb, disk_gb, power, template}
# A snapshot carries every kind; an update carries changed records and the morefs that left.
KINDS = ("datacenter", "cluster", "host", "datastore", "network", "vm")
