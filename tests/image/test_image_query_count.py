"""Listing images with their project, source image and shares costs the same statements for 2 or 30."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import GraphQLClient
from tests.image.conftest import create_image

PAGE = """query($n: Int) { images(first: $n) { totalCount edges { node { id name status size
  project { name } sourceImage { name } sharedWith } } } }"""
SHARE = "mutation($id: ID!, $p: [ID!]!) { imageShare(input: {id: $id, projectIds: $p}) { errors { code } } }"


async def test_image_pages_cost_a_constant_number_of_statements(admin: GraphQLClient, queries: Any) -> None:
    project = await admin.ok('mutation { projectCreate(input: {name: "other"}) { project { id } } }')
    other = project["projectCreate"]["project"]["id"]
    created = await asyncio.gather(*(create_image(admin, name=f"i{n}", diskFormat="RAW") for n in range(30)))
    for image in created[::3]:
        await admin.ok(SHARE, {"id": image["image"]["id"], "p": [other]})
    await admin.ok(PAGE, {"n": 1})
    counts = []
    for size in (2, 30):
        with queries() as counter:
            page = await admin.ok(PAGE, {"n": size})
        assert len(page["images"]["edges"]) == size
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert counts[1] <= 6, counts  # page, count, projects, shares
