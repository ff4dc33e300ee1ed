#!/usr/bin/env bash
# Builds the web console into web/dist with the project's lockfile (npm ci, npm registry only):
# installs node_modules when package-lock.json changed, rebuilds when a source, the schema or the
# lockfile is newer than the last build. Quiet when there is nothing to do. `--force` rebuilds.
# Exit 3: Node.js/npm is missing or too old (the api then serves a pointer to GraphiQL at /).
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "warning: Node.js/npm is not installed: the web console is not built (it needs Node.js >= 20.19)" >&2
  exit 3
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "warning: Node.js $(node --version) is too old for the web console's build (it needs >= 20.19)" >&2
  exit 3
fi

STAMP=node_modules/.nimbus-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $STAMP || "$(cat "$STAMP")" != "$want" ]]; then
  echo "web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$STAMP"
fi

stale() {
  [[ ${1:-} == --force || ! -f dist/index.html ]] && return 0
  [[ -n $(find src index.html vite.config.ts codegen.ts tsconfig.json package-lock.json ../schema/schema.graphql \
    -newer dist/index.html -not -path 'src/gql/*' -print -quit) ]]
}
if stale "${1:-}"; then
  echo "web: building the console"
  npm run --silent build -- --logLevel warn
fi
