"""The refusal a quota gives: which resource, the limit, what is in use and what was asked."""

from __future__ import annotations

from domain.errors import DomainError

QUOTA_EXCEEDED = "QUOTA_EXCEEDED"

FIELDS = {
    "servers": "servers",
    "vcpus": "vcpus",
    "memory_mb": "memoryMb",
    "disk_gb": "diskGb",
    "images": "images",
    "image_storage_gb": "imageStorageGb",
    "networks": "networks",
    "ips": "ips",
}


class QuotaExceeded(DomainError):
    def __init__(self, resource: str, limit: int, used: int, requested: int) -> None:
        over = used + requested - limit
        super().__init__(
            QUOTA_EXCEEDED,
            f"Quota exceeded for {resource}: the limit is {limit}, {used} in use, "
            f"{requested} requested ({over} over the limit)",
            FIELDS.get(resource, resource),
        )
        self.resource, self.limit, self.used, self.requested, self.over = resource, limit, used, requested, over
