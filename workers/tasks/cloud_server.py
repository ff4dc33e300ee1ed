"""cloud.server.*: a server's lifecycle at its provider. The worker calls the provider and waits
for the instance to reach the state; the server row stays locked by the task meanwhile."""

from __future__ import annotations

from typing import Any, ClassVar

from domain.cloud.models import CloudAccount
from domain.cloud.providers.contract import Instance, InstanceSpec
from domain.cloud.servers import CREATE_KIND, cloud_of
from domain.compute.models import Server, ServerStatus
from workers.handler import StageContext, TaskHandler, register
from workers.tasks.cloud_common import account_of, call, provider_of
from workers.tasks.common import lock_server, unlock


async def _server(sc: StageContext) -> tuple[Server, dict[str, Any]]:
    server = await lock_server(sc.session, sc.task.params["server_id"])
    link = cloud_of(server)
    if link is None:
        sc.fail("the server is not a cloud server")
    assert link is not None
    return server, link


def _record(server: Server, link: dict[str, Any], instance: Instance) -> None:
    server.extra = {**server.extra, "cloud": {**link, "instance_id": instance.id, "zone": instance.zone}}


@register
class CloudServerCreate(TaskHandler):
    kind = CREATE_KIND

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server, link = await _server(sc)
        account = await account_of(sc, link.get("account_id"))
        provider = provider_of(sc, account)
        if link.get("instance_id"):  # a rerun of this stage after the instance was recorded
            instance = await call(sc, account, provider.start_instance, link["region"], link["instance_id"])
        else:
            spec = InstanceSpec(
                server.name,
                link["region"],
                link["zone"],
                link["sku"],
                link["image_id"],
                server_id=str(server.id),
                client_token=str(sc.task.id),
            )
            instance = await call(sc, account, provider.create_instance, spec)
        _record(server, link, instance)
        unlock(sc, server, ServerStatus.RUNNING)
        sc.succeed({"instance_id": instance.id, **sc.task.params.get("placement", {})})

    async def on_failed(self, sc: StageContext, error: str) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        unlock(sc, server, ServerStatus.ERROR, error)


class CloudServerAction(TaskHandler):
    action: ClassVar[str]
    after: ClassVar[ServerStatus]

    def operation(self, account: CloudAccount, sc: StageContext) -> Any:
        return getattr(provider_of(sc, account), f"{self.action}_instance")

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server, link = await _server(sc)
        account = await account_of(sc, link.get("account_id"))
        if link.get("instance_id"):
            instance = await call(sc, account, self.operation(account, sc), link["region"], link["instance_id"])
            _record(server, link, instance)
        unlock(sc, server, self.after)
        sc.succeed()

    async def on_failed(self, sc: StageContext, error: str) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        unlock(sc, server, ServerStatus(sc.task.params["from_status"]), error)


@register
class CloudServerStart(CloudServerAction):
    kind, action, after = "cloud.server.start", "start", ServerStatus.RUNNING


@register
class CloudServerStop(CloudServerAction):
    kind, action, after = "cloud.server.stop", "stop", ServerStatus.STOPPED


@register
class CloudServerReboot(CloudServerAction):
    kind, action, after = "cloud.server.reboot", "reboot", ServerStatus.RUNNING


@register
class CloudServerDelete(CloudServerAction):
    kind, action, after = "cloud.server.delete", "delete", ServerStatus.DELETED
