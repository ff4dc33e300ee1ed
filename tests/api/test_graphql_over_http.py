"""The endpoint speaks the GraphQL-over-HTTP specification, not only strawberry's defaults."""

from __future__ import annotations

import httpx

from tests.conftest import GraphQLClient

GRAPHQL_RESPONSE = "application/graphql-response+json"


async def test_well_formed_query_answers_200_in_the_accepted_media_type(admin: GraphQLClient) -> None:
    response = await admin.raw("{ me { user { name } } }")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.json() == {"data": {"me": {"user": {"name": "admin"}}}}


async def test_parse_error_is_400_without_data_under_graphql_response_json(admin: GraphQLClient) -> None:
    response = await admin.raw("{ me { ")
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_validation_error_is_400_under_graphql_response_json(admin: GraphQLClient) -> None:
    response = await admin.raw("{ me { noSuchField } }")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_legacy_json_clients_get_200_for_validation_errors(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ nope }"}, headers={"accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "data" not in response.json()


async def test_unacceptable_accept_header_is_406(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ me { roles } }"}, headers={"accept": "text/csv"})
    assert response.status_code == 406


async def test_non_json_body_is_415_and_bad_json_400(client: httpx.AsyncClient) -> None:
    r1 = await client.post("/graphql", content=b"query=x", headers={"content-type": "text/plain"})
    assert r1.status_code == 415
    r2 = await client.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert r2.status_code == 400
    assert r2.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_batches_are_refused(client: httpx.AsyncClient) -> None:
    batch = [{"query": "{ me { roles } }"}] * 2
    response = await client.post("/graphql", json=batch)
    assert response.status_code == 400
    assert "one operation per request" in response.json()["errors"][0]["message"]


async def test_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ me { roles } }", "variables": {"x": "a" * 2_000_000}})
    assert response.status_code == 413


async def test_get_runs_queries_but_not_mutations(client: httpx.AsyncClient, admin: GraphQLClient) -> None:
    auth = {"authorization": f"Bearer {admin.token}", "accept": GRAPHQL_RESPONSE}
    ok = await client.get("/graphql", params={"query": "{ me { user { name } } }"}, headers=auth)
    assert ok.status_code == 200
    assert ok.json()["data"]["me"]["user"]["name"] == "admin"
    mutation = 'mutation { projectCreate(input: {name: "viaget"}) { errors { code } } }'
    refused = await client.get("/graphql", params={"query": mutation}, headers=auth)
    assert refused.status_code == 405
    assert refused.headers["allow"] == "POST"
    listed = await admin.ok('{ projects(filter: {name: "viaget"}) { totalCount } }')
    assert listed["projects"]["totalCount"] == 0


async def test_browser_get_serves_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_unauthenticated_query_is_a_coded_top_level_error(gql: GraphQLClient) -> None:
    body = await gql("{ me { user { name } } }")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ me { roles } }"}, headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    generated = await client.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32


async def test_healthz_reports_database_and_redis(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


async def test_metrics_count_requests_per_operation(admin: GraphQLClient, client: httpx.AsyncClient) -> None:
    await admin.http.post(
        "/graphql",
        json={"query": "query WhoAmI { me { roles } }", "operationName": "WhoAmI"},
        headers={"authorization": f"Bearer {admin.token}"},
    )
    text = (await client.get("/metrics")).text
    assert 'nimbus_graphql_requests_total{operation="WhoAmI",outcome="ok"}' in text
    assert 'nimbus_graphql_request_duration_seconds_count{operation="WhoAmI"}' in text
    assert 'nimbus_tasks{status="RUNNING"} 0.0' in text


async def test_internal_errors_are_masked(admin: GraphQLClient, monkeypatch: object) -> None:
    import pytest

    from resolvers.identity import queries

    async def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("secret connection string postgres://user:pw@db")

    mp = pytest.MonkeyPatch()
    mp.setattr(queries, "me", broken)
    try:
        body = await admin("{ me { roles } }")
    finally:
        mp.undo()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in error["message"]
