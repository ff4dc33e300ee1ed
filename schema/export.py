"""Write the schema's SDL to schema/schema.graphql: `python -m schema.export` (or `make schema`)."""

from __future__ import annotations

import sys
from pathlib import Path

from schema import build_schema

SDL_PATH = Path(__file__).parent / "schema.graphql"


def sdl() -> str:
    return str(build_schema()).rstrip() + "\n"


def main() -> int:
    SDL_PATH.write_text(sdl())
    print(f"wrote {SDL_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
