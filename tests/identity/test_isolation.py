import time
import pytest
from tests.conftest import GraphQLClient
from tests.identity.personas import build_world


@pytest.mark.parametrize("i", range(5))
async def test_build(gql: GraphQLClient, admin: GraphQLClient, i: int) -> None:
    t = time.perf_counter()
    w = await build_world(gql, admin)
    print("build", time.perf_counter() - t)
    t = time.perf_counter()
    for _ in range(10):
        await w.admin.ok("{ me { user { name } } }")
    print("10 req", time.perf_counter() - t)
