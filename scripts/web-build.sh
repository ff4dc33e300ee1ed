#!/usr/bin/env bash
# Builds the web console into web/dist with the project's lockfile (npm ci, npm registry only):
# installs node_modules when package-lock.json changed, rebuilds when a source, the schema or the
# lockfile is newer than the last build. Quiet when there is nothing to do. `--force` rebuilds.
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v npm >/dev/null; then
  echo "error: npm is not installed (Node.js >= 20.19 is needed to build the web console)" >&2
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
