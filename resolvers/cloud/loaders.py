"""Per-request DataLoaders of the cloud context (scoped like the lists)."""

from __future__ import annotations

from domain.cloud.models import CloudAccount, CloudResource, CloudSku
from resolvers.loaders import by_id

CloudAccountByIdLoader = by_id(CloudAccount, "cloud.account.get")
SkuByIdLoader = by_id(CloudSku, "cloud.sku.get")
CloudResourceByIdLoader = by_id(CloudResource, "cloud.resource.get")
