"""The SDK over HTTP: requests it sends and the typed errors it raises."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from climc.client import (
    AuthError,
    ForbiddenError,
    GraphQLRequestError,
    NimbusClient,
    NotFoundError,
    PayloadError,
    TransportError,
    iterate,
    nodes,
    task_finished,
)

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def sent() -> list[httpx.Request]:
    return []


@pytest.fixture
def client_for(sent: list[httpx.Request]) -> Iterator[Callable[..., NimbusClient]]:
    """Build clients whose HTTP answers come from a handler; close them after."""
    opened: list[NimbusClient] = []

    def build(handler: Handler, token: str | None = "tok") -> NimbusClient:
        def record(request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return handler(request)

        transport = httpx.MockTransport(record)
        client = NimbusClient("http://nimbus.test/", token, transport=transport)
        opened.append(client)
        return client

    yield build
    for client in opened:
        client.close()


def answer(body: Any, status: int = 200) -> Handler:
    return lambda request: httpx.Response(status, json=body)


def errors(*codes: str | None) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [{"message": f"refused {code}", "extensions": {"code": code}} for code in codes],
    }


def test_execute_posts_the_query_with_headers(
    client_for: Callable[..., NimbusClient], sent: list[httpx.Request]
) -> None:
    client = client_for(answer({"data": {"me": {"user": None}}}))

    data = client.execute("query { me { user { id } } }", {"a": 1})

    assert data == {"me": {"user": None}}
    request = sent[0]
    assert request.method == "POST"
    assert str(request.url) == "http://nimbus.test/graphql"
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.headers["Accept"] == ("application/graphql-response+json, application/json")
    assert json.loads(request.content) == {
        "query": "query { me { user { id } } }",
        "variables": {"a": 1},
    }


def test_no_token_no_authorization_header(client_for: Callable[..., NimbusClient], sent: list[httpx.Request]) -> None:
    client_for(answer({"data": {}}), token=None).execute("{ x }")

    assert "Authorization" not in sent[0].headers


def test_http_401_is_an_auth_error(client_for: Callable[..., NimbusClient]) -> None:
    client = client_for(answer({"errors": [{"message": "no"}]}, status=401))

    with pytest.raises(AuthError):
        client.execute("{ me { user { id } } }")


@pytest.mark.parametrize(
    ("codes", "error"),
    [
        (("UNAUTHENTICATED",), AuthError),
        (("FORBIDDEN",), ForbiddenError),
        (("FORBIDDEN", "UNAUTHENTICATED"), AuthError),
        (("GRAPHQL_VALIDATION_FAILED",), GraphQLRequestError),
        ((None,), GraphQLRequestError),
    ],
)
def test_top_level_errors_by_code(
    client_for: Callable[..., NimbusClient],
    codes: tuple[str | None, ...],
    error: type[Exception],
) -> None:
    # graphql-response+json answers request errors with a 4xx and a JSON body.
    client = client_for(answer(errors(*codes), status=400))

    with pytest.raises(error):
        client.execute("{ projects { totalCount } }")


def test_request_error_keeps_the_list(
    client_for: Callable[..., NimbusClient],
) -> None:
    body = errors("BAD_INPUT")
    client = client_for(answer(body))

    with pytest.raises(GraphQLRequestError) as raised:
        client.execute("{ x }")

    assert raised.value.errors == body["errors"]
    assert str(raised.value) == "refused BAD_INPUT"


def test_non_json_reply_names_the_url(client_for: Callable[..., NimbusClient]) -> None:
    client = client_for(lambda request: httpx.Response(502, text="<html>bad</html>"))

    with pytest.raises(TransportError, match=r"http://nimbus\.test/graphql.*HTTP 502"):
        client.execute("{ x }")


def test_connection_refused_names_the_url(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    with (
        NimbusClient(url, timeout=5) as client,
        pytest.raises(TransportError, match=f"cannot connect to Nimbus at {url}"),
    ):
        client.execute("{ x }")


def test_mutate_returns_the_payload(client_for: Callable[..., NimbusClient]) -> None:
    payload = {"deletedId": "UHJvamVjdDoy", "errors": []}
    client = client_for(answer({"data": {"projectDelete": payload}}))

    assert client.project_delete("UHJvamVjdDoy") == "UHJvamVjdDoy"


def test_payload_errors_raise(client_for: Callable[..., NimbusClient]) -> None:
    problems = [{"field": "name", "message": "already exists", "code": "CONFLICT"}]
    body = {"data": {"projectCreate": {"project": None, "errors": problems}}}
    client = client_for(answer(body))

    with pytest.raises(PayloadError) as raised:
        client.project_create("demo")

    assert raised.value.errors == problems
    assert str(raised.value) == "name: already exists (CONFLICT)"


def test_payload_error_without_field() -> None:
    error = PayloadError([{"field": None, "message": "quota exceeded", "code": "QUOTA"}])

    assert str(error) == "quota exceeded (QUOTA)"


def test_login_uses_the_new_token(client_for: Callable[..., NimbusClient], sent: list[httpx.Request]) -> None:
    payload = {
        "token": "fresh",
        "expiresAt": "2030-01-01T00:00:00Z",
        "user": {"id": "VXNlcjox", "name": "alice"},
        "errors": [],
    }
    client = client_for(answer({"data": {"tokenCreate": payload}}), token=None)

    assert client.login("alice", "pw", "demo") == payload

    assert client.token == "fresh"
    assert json.loads(sent[0].content)["variables"] == {
        "input": {
            "username": "alice",
            "password": "pw",
            "project": "demo",
            "domain": "default",
        }
    }


def test_logout_revokes_the_calling_token(client_for: Callable[..., NimbusClient], sent: list[httpx.Request]) -> None:
    body = {"data": {"tokenRevoke": {"revoked": True, "errors": []}}}
    client = client_for(answer(body))

    assert client.logout() is True

    assert client.token is None
    assert json.loads(sent[0].content)["variables"] == {"input": {}}


def test_omitted_inputs_are_left_to_the_server(
    client_for: Callable[..., NimbusClient], sent: list[httpx.Request]
) -> None:
    body = {"data": {"userCreate": {"user": {"id": "u", "name": "bob"}, "errors": []}}}
    client = client_for(answer(body))

    client.user_create("bob", "pw")

    variables = json.loads(sent[0].content)["variables"]
    assert variables == {"input": {"name": "bob", "password": "pw"}}


def test_role_assignment_input(client_for: Callable[..., NimbusClient], sent: list[httpx.Request]) -> None:
    body: dict[str, Any] = {"data": {"roleAssignmentCreate": {"roleAssignment": {}, "errors": []}}}
    client = client_for(answer(body))

    client.role_assignment_create("member", user_id="u1", project_id="p1")

    assert json.loads(sent[0].content)["variables"]["input"] == {
        "role": "member",
        "userId": "u1",
        "projectId": "p1",
        "system": False,
    }


def _pages(*pages: dict[str, Any]) -> Handler:
    remaining = list(pages)
    return lambda request: httpx.Response(200, json={"data": {"users": remaining.pop(0)}})


def _page(names: list[str], end: str | None) -> dict[str, Any]:
    edges = [{"cursor": name, "node": {"name": name}} for name in names]
    return {
        "edges": edges,
        "pageInfo": {"hasNextPage": end is not None, "endCursor": end},
    }


def test_iterate_follows_end_cursors(client_for: Callable[..., NimbusClient], sent: list[httpx.Request]) -> None:
    client = client_for(_pages(_page(["a", "b"], "b"), _page(["c"], None)))

    names = [user["name"] for user in iterate(client.users, first=2)]

    assert names == ["a", "b", "c"]
    afters = [json.loads(request.content)["variables"]["after"] for request in sent]
    assert afters == [None, "b"]


def test_iterate_stops_when_the_cursor_does_not_move(
    client_for: Callable[..., NimbusClient],
) -> None:
    stuck = _page(["a"], "a")
    client = client_for(_pages(stuck, stuck, stuck))

    assert [user["name"] for user in iterate(client.users)] == ["a", "a"]


def test_nodes_of_an_empty_connection() -> None:
    assert nodes({"edges": [], "pageInfo": {}}) == []


def test_internal_errors_carry_the_request_id(
    client_for: Callable[..., NimbusClient],
) -> None:
    body = errors("INTERNAL_SERVER_ERROR")
    client = client_for(lambda request: httpx.Response(200, json=body, headers={"x-request-id": "abc123"}))

    with pytest.raises(GraphQLRequestError, match=r"^refused INTERNAL_SERVER_ERROR \(request id abc123\)$"):
        client.execute("{ x }")


# --- compute and tasks ----------------------------------------------------------------


def _node(*states: dict[str, Any] | None) -> Handler:
    remaining = list(states)
    return lambda request: httpx.Response(200, json={"data": {"node": remaining.pop(0)}})


def test_server_create_sends_only_what_is_given(
    client_for: Callable[..., NimbusClient], sent: list[httpx.Request]
) -> None:
    payload = {"servers": [{"id": "s1"}], "task": {"id": "t1"}, "errors": []}
    client = client_for(answer({"data": {"serverCreate": payload}}))

    assert client.server_create("web", 2, 1024, count=2, host_id="h1") == payload

    assert json.loads(sent[0].content)["variables"] == {
        "input": {"name": "web", "vcpus": 2, "memoryMb": 1024, "diskGb": 10, "count": 2, "hostId": "h1"}
    }


@pytest.mark.parametrize("action", ["start", "stop", "reboot", "delete"])
def test_server_action_documents(
    client_for: Callable[..., NimbusClient], sent: list[httpx.Request], action: str
) -> None:
    key = f"server{action.capitalize()}"
    payload = {"server": {"id": "s1"}, "task": {"id": "t1"}, "errors": []}
    client = client_for(answer({"data": {key: payload}}))

    assert client.server_action(action, "s1") == payload

    body = json.loads(sent[0].content)
    assert f"{key}(input: $input)" in body["query"]
    assert body["variables"] == {"input": {"id": "s1"}}


def test_server_action_unknown(client_for: Callable[..., NimbusClient], sent: list[httpx.Request]) -> None:
    client = client_for(answer({}))

    with pytest.raises(ValueError, match="unknown server action 'pause'"):
        client.server_action("pause", "s1")

    assert sent == []


def test_only_stop_can_be_forced(client_for: Callable[..., NimbusClient], sent: list[httpx.Request]) -> None:
    client = client_for(answer({}))

    with pytest.raises(ValueError, match="only stop"):
        client.server_action("delete", "s1", force=True)

    assert sent == []


def test_node_of_another_type_is_not_found(client_for: Callable[..., NimbusClient]) -> None:
    client = client_for(_node({"__typename": "Server", "id": "s1"}, None))

    with pytest.raises(NotFoundError, match="task s1 not found"):
        client.task("s1")
    with pytest.raises(NotFoundError, match="server s2 not found"):
        client.server("s2")


def test_server_by_id_without_typename(client_for: Callable[..., NimbusClient]) -> None:
    client = client_for(_node({"__typename": "Server", "id": "s1", "name": "web"}))

    assert client.server("s1") == {"id": "s1", "name": "web"}


def test_empty_filters_are_not_sent(client_for: Callable[..., NimbusClient], sent: list[httpx.Request]) -> None:
    page = {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
    client = client_for(answer({"data": {"tasks": page}}))

    client.tasks(filter={"status": None, "kind": None})
    client.tasks(filter={"status": "FAILED", "kind": None})

    sent_variables = [json.loads(request.content)["variables"] for request in sent]
    assert sent_variables == [
        {"first": 50, "after": None},
        {"first": 50, "after": None, "filter": {"status": "FAILED"}},
    ]


def test_task_poll_yields_changes_until_the_end(client_for: Callable[..., NimbusClient]) -> None:
    queued = {"__typename": "Task", "id": "t1", "status": "QUEUED", "progress": 0}
    running = {**queued, "status": "RUNNING", "progress": 50}
    done = {**queued, "status": "SUCCEEDED", "progress": 100}
    client = client_for(_node(queued, queued, running, running, done, done))

    states = [state["status"] for state in client.task_poll("t1", interval=0)]

    assert states == ["QUEUED", "RUNNING", "SUCCEEDED"]


def test_task_poll_of_a_vanished_task(client_for: Callable[..., NimbusClient]) -> None:
    client = client_for(_node({"__typename": "Task", "id": "t1", "status": "RUNNING"}, None))

    with pytest.raises(NotFoundError):
        list(client.task_poll("t1", interval=0))


def test_task_cancel_returns_the_task(client_for: Callable[..., NimbusClient]) -> None:
    task = {"id": "t1", "cancelRequested": True}
    client = client_for(answer({"data": {"taskCancel": {"task": task, "errors": []}}}))

    assert client.task_cancel("t1") == task


def test_task_finished() -> None:
    assert [task_finished({"status": s}) for s in ("QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED")] == [
        False,
        False,
        True,
        True,
        True,
    ]
