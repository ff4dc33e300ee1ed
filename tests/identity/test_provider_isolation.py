"""Identity providers are administered by system admins and, for their own domain, domain admins only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import GraphQLClient
from tests.identity.conftest import IDP_CREATE, IDP_SYNC
from tests.identity.personas import World, build_world

LIST = "{ identityProviders { totalCount edges { node { id name } } } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
TASK = "query($id: ID!) { node(id: $id) { ... on Task { id kind } } }"
AUDIT = """query($op: String!) { auditEvents(first: 50, filter: {operation: $op}) {
  edges { node { outcome errorCode actorName } } } }"""


def ldap_provider(name: str, domain_id: str) -> dict[str, Any]:
    return {
        "name": name,
        "domainId": domain_id,
        "driver": "LDAP",
        "ldap": {"urls": ["ldap://127.0.0.1:9"], "userBaseDn": "ou=people,dc=example,dc=org"},
    }


@pytest.fixture
async def world(gql: GraphQLClient, admin: GraphQLClient) -> World:
    assert admin.token is not None
    return await build_world(gql, admin.token)


async def test_providers_are_scoped_to_their_domain(gql: GraphQLClient, admin: GraphQLClient, world: World) -> None:
    blue_idp = await admin.ok(IDP_CREATE, {"in": ldap_provider("blue-ldap", world.blue.domain_id)})
    red_idp = await admin.ok(IDP_CREATE, {"in": ldap_provider("red-ldap", world.red.domain_id)})
    blue_id = blue_idp["identityProviderCreate"]["identityProvider"]["id"]
    red_id = red_idp["identityProviderCreate"]["identityProvider"]["id"]
    as_ = {key: gql.as_(p.token) for key, p in world.personas.items()}

    assert (await admin.ok(LIST))["identityProviders"]["totalCount"] == 2
    acme = await as_["acme-domain-admin"].ok(LIST)
    assert [e["node"]["name"] for e in acme["identityProviders"]["edges"]] == ["red-ldap"]
    for key in ("blue-admin", "blue-member", "red-admin", "red-reader"):
        assert (await as_[key].ok(LIST))["identityProviders"]["totalCount"] == 0, key
        assert (await as_[key].ok(NODE, {"id": red_id}))["node"] is None, key

    # Creating is for system admins: everyone else is refused at the top level.
    for key in ("acme-domain-admin", "blue-admin"):
        refused = await as_[key](IDP_CREATE, {"in": ldap_provider(f"{key}-idp", world.red.domain_id)})
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", key

    # Syncing: a domain admin syncs their own domain's directory; another's is out of sight.
    own = (await as_["acme-domain-admin"].ok(IDP_SYNC, {"id": red_id}))["identityProviderSync"]
    assert own["errors"] == []
    assert (await as_["acme-domain-admin"].ok(TASK, {"id": own["task"]["id"]}))["node"]["kind"] == (
        "identity.provider_sync"
    )
    assert (await as_["blue-admin"].ok(TASK, {"id": own["task"]["id"]}))["node"] is None
    other = (await as_["acme-domain-admin"].ok(IDP_SYNC, {"id": blue_id}))["identityProviderSync"]
    assert [e["code"] for e in other["errors"]] == ["NOT_FOUND"]
    assert other["task"] is None
    project_admin = (await as_["red-admin"].ok(IDP_SYNC, {"id": red_id}))["identityProviderSync"]
    assert [e["code"] for e in project_admin["errors"]] == ["NOT_FOUND"]

    created = [e["node"] for e in (await admin.ok(AUDIT, {"op": "identityProviderCreate"}))["auditEvents"]["edges"]]
    assert sorted((e["actorName"], e["outcome"]) for e in created) == [
        ("acme-admin", "DENIED"),
        ("admin", "SUCCESS"),
        ("admin", "SUCCESS"),
        ("blue-admin", "DENIED"),
    ]
    # Changing and deleting are for system admins too.
    update = """mutation($id: ID!) { identityProviderUpdate(input: {id: $id, enabled: false}) { errors { code } } }"""
    delete = """mutation($id: ID!) { identityProviderDelete(input: {id: $id}) { errors { code } } }"""
    for document in (update, delete):
        refused = await as_["acme-domain-admin"](document, {"id": red_id})
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        hidden = await as_["acme-domain-admin"].ok(document, {"id": blue_id})
        assert [e["code"] for e in next(iter(hidden.values()))["errors"]] == ["NOT_FOUND"]

    synced = [e["node"] for e in (await admin.ok(AUDIT, {"op": "identityProviderSync"}))["auditEvents"]["edges"]]
    assert sorted((e["actorName"], e["outcome"], e["errorCode"]) for e in synced) == [
        ("acme-admin", "FAILURE", "NOT_FOUND"),
        ("acme-admin", "SUCCESS", None),
        ("red-admin", "FAILURE", "NOT_FOUND"),
    ]
