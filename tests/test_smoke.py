"""The platform answers: sign in as the bootstrapped admin and read `me`."""

from __future__ import annotations

from tests.conftest import GraphQLClient

ME = "{ me { user { name } project { name } roles permissions } }"


async def test_admin_signs_in_and_reads_me(admin: GraphQLClient) -> None:
    data = await admin.ok(ME)
    assert data["me"]["user"]["name"] == "admin"
    assert data["me"]["project"]["name"] == "admin"
    assert data["me"]["roles"] == ["admin"]
    assert "identity.project.create" in data["me"]["permissions"]
