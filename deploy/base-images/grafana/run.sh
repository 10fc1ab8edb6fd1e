#!/bin/sh
# Stand-in for Grafana's /run.sh: serves {"database":"ok"} at /api/health on :3000.
set -e
www="$(mktemp -d)"
mkdir -p "$www/api"
printf '{"database":"ok","version":"stand-in"}\n' >"$www/api/health"
exec busybox httpd -f -p 3000 -h "$www"
