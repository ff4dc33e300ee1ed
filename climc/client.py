"""The Nimbus Python SDK: a small typed client for the one GraphQL endpoint."""

import time
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping
from contextlib import aclosing
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from climc import documents, graphql_ws, transfer
from climc.errors import (
    JSON,
    AuthError,
    ForbiddenError,
    GraphQLRequestError,
    NimbusError,
    NotFoundError,
    PayloadError,
    TransportError,
    error_for,
)

__all__ = [
    "JSON",
    "AuthError",
    "ForbiddenError",
    "GraphQLRequestError",
    "NimbusClient",
    "NimbusError",
    "NotFoundError",
    "PayloadError",
    "TransportError",
    "iterate",
    "nodes",
    "task_finished",
]

ACCEPT = "application/graphql-response+json, application/json"
# The task statuses nothing follows: taskUpdated completes after sending one of them.
FINISHED = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
# server_action's actions: the mutation document and its payload key.
SERVER_ACTIONS = {
    "start": (documents.SERVER_START, "serverStart"),
    "stop": (documents.SERVER_STOP, "serverStop"),
    "reboot": (documents.SERVER_REBOOT, "serverReboot"),
    "delete": (documents.SERVER_DELETE, "serverDelete"),
}


def graphql_endpoint(url: str) -> str:
    """`{url}/graphql`, tolerating a trailing slash or an URL that already names it."""
    base = url.rstrip("/")
    return base if base.endswith("/graphql") else f"{base}/graphql"


def _compact(fields: Mapping[str, Any]) -> JSON:
    # Omitted input fields take the server's defaults (e.g. the caller's domain).
    return {key: value for key, value in fields.items() if value is not None}


class NimbusClient:
    """A synchronous GraphQL client for one Nimbus API, with async subscriptions."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        timeout: float = 30,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.endpoint = graphql_endpoint(url)
        self.token = token
        self.timeout = timeout
        self._http = httpx.Client(timeout=timeout, transport=transport)
        # A transport of the caller's (tests, proxies in-process) sees every byte: no sendfile past it.
        self._zero_copy = transport is None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- the protocol -------------------------------------------------------

    def execute(self, query: str, variables: Mapping[str, Any] | None = None) -> JSON:
        """Run a query or mutation and return its `data`; raise on top-level errors."""
        response = self._post(query, variables)
        body = self._decode(response)
        errors = body.get("errors")
        if errors:
            request_id = response.headers.get("x-request-id")
            raise error_for(errors if isinstance(errors, list) else [], request_id)
        data = body.get("data")
        if not isinstance(data, dict):
            raise GraphQLRequestError(f"{self.endpoint} returned no data", [])
        return data

    def mutate(self, query: str, variables: Mapping[str, Any] | None, payload_key: str) -> JSON:
        """Run a mutation and return its payload; raise PayloadError on its `errors`."""
        payload = self.execute(query, variables).get(payload_key)
        if not isinstance(payload, dict):
            raise GraphQLRequestError(f"the reply has no {payload_key!r} payload", [])
        if payload.get("errors"):
            raise PayloadError(payload["errors"])
        return payload

    def subscribe(self, query: str, variables: Mapping[str, Any] | None = None) -> AsyncGenerator[JSON, None]:
        """An async iterator over a subscription's results (graphql-transport-ws)."""
        return graphql_ws.subscribe(self.endpoint, self.token, query, variables, self.timeout)

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": ACCEPT}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _post(self, query: str, variables: Mapping[str, Any] | None) -> httpx.Response:
        body = {"query": query, "variables": dict(variables or {})}
        try:
            return self._http.post(self.endpoint, json=body, headers=self._headers())
        except httpx.TimeoutException:
            raise TransportError(f"timed out talking to Nimbus at {self.url}") from None
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            message = f"cannot connect to Nimbus at {self.url}: {exc}"
            raise TransportError(message) from None

    def _decode(self, response: httpx.Response) -> JSON:
        if response.status_code == 401:
            raise AuthError(f"{self.url} refused the token (HTTP 401)")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            status = response.status_code
            message = f"{self.endpoint} did not answer with GraphQL JSON (HTTP {status})"
            raise TransportError(message)
        return body

    # --- identity -----------------------------------------------------------

    def login(self, username: str, password: str, project: str, domain: str = "default") -> JSON:
        """Create a token scoped to `project`, use it from now on, return the payload."""
        fields = {
            "username": username,
            "password": password,
            "project": project,
            "domain": domain,
        }
        payload = self.mutate(documents.TOKEN_CREATE, {"input": fields}, "tokenCreate")
        if not payload.get("token"):
            raise GraphQLRequestError("tokenCreate returned no token", [])
        self.token = str(payload["token"])
        return payload

    def token_revoke(self, token: str | None = None) -> bool:
        """Revoke `token`, or the calling token when omitted."""
        variables = {"input": _compact({"token": token})}
        payload = self.mutate(documents.TOKEN_REVOKE, variables, "tokenRevoke")
        return bool(payload.get("revoked"))

    def logout(self) -> bool:
        """Revoke the calling token and forget it."""
        revoked = self.token_revoke()
        self.token = None
        return revoked

    def me(self) -> JSON:
        """The caller: user, project, role names and permissions."""
        return dict(self.execute(documents.ME)["me"])

    def projects(
        self,
        first: int = 50,
        after: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> JSON:
        """One page of the `projects` connection."""
        return self._connection(documents.PROJECTS, "projects", first, after, filter)

    def project_create(self, name: str, domain_id: str | None = None, description: str | None = None) -> JSON:
        fields = {"name": name, "domainId": domain_id, "description": description}
        return self._create(documents.PROJECT_CREATE, "projectCreate", "project", fields)

    def project_delete(self, project_id: str) -> str:
        return self._delete(documents.PROJECT_DELETE, "projectDelete", project_id)

    def users(
        self,
        first: int = 50,
        after: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> JSON:
        """One page of the `users` connection."""
        return self._connection(documents.USERS, "users", first, after, filter)

    def user_create(
        self,
        name: str,
        password: str,
        email: str | None = None,
        domain_id: str | None = None,
    ) -> JSON:
        fields = {
            "name": name,
            "password": password,
            "email": email,
            "domainId": domain_id,
        }
        return self._create(documents.USER_CREATE, "userCreate", "user", fields)

    def user_delete(self, user_id: str) -> str:
        return self._delete(documents.USER_DELETE, "userDelete", user_id)

    def roles(self, first: int = 50, after: str | None = None) -> JSON:
        """One page of the `roles` connection."""
        return self._connection(documents.ROLES, "roles", first, after, None)

    def role_assignment_create(
        self,
        role: str,
        *,
        user_id: str | None = None,
        group_id: str | None = None,
        project_id: str | None = None,
        domain_id: str | None = None,
        system: bool = False,
    ) -> JSON:
        """Grant the role named `role` to a user or group on a project, domain or system."""
        fields = {
            "role": role,
            "userId": user_id,
            "groupId": group_id,
            "projectId": project_id,
            "domainId": domain_id,
            "system": system,
        }
        document = documents.ROLE_ASSIGNMENT_CREATE
        return self._create(document, "roleAssignmentCreate", "roleAssignment", fields)

    # --- audit --------------------------------------------------------------

    def audit_events(
        self,
        first: int = 50,
        after: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> JSON:
        """One page of the `auditEvents` connection."""
        document = documents.AUDIT_EVENTS
        return self._connection(document, "auditEvents", first, after, filter)

    async def audit_event_stream(self, project_id: str | None = None) -> AsyncGenerator[JSON, None]:
        """Every new audit event (of one project, when given) as it is recorded."""
        variables = _compact({"projectId": project_id})
        stream = self.subscribe(documents.AUDIT_EVENTS_SUBSCRIPTION, variables)
        async with aclosing(stream) as results:
            async for data in results:
                yield dict(data["auditEvents"])

    # --- compute ------------------------------------------------------------

    def servers(
        self,
        first: int = 50,
        after: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> JSON:
        """One page of the `servers` connection (DELETED ones only when filtered for)."""
        return self._connection(documents.SERVERS, "servers", first, after, filter)

    def server(self, server_id: str) -> JSON:
        """One server by id; NotFoundError when it does not exist or is out of reach."""
        return self._node(documents.SERVER, "Server", server_id)

    def server_create(
        self,
        name: str,
        vcpus: int,
        memory_mb: int,
        disk_gb: int = 10,
        network_id: str | None = None,
        project_id: str | None = None,
        count: int = 1,
        image_id: str | None = None,
        host_id: str | None = None,
        placement: Mapping[str, Any] | None = None,
    ) -> JSON:
        """Create `count` servers; the payload holds them (PENDING) and the `task` building them.

        A batch (count > 1) has one parent task with a subtask per server. `placement` adds
        scheduler hints: zoneId, regionId, requiredTags, excludedTags, preferredTags, arch,
        hypervisor, serverGroupId, strategy (SPREAD/PACK), allowPartial.
        """
        fields = {
            "name": name,
            "vcpus": vcpus,
            "memoryMb": memory_mb,
            "diskGb": disk_gb,
            "networkId": network_id,
            "projectId": project_id,
            "count": count,
            "imageId": image_id,
            "hostId": host_id,
            **(placement or {}),
        }
        return self.mutate(documents.SERVER_CREATE, {"input": _compact(fields)}, "serverCreate")

    def scheduler_forecast(self, request: Mapping[str, Any], limit: int | None = None) -> JSON:
        """What serverCreate with `request` (its input) would get; raises PayloadError on bad input."""
        data = self.execute(documents.SCHEDULER_FORECAST, {"input": _compact(request), "limit": limit})
        forecast: JSON = data["schedulerForecast"]
        if forecast.get("errors"):
            raise PayloadError(forecast["errors"])
        return forecast

    def server_groups(
        self,
        first: int = 50,
        after: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> JSON:
        """One page of the `serverGroups` connection."""
        return self._connection(documents.SERVER_GROUPS, "serverGroups", first, after, filter)

    def server_group_create(self, name: str, policy: str, project_id: str | None = None) -> JSON:
        fields = {"name": name, "policy": policy, "projectId": project_id}
        return self._create(documents.SERVER_GROUP_CREATE, "serverGroupCreate", "serverGroup", fields)

    def server_group_delete(self, group_id: str) -> str:
        return self._delete(documents.SERVER_GROUP_DELETE, "serverGroupDelete", group_id)

    def scheduler_settings(self) -> JSON:
        settings: JSON = self.execute(documents.SCHEDULER_SETTINGS)["schedulerSettings"]
        return settings

    def scheduler_settings_update(self, **fields: Any) -> JSON:
        """Change settings: strategy, maxServersPerHost, multipliers [{weigher, multiplier}], projectId, ..."""
        return self._create(documents.SCHEDULER_SETTINGS_UPDATE, "schedulerSettingsUpdate", "settings", fields)

    def server_action(self, action: str, server_id: str, *, force: bool = False) -> JSON:
        """Start, stop, reboot or delete a server; the payload holds the `server` and the `task`.

        `force` (stop only) powers the server off at once instead of asking the guest first.
        """
        if action not in SERVER_ACTIONS:
            raise ValueError(f"unknown server action {action!r}; expected one of {', '.join(SERVER_ACTIONS)}")
        if force and action != "stop":
            raise ValueError("only stop can be forced")
        document, key = SERVER_ACTIONS[action]
        fields: JSON = {"id": server_id, "force": True} if force else {"id": server_id}
        return self.mutate(document, {"input": fields}, key)

    def server_console(self, server_id: str, protocol: str = "VNC", port: int = 22) -> JSON:
        """A one-time console ticket: `url` (the web console page, absolute), `websocketUrl`, `token`."""
        payload = self.mutate(
            documents.SERVER_CONSOLE_CREATE,
            {"input": {"id": server_id, "protocol": protocol.upper(), "port": port}},
            "serverConsoleCreate",
        )
        if payload.get("url", "").startswith("/"):
            payload["url"] = self.url + payload["url"]  # relative to the api when no page URL is set
        return payload

    def hosts(
        self,
        first: int = 50,
        after: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> JSON:
        """One page of the `hosts` connection (administrators)."""
        return self._connection(documents.HOSTS, "hosts", first, after, filter)

    def networks(
        self,
        first: int = 50,
        after: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> JSON:
        """One page of the `networks` connection."""
        return self._connection(documents.NETWORKS, "networks", first, after, filter)

    def network_create(
        self,
        name: str,
        cidr: str,
        gateway: str | None = None,
        project_id: str | None = None,
    ) -> JSON:
        """Create a network of one project, or a shared one (admins) when `project_id` is None."""
        fields = {"name": name, "cidr": cidr, "gateway": gateway, "projectId": project_id}
        return self._create(documents.NETWORK_CREATE, "networkCreate", "network", fields)

    # --- images -------------------------------------------------------------

    def images(
        self,
        first: int = 50,
        after: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> JSON:
        """One page of the `images` connection (DELETED ones only when filtered for)."""
        return self._connection(documents.IMAGES, "images", first, after, filter)

    def image(self, image_id: str) -> JSON:
        """One image by id; NotFoundError when it does not exist or is out of reach."""
        return self._node(documents.IMAGE, "Image", image_id)

    def image_create(self, name: str, disk_format: str, **fields: Any) -> JSON:
        """A QUEUED image; the payload holds `image` and the `uploadUrl` its bytes go to.

        `fields` are ImageCreateInput's other fields by their GraphQL names (visibility, size,
        sha256, minDiskGb, osDistro, …).
        """
        inputs = {"name": name, "diskFormat": disk_format, **fields}
        return self.mutate(documents.IMAGE_CREATE, {"input": _compact(inputs)}, "imageCreate")

    def image_update(self, image_id: str, **fields: Any) -> JSON:
        """Change an image; `fields` by their GraphQL names (name, visibility, protected, …)."""
        return self._create(documents.IMAGE_UPDATE, "imageUpdate", "image", {"id": image_id, **fields})

    def image_share(self, image_id: str, project_ids: list[str], *, remove: bool = False) -> JSON:
        fields = {"id": image_id, "projectIds": project_ids, "remove": remove}
        return self._create(documents.IMAGE_SHARE, "imageShare", "image", fields)

    def image_delete(self, image_id: str) -> str:
        return self._delete(documents.IMAGE_DELETE, "imageDelete", image_id)

    def image_convert(self, image_id: str, disk_format: str, name: str | None = None) -> JSON:
        """Start converting; the payload holds the new `image` (SAVING) and the `task` writing it."""
        fields = {"id": image_id, "diskFormat": disk_format, "name": name}
        return self.mutate(documents.IMAGE_CONVERT, {"input": _compact(fields)}, "imageConvert")

    def image_upload(
        self,
        upload_url: str,
        path: Path,
        progress: Callable[[int, int], None] = lambda _done, _total: None,
        chunk_size: int = transfer.DEFAULT_CHUNK,
    ) -> JSON:
        """Send a file to an image's upload URL, resuming after dropped connections.

        Returns the server's final answer (`status` ACTIVE, `sha256`); PayloadError when the
        server killed the image (wrong format, backing file, corrupt).
        """
        return transfer.upload(
            self._http,
            upload_url,
            self._headers(),
            path,
            progress=progress,
            timeout=self.timeout,
            chunk_size=chunk_size,
            zero_copy=self._zero_copy,
        )

    def image_download(
        self, image_id: str, target: Path, progress: Callable[[int, int], None] = lambda _done, _total: None
    ) -> str:
        """Fetch an image's bytes into `target`, resuming a partial download; returns the SHA-256."""
        # The API names where the bytes are served (its image data listener, when it runs).
        url = self.image(image_id).get("fileUrl") or transfer.file_url(self.url, image_id)
        return transfer.download(self._http, url, self._headers(), target, progress=progress, timeout=self.timeout)

    # --- tasks --------------------------------------------------------------

    def tasks(
        self,
        first: int = 50,
        after: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> JSON:
        """One page of the `tasks` connection, newest first."""
        return self._connection(documents.TASKS, "tasks", first, after, filter)

    def task(self, task_id: str) -> JSON:
        """One task with its subtasks; NotFoundError when it does not exist or is out of reach."""
        return self._node(documents.TASK, "Task", task_id)

    def task_cancel(self, task_id: str) -> JSON:
        """Ask for a task to be cancelled; returns the task (its undo runs before it ends CANCELLED)."""
        payload = self.mutate(documents.TASK_CANCEL, {"input": {"id": task_id}}, "taskCancel")
        return dict(payload["task"])

    async def task_follow(self, task_id: str) -> AsyncGenerator[JSON, None]:
        """The task's current state, then each change, until it has ended (`taskUpdated`).

        The server completes the subscription without a result for a task that does not
        exist or is out of reach, so a caller should check that the last state is final.
        """
        stream = self.subscribe(documents.TASK_UPDATED_SUBSCRIPTION, {"id": task_id})
        async with aclosing(stream) as results:
            async for data in results:
                yield dict(data["taskUpdated"])

    def task_poll(self, task_id: str, interval: float = 0.5) -> Iterator[JSON]:
        """Like task_follow without a websocket: reads `node(id)` every `interval` seconds.

        Yields the current state, then each change, and returns once the task has ended.
        """
        last: JSON | None = None
        while True:
            state = self._node(documents.TASK_STATE, "Task", task_id)
            if state != last:
                yield state
                last = state
            if task_finished(state):
                return
            time.sleep(interval)

    # --- identity providers and quotas --------------------------------------

    def identity_providers(
        self,
        first: int = 50,
        after: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> JSON:
        """One page of the `identityProviders` connection (administrators)."""
        return self._connection(documents.IDENTITY_PROVIDERS, "identityProviders", first, after, filter)

    def identity_provider_create(self, fields: Mapping[str, Any]) -> JSON:
        """Create an identity provider from `IdentityProviderCreateInput` fields."""
        return self._create(documents.IDENTITY_PROVIDER_CREATE, "identityProviderCreate", "identityProvider", fields)

    def identity_provider_sync(self, provider_id: str) -> JSON:
        """Start a directory sync; returns the payload with the provider and the task."""
        return self.mutate(documents.IDENTITY_PROVIDER_SYNC, {"input": {"id": provider_id}}, "identityProviderSync")

    def quotas(
        self,
        first: int = 50,
        after: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> JSON:
        """One page of project quotas, with usage next to every limit."""
        return self._connection(documents.QUOTAS, "quotas", first, after, filter)

    def quota_defaults(self, domain_id: str) -> JSON:
        """A domain's default limits; NotFoundError when the domain is out of reach."""
        found = self.execute(documents.QUOTA_DEFAULTS, {"domainId": domain_id}).get("quotaDefaults")
        if not isinstance(found, dict):
            raise NotFoundError(f"domain {domain_id} not found")
        return found

    def quota_update(self, fields: Mapping[str, Any]) -> JSON:
        """Set (or with `reset`, clear) limits of a project or a domain's defaults."""
        payload = self.mutate(documents.QUOTA_UPDATE, {"input": _compact(fields)}, "quotaUpdate")
        return dict(payload["quota"])

    # --- shared shapes ------------------------------------------------------

    def _node(self, document: str, type_name: str, object_id: str) -> JSON:
        found = self.execute(document, {"id": object_id}).get("node")
        # node(id) answers null for what does not exist or is out of reach, and
        # answers an object of another type for another type's id.
        if not isinstance(found, dict) or found.get("__typename") != type_name:
            raise NotFoundError(f"{type_name.lower()} {object_id} not found")
        return {key: value for key, value in found.items() if key != "__typename"}

    def _connection(
        self,
        document: str,
        key: str,
        first: int,
        after: str | None,
        filter: Mapping[str, Any] | None,
    ) -> JSON:
        variables: JSON = {"first": first, "after": after}
        wanted = _compact(filter or {})
        if wanted:
            variables["filter"] = wanted
        return dict(self.execute(document, variables)[key])

    def _create(self, document: str, key: str, object_key: str, fields: Mapping[str, Any]) -> JSON:
        payload = self.mutate(document, {"input": _compact(fields)}, key)
        return dict(payload[object_key])

    def _delete(self, document: str, key: str, object_id: str) -> str:
        payload = self.mutate(document, {"input": {"id": object_id}}, key)
        return str(payload["deletedId"])


def task_finished(task: Mapping[str, Any]) -> bool:
    """Whether the task has ended: SUCCEEDED, FAILED or CANCELLED."""
    return task.get("status") in FINISHED


def nodes(connection: Mapping[str, Any]) -> list[JSON]:
    """The nodes of one connection page, in order."""
    return [dict(edge["node"]) for edge in connection.get("edges") or []]


def iterate(page: Callable[..., JSON], /, first: int = 100, **arguments: Any) -> Iterator[JSON]:
    """Every node of a connection, following `pageInfo.endCursor` page by page.

    `page` is a connection method, e.g. ``iterate(client.users, filter={...})``.
    """
    after: str | None = None
    while True:
        connection = page(first=first, after=after, **arguments)
        yield from nodes(connection)
        info = connection.get("pageInfo") or {}
        cursor = info.get("endCursor")
        # A cursor that does not move would loop forever; stop instead.
        if not info.get("hasNextPage") or not cursor or cursor == after:
            return
        after = str(cursor)
