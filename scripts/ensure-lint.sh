#!/bin/sh
# Run by `npm test` first: installs lint/ (AWS's @aws-appsync/eslint-plugin and eslint, whose
# TypeScript 5 peer cannot share node_modules with the library's TypeScript 7) from its lock,
# only when the lock changed since the last install. The deploy-check tests read it.
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/lint" || exit 1
if cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then exit 0; fi
if npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; then
  cp package-lock.json node_modules/.installed-lock
else
  echo "ensure-lint: npm ci in lint/ failed; the deploy-check tests will fail" >&2
fi
exit 0
