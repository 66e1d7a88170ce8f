#!/bin/sh
# Run by `npm test` first: test fixtures with their own package.json and lock file (Apollo
# Client 3 beside the root's Apollo 4, for test/apollo3.test.ts) are installed exactly, from
# their lock, whenever the lock changed since their last install.
set -e
for dir in test/fixtures/apollo3; do
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.installed-lock" 2>/dev/null; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$dir/node_modules/.installed-lock"
  fi
done
