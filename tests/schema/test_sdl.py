"""The committed SDL is the schema the code builds: clients generate from it."""

from __future__ import annotations

from schema.export import SDL_PATH, sdl


def test_committed_sdl_matches_the_code() -> None:
    assert SDL_PATH.read_text() == sdl(), "schema/schema.graphql is stale: run `make schema` and commit it"


def test_every_field_and_argument_is_described() -> None:
    from graphql import GraphQLInputObjectType, GraphQLObjectType

    from schema import build_schema

    gql = build_schema()._schema
    missing = []
    for name, type_ in gql.type_map.items():
        if name.startswith("__") or not isinstance(type_, (GraphQLObjectType, GraphQLInputObjectType)):
            continue
        for field_name, field in type_.fields.items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if not arg.description and arg_name not in ("filter", "orderBy", "input"):
                    missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == []
