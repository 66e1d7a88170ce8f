#!/usr/bin/env bash
# Interop suite: appsync-websockets against @aws-amplify/amplify-appsync-simulator, and Amplify's own
# client (aws-amplify v6) against the local AppSync (`serve --template`, from the root build).
# Builds the library (root `npm run build` → dist/; skip with INTEROP_SKIP_BUILD=1), installs
# interop/ from its lock file when the lock changed since the last install, runs node:test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "${INTEROP_SKIP_BUILD:-}" != "1" ]; then
  (cd "$here/.." && npm run build --silent)
fi
cd "$here"
if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-lock
fi
exec node --test --test-reporter=spec --test-concurrency=1 simulator.test.mjs amplify-client.test.mjs
