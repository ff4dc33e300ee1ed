"""Private images stay in their project; SHARED ones reach the named projects only; PUBLIC is for admins."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.compute.test_compute_isolation import _subscribe, tenant
from tests.conftest import GraphQLClient, LiveServer
from tests.image.conftest import create_image, put, upload
from tests.image.test_convert import raw_id

LIST = "{ images { totalCount edges { node { id name visibility } } } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
UPDATE = """mutation($in: ImageUpdateInput!) { imageUpdate(input: $in) {
  image { id name visibility protected } errors { field message code } } }"""
DELETE = "mutation($id: ID!) { imageDelete(input: {id: $id}) { deletedId errors { field message code } } }"
SHARE = """mutation($id: ID!, $projects: [ID!]!, $remove: Boolean! = false) {
  imageShare(input: {id: $id, projectIds: $projects, remove: $remove}) {
    image { id visibility sharedWith } errors { field message code } } }"""
PROJECT = "{ me { project { id } } }"


@pytest.fixture
async def people(admin: GraphQLClient, gql: GraphQLClient) -> tuple[GraphQLClient, GraphQLClient, GraphQLClient]:
    return (
        await tenant(admin, gql, "blue", "bob"),
        await tenant(admin, gql, "red", "rita"),
        await tenant(admin, gql, "green", "gina"),
    )


async def names(client: GraphQLClient) -> set[str]:
    return {e["node"]["name"] for e in (await client.ok(LIST))["images"]["edges"]}


async def project_id(client: GraphQLClient) -> str:
    pid: str = (await client.ok(PROJECT))["me"]["project"]["id"]
    return pid


async def mutate(client: GraphQLClient, document: str, key: str, **variables: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.ok(document, variables))[key]
    return payload


async def test_private_images_are_invisible_and_untouchable_elsewhere(
    people: tuple[GraphQLClient, GraphQLClient, GraphQLClient], images: dict[str, Path]
) -> None:
    blue, red, _ = people
    image, _ = await upload(blue, images["QCOW2"], "QCOW2", name="secret")
    assert await names(red) == set()
    assert (await red.ok(NODE, {"id": image["id"]}))["node"] is None
    update = await mutate(red, UPDATE, "imageUpdate", **{"in": {"id": image["id"], "name": "mine"}})
    assert update["errors"][0]["code"] == "NOT_FOUND"
    assert (await mutate(red, DELETE, "imageDelete", id=image["id"]))["errors"][0]["code"] == "NOT_FOUND"
    share = await mutate(red, SHARE, "imageShare", id=image["id"], projects=[await project_id(red)])
    assert share["errors"][0]["code"] == "NOT_FOUND"
    path = f"/images/{raw_id(image['id'])}/file"
    download = await red.http.get(path, headers={"authorization": f"Bearer {red.token}"})
    assert download.status_code == 404
    assert b"secret" not in download.content


async def test_uploading_to_another_projects_image_is_refused(
    people: tuple[GraphQLClient, GraphQLClient, GraphQLClient], images: dict[str, Path]
) -> None:
    blue, red, _ = people
    created = await create_image(blue, diskFormat="RAW")
    assert red.token
    response = await put(red.http, red.token, created["uploadUrl"], images["RAW"].read_bytes())
    assert response.status_code == 404
    unauthenticated = await blue.http.put(created["uploadUrl"].split("nimbus.test", 1)[1], content=b"x")
    assert unauthenticated.status_code == 401


async def test_shared_images_reach_only_the_named_projects(
    people: tuple[GraphQLClient, GraphQLClient, GraphQLClient], images: dict[str, Path]
) -> None:
    blue, red, green = people
    image, _ = await upload(blue, images["QCOW2"], "QCOW2", name="golden")
    shared = await mutate(blue, SHARE, "imageShare", id=image["id"], projects=[await project_id(red)])
    assert shared["errors"] == []
    assert shared["image"]["visibility"] == "SHARED"
    assert shared["image"]["sharedWith"] == [await project_id(red)]
    assert await names(red) == {"golden"}
    assert await names(green) == set()
    # Red may use it, not change it.
    path = f"/images/{raw_id(image['id'])}/file"
    assert (await red.http.get(path, headers={"authorization": f"Bearer {red.token}"})).status_code == 200
    refused = await red(UPDATE, {"in": {"id": image["id"], "name": "stolen"}})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Red does not learn with whom else it is shared.
    seen = await red.ok("query($id: ID!) { node(id: $id) { ... on Image { sharedWith } } }", {"id": image["id"]})
    assert seen["node"]["sharedWith"] == []
    unshared = await mutate(blue, SHARE, "imageShare", id=image["id"], projects=[await project_id(red)], remove=True)
    assert unshared["errors"] == []
    assert await names(red) == set()


async def test_only_administrators_publish_images(
    admin: GraphQLClient, people: tuple[GraphQLClient, GraphQLClient, GraphQLClient], images: dict[str, Path]
) -> None:
    blue, red, _ = people
    image, _ = await upload(blue, images["QCOW2"], "QCOW2", name="debian")
    refused = await mutate(blue, UPDATE, "imageUpdate", **{"in": {"id": image["id"], "visibility": "PUBLIC"}})
    assert refused["errors"][0]["code"] == "NOT_ALLOWED"
    published = await mutate(admin, UPDATE, "imageUpdate", **{"in": {"id": image["id"], "visibility": "PUBLIC"}})
    assert published["errors"] == []
    assert "debian" in await names(red)


async def test_protected_images_cannot_be_deleted_and_deleted_ones_lose_their_bytes(
    admin: GraphQLClient, images: dict[str, Path], settings: Any
) -> None:
    image, _ = await upload(admin, images["RAW"], "RAW", protected=True)
    assert (await mutate(admin, DELETE, "imageDelete", id=image["id"]))["errors"][0]["code"] == "PROTECTED"
    await mutate(admin, UPDATE, "imageUpdate", **{"in": {"id": image["id"], "protected": False}})
    deleted = await mutate(admin, DELETE, "imageDelete", id=image["id"])
    assert deleted == {"deletedId": image["id"], "errors": []}
    assert not (settings.effective_image_dir / raw_id(image["id"])).exists()
    assert (await admin.ok(NODE, {"id": image["id"]}))["node"]["id"] == image["id"]  # the record stays, DELETED
    assert image["id"] not in {e["node"]["id"] for e in (await admin.ok(LIST))["images"]["edges"]}


@pytest.mark.timeout(60)
async def test_image_status_changes_stream_to_the_owner_only(
    live_server: LiveServer, people: tuple[GraphQLClient, GraphQLClient, GraphQLClient], images: dict[str, Path]
) -> None:
    blue, red, _ = people
    assert blue.token
    assert red.token
    query = 'subscription { resourceChanged(kind: "Image") { kind id status } }'
    mine = await _subscribe(live_server.url, blue.token, query, {})
    theirs = await _subscribe(live_server.url, red.token, query, {})
    try:
        await asyncio.sleep(0.3)
        image, _ = await upload(blue, images["QCOW2"], "QCOW2")
        frame = json.loads(await asyncio.wait_for(mine.recv(), 10))
        assert frame["payload"]["data"]["resourceChanged"] == {"kind": "Image", "id": image["id"], "status": "ACTIVE"}
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(theirs.recv(), 1)
    finally:
        await mine.close()
        await theirs.close()
        await asyncio.sleep(0.3)  # let the server end the subscriptions before the session may stop it


async def test_uploads_need_the_update_permission_and_are_audited(
    admin: GraphQLClient, gql: GraphQLClient, images: dict[str, Path]
) -> None:
    member = await tenant(admin, gql, "blue", "bob")
    blue = (await member.ok(PROJECT))["me"]["project"]["id"]
    reader_id = (
        await admin.ok(
            "mutation($n: String!, $p: String!) { userCreate(input: {name: $n, password: $p}) { user { id } } }",
            {"n": "rita-reader", "p": "Tenant-Passw0rd!"},
        )
    )["userCreate"]["user"]["id"]
    await admin.ok(
        'mutation($u: ID!, $p: ID!) { roleAssignmentCreate(input: {role: "reader", userId: $u, projectId: $p}) '
        "{ errors { code } } }",
        {"u": reader_id, "p": blue},
    )
    reader = gql.as_(await gql.login("rita-reader", "Tenant-Passw0rd!", "blue"))
    created = await create_image(member, diskFormat="RAW")
    assert reader.token
    refused = await put(reader.http, reader.token, created["uploadUrl"], images["RAW"].read_bytes())
    assert refused.status_code == 403
    _image, accepted = await upload(member, images["RAW"], "RAW")
    assert accepted.status_code == 201
    audit = """{ auditEvents(filter: {operation: "imageUpload"}) { edges { node { outcome actorName } } } }"""
    events = {(e["node"]["outcome"], e["node"]["actorName"]) for e in (await admin.ok(audit))["auditEvents"]["edges"]}
    assert events == {("DENIED", "rita-reader"), ("SUCCESS", "bob")}
