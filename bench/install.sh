#!/usr/bin/env bash
# Installs bench/ and interop/ (the Amplify simulator, for the fan-out section) from their lock
# files, each only when its lock changed since the last install.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
for dir in bench interop; do
  cd "$root/$dir"
  if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.installed-lock
  fi
done
