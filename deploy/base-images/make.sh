#!/usr/bin/env bash
# Makes, from Debian packages, the base images docker-compose.yml and the Dockerfile name, for a
# machine that reaches no container registry: a `debootstrap --variant=minbase bookworm` root
# imported with `docker import`, then one small image per name, tagged exactly as the compose file
# says, so the compose file itself stays as it is. Images already present are kept (a warm run
# builds nothing); `--force` rebuilds them all.
#
# These are stand-ins: Debian's versions of Redis, MariaDB, Prometheus, Alertmanager and the two
# exporters run under the upstream image names. Grafana and Jaeger v2 have no Debian or npm
# build: their stand-ins only answer the health endpoints (and Jaeger's counts the OTLP traces it
# receives), so Grafana's dashboards and Jaeger's storage/UI are not exercised here.
#
# Usage: bash deploy/base-images/make.sh [--force]     (needs root, debootstrap and Docker)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
DOCKER="${DOCKER:-/usr/bin/docker}"
export DOCKER_BUILDKIT=1
cache="${TT_TOOL_CACHE:-/var/cache/3t}"
force=0
[ "${1:-}" = --force ] && force=1

BASE=3t-base/bookworm:minbase
# image name (as docker-compose.yml / Dockerfile write it) → stand-in folder beside this script
IMAGES=(
  "node:24-bookworm-slim=node"
  "redis:8.2.2-bookworm=redis"
  "mariadb:11.8.3=mariadb"
  "prom/prometheus:v3.7.3=prometheus"
  "prom/alertmanager:v0.28.1=alertmanager"
  "oliver006/redis_exporter:v1.80.0=redis-exporter"
  "prom/mysqld-exporter:v0.18.0=mysqld-exporter"
  "grafana/grafana:12.2.1=grafana"
  "jaegertracing/jaeger:2.11.0=jaeger"
)

say() { printf 'base-images: %s\n' "$*"; }
have() { [ "$force" = 0 ] && "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

if [ "${2:-}" = --list ] || [ "${1:-}" = --list ]; then
  for entry in "${IMAGES[@]}"; do echo "${entry%%=*}"; done
  exit 0
fi

# The Debian mirror the host's apt uses (the first deb URI of its sources).
host_mirror() {
  local uri
  uri="$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')"
  [ -n "$uri" ] || uri="$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')"
  [ -n "$uri" ] || { echo "base-images: no Debian mirror found in the host's apt sources" >&2; exit 1; }
  echo "$uri"
}

make_base() {
  have "$BASE" && return 0
  command -v debootstrap >/dev/null || { echo "base-images: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
  local rootfs
  rootfs="$(mktemp -d "${TMPDIR:-/tmp}/3t-rootfs.XXXXXX")"
  say "debootstrap --variant=minbase bookworm ($(date +%T))"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$(host_mirror)" \
    >"$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; echo "base-images: debootstrap failed" >&2; exit 1; }
  # The host's apt sources and settings, and the extra CA certificates it trusts (containers
  # reach the same archive and the npm registry the same way the host does).
  rm -f "$rootfs/etc/apt/sources.list"
  cp /etc/apt/sources.list.d/*.sources "$rootfs/etc/apt/sources.list.d/" 2>/dev/null ||
    cp /etc/apt/sources.list "$rootfs/etc/apt/sources.list"
  grep -l 'Check-Valid-Until' /etc/apt/apt.conf.d/* 2>/dev/null | xargs -r cp -t "$rootfs/etc/apt/apt.conf.d/"
  cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/" 2>/dev/null || true
  chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
  # no init in a container: package scripts must not try to start the daemons they install
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 755 "$rootfs/usr/sbin/policy-rc.d"
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
  tar -C "$rootfs" -c . | "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
  say "imported $BASE ($(date +%T))"
}

# Build context of a stand-in: its folder, plus Node and npm for the node image.
context_for() {
  local dir="$1" ctx
  ctx="$(mktemp -d "${TMPDIR:-/tmp}/3t-ctx.XXXXXX")"
  cp -r "$here/$dir/." "$ctx/"
  if [ "$dir" = node ]; then
    local node
    node="$(bash "$here/../node24.sh")"
    cp -r "$node" "$ctx/node"
    cp "$(bash "$here/npm-pack.sh")" "$ctx/npm.tgz"
  fi
  echo "$ctx"
}

make_base
for entry in "${IMAGES[@]}"; do
  name="${entry%%=*}"
  dir="${entry#*=}"
  if have "$name"; then say "$name: present"; continue; fi
  say "$name: building the stand-in from $dir/ ($(date +%T))"
  ctx="$(context_for "$dir")"
  "$DOCKER" build -q --build-arg "BASE=$BASE" -t "$name" "$ctx" >/dev/null ||
    { rm -rf "$ctx"; echo "base-images: building $name failed" >&2; exit 1; }
  rm -rf "$ctx"
  say "$name: built ($(date +%T))"
done
