#!/usr/bin/env bash
# The docker-compose smoke test: what README's Docker section tells a user to do, run for real.
# Installs Debian's docker.io and docker-compose if missing, starts dockerd if none runs, makes
# the base images this machine lacks (deploy/base-images/make.sh), builds the 3T image, then
# README's Docker section in a copy of this checkout (cp the two examples, fill in secrets.yml,
# DOCKER_BUILDKIT=1 docker build -t 3t:latest ., docker-compose up -d) under a project name of
# its own, on spare 127.0.0.1 ports, waits for every container to be
# healthy and checks through the stack: paper fills in MariaDB, every Prometheus target up, a
# trace received on the OTLP port, Bull Board 401 without its password (200 with it), Redis
# wanting its password, grafana_reader only reading, the secret files 0400 and owned by their
# readers, and the alert KillSwitchOn (after `3t halt`) delivered by Alertmanager to a webhook.
# Then `down -v`.
#
# Where Docker cannot start (no root, no Engine), it says why and exits 0, or 1 when
# CI_REQUIRE_DOCKER=1 (.ci/run sets it).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
DOCKER=/usr/bin/docker   # Debian's docker.io client: BuildKit built in (a newer client may lack buildx)
COMPOSE=/usr/bin/docker-compose
# README's commands below run `docker` and `docker-compose`: make them these two
export PATH="/usr/bin:$PATH"
export DOCKER_BUILDKIT=1
start=$SECONDS
passed=0
failed=0

say() { printf '[compose %3ds] %s\n' "$((SECONDS - start))" "$*"; }
cannot_run() {
  say "cannot run: $*"
  if [ "${CI_REQUIRE_DOCKER:-0}" = 1 ]; then
    say "CI_REQUIRE_DOCKER=1: failing"
    echo "compose: 0 passed, 1 failed"
    exit 1
  fi
  say "skipped (set CI_REQUIRE_DOCKER=1 to make this an error)"
  exit 0
}
check() { # check NAME COMMAND...: one line per check, ok or FAILED
  local name="$1"
  shift
  if "$@"; then
    say "ok: $name"
    passed=$((passed + 1))
  else
    say "FAILED: $name"
    failed=$((failed + 1))
  fi
}
wait_for() { # wait_for SECONDS COMMAND...: retry every 2 s
  local until=$((SECONDS + $1))
  shift
  while ! "$@" 2>/dev/null; do
    [ "$SECONDS" -lt "$until" ] || return 1
    sleep 2
  done
}

# --- Docker ---------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || cannot_run "needs root to install docker.io and start dockerd (uid $(id -u))"
need=()
[ -x "$DOCKER" ] || need+=(docker.io)
[ -x "$COMPOSE" ] || need+=(docker-compose)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ "${#need[@]}" -gt 0 ]; then
  say "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; } ||
    cannot_run "apt-get install ${need[*]} failed"
fi
if ! "$DOCKER" info >/dev/null 2>&1; then
  say "starting dockerd (log: /var/log/3t-dockerd.log)"
  nohup /usr/sbin/dockerd >/var/log/3t-dockerd.log 2>&1 &
  wait_for 30 "$DOCKER" info >/dev/null ||
    cannot_run "dockerd did not start: $(tail -3 /var/log/3t-dockerd.log | tr '\n' ' ')"
fi
say "Docker Engine $("$DOCKER" version -f '{{.Server.Version}}'), $("$COMPOSE" version --short 2>/dev/null || echo compose)"

# --- the stack, as README's Docker section says --------------------------------------------
bash deploy/base-images/make.sh
project="3t-ci-$$-$RANDOM"
work="$(mktemp -d "${TMPDIR:-/tmp}/3t-compose.XXXXXX")"
# the 3T containers (user 1000) read config.yml and secrets.yml in it
chmod 755 "$work"
buildlog="$(mktemp)"
sink="$project-webhook"
cleanup() {
  local code=$?
  if [ "$failed" -gt 0 ] || [ "$code" -ne 0 ]; then
    (cd "$work" && "$COMPOSE" -p "$project" ps >&2) || true
    (cd "$work" && "$COMPOSE" -p "$project" logs --no-color --tail=40 >&2) || true
  fi
  "$DOCKER" rm -f "$sink" >/dev/null 2>&1 || true
  (cd "$work" && "$COMPOSE" -p "$project" down -v --remove-orphans >/dev/null 2>&1) || true
  rm -rf "$work" "$buildlog"
  say "down -v: $project removed"
}
trap cleanup EXIT

# A copy of this checkout (tracked and new files, as they are now) stands for a user's clone.
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work" 2>/dev/null ||
  { echo "compose: copying the checkout failed" >&2; exit 1; }
cd "$work"

spare_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pw() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }
# spare host ports, so the stack does not collide with services already on this machine
for var in REDIS MARIADB MARKET_FEED INFERENCE STRATEGY_RUNNER ORDER_EXECUTOR QUEUE_MONITOR \
  PROMETHEUS ALERTMANAGER GRAFANA JAEGER_UI OTLP; do
  export "TT_${var}_PORT=$(spare_port)"
done
mariadb_pw="$(pw)"
bull_pw="$(pw)"
reader_pw="$(pw)"

say "README: cp config.yml.example config.yml; cp secrets.yml.example secrets.yml"
cp config.yml.example config.yml
cp secrets.yml.example secrets.yml && chmod 600 secrets.yml
# `$EDITOR secrets.yml`: every password, and a webhook as the alert receiver
SECRETS="{\"mariadb\":{\"password\":\"$mariadb_pw\"},\"redis\":{\"password\":\"$(pw)\"},
  \"bull_board\":{\"password\":\"$bull_pw\"},
  \"grafana\":{\"admin_password\":\"$(pw)\",\"mariadb_password\":\"$reader_pw\"},
  \"alertmanager\":{\"webhook_url\":\"http://$sink:8080/alerts\"}}" \
  NODE_PATH="$root/node_modules" node -e '
    const fs = require("node:fs"); const { parseDocument } = require("yaml");
    const doc = parseDocument(fs.readFileSync("secrets.yml", "utf8"));
    for (const [section, keys] of Object.entries(JSON.parse(process.env.SECRETS)))
      for (const [key, value] of Object.entries(keys)) doc.setIn([section, key], value);
    fs.writeFileSync("secrets.yml", String(doc));'
# owned by the user the 3T containers run as (1000), readable by it alone
chown 1000:1000 config.yml secrets.yml
previous="$("$DOCKER" image inspect -f '{{.Id}}' 3t:latest 2>/dev/null || true)"
say "README: DOCKER_BUILDKIT=1 docker build -t 3t:latest ."
DOCKER_BUILDKIT=1 docker build -t 3t:latest . >/dev/null 2>"$buildlog" ||
  { tail -30 "$buildlog" >&2; echo "compose: building the 3T image failed" >&2; exit 1; }
say "built 3t:latest ($("$DOCKER" image inspect -f '{{.Size}}' 3t:latest | awk '{printf "%.0f MB", $1/1e6}'))"
# the image this build replaced, now untagged, would only fill the disk run after run
if [ -n "$previous" ] && [ "$previous" != "$("$DOCKER" image inspect -f '{{.Id}}' 3t:latest)" ]; then
  "$DOCKER" rmi "$previous" >/dev/null 2>&1 || true
fi
dc() { "$COMPOSE" -p "$project" "$@"; }

say "README: docker-compose up -d (as -p $project)"
docker-compose -p "$project" up -d 2>&1 | sed 's/^/  /'
# the webhook that stands for a receiver: on the stack's network, prints each POST body
"$DOCKER" run -d --name "$sink" --network "${project}_default" node:24-bookworm-slim node -e '
  require("node:http").createServer((req, res) => { let b = ""; req.on("data", (c) => b += c);
    req.on("end", () => { console.log(b); res.end("ok"); }); }).listen(8080);' >/dev/null

healthy() { # every container of the project running and healthy, secret-files exited 0
  local ids id state
  ids="$(dc ps -q)"
  [ -n "$ids" ] || return 1
  for id in $ids; do
    state="$("$DOCKER" inspect -f '{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id")"
    case "$state" in
      *secret-files*" exited 0 "*) ;;
      *" running "*" healthy" | *" running "*" none") ;;
      *) return 1 ;;
    esac
  done
}
check "every container healthy (secret-files done)" wait_for 240 healthy
"$DOCKER" ps --filter "label=com.docker.compose.project=$project" --format '  {{.Names}}: {{.Status}}'

# --- checks through the stack ---------------------------------------------------------------
fills() {
  MYSQL_PWD="$mariadb_pw" mariadb -h 127.0.0.1 -P "$TT_MARIADB_PORT" -uroot -N tt \
    -e 'SELECT COUNT(*) FROM fills' 2>/dev/null
}
has_fills() { [ "$(fills)" -gt 0 ]; }
check "paper fills in MariaDB" wait_for 120 has_fills
say "  fills: $(fills || echo none)"

jobs="$(grep -c 'job_name:' prometheus/prometheus.yml)"
targets_up() { # as many targets as prometheus.yml has jobs, each up
  curl -fsS "http://127.0.0.1:$TT_PROMETHEUS_PORT/api/v1/targets" | JOBS="$jobs" node -e '
    let s = ""; process.stdin.on("data", (c) => s += c).on("end", () => {
      const t = JSON.parse(s).data.activeTargets;
      const down = t.filter((x) => x.health !== "up").map((x) => `${x.labels.job}=${x.health}`);
      console.error(`  targets: ${t.length} of ${process.env.JOBS}, not up: ${down.join(" ") || "none"}`);
      process.exit(t.length === Number(process.env.JOBS) && down.length === 0 ? 0 : 1); });'
}
check "every Prometheus target up" wait_for 90 targets_up
targets_up || true

traced() {
  local services
  services="$(curl -fsS "http://127.0.0.1:$TT_JAEGER_UI_PORT/api/services")" &&
    [[ "$services" == *'"market-feed"'* ]]
}
check "a trace received on the OTLP port" wait_for 60 traced
say "  $(curl -fsS "http://127.0.0.1:$TT_JAEGER_UI_PORT/api/services" || true)"

status_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "Bull Board: 401 without its password" \
  test "$(status_of "http://127.0.0.1:$TT_QUEUE_MONITOR_PORT/")" = 401
check "Bull Board: 200 with it" \
  test "$(status_of -u "admin:$bull_pw" "http://127.0.0.1:$TT_QUEUE_MONITOR_PORT/")" = 200

# locked down: Redis wants its password, Grafana's MariaDB user only reads, secret files 0400
redis_refuses() {
  local answer
  answer="$(redis-cli -h 127.0.0.1 -p "$TT_REDIS_PORT" ping 2>&1 || true)"
  [[ "$answer" == *NOAUTH* ]]
}
check "Redis refuses a client without the password" redis_refuses
reader() { MYSQL_PWD="$reader_pw" mariadb -h 127.0.0.1 -P "$TT_MARIADB_PORT" -ugrafana_reader -N tt -e "$1" 2>&1; }
reader_reads_only() {
  local read write
  read="$(reader 'SELECT COUNT(*) FROM fills')" || return 1
  write="$(reader "DELETE FROM order_intents WHERE 1 = 0" | grep ERROR || true)"
  say "  grafana_reader: SELECT gives $read; DELETE: ${write:0:90}"
  [[ "$read" =~ ^[0-9]+$ && "$write" == *denied* ]]
}
check "Grafana's MariaDB user grafana_reader may SELECT, not write" reader_reads_only
secret_modes() {
  local listing
  listing="$("$DOCKER" run --rm -v "${project}_secret-files:/s:ro" --entrypoint stat 3t:latest \
    -c '%a %u %n' /s/mariadb_password /s/mariadb-init.sql /s/redis.conf /s/redis-exporter.json \
    /s/mysqld-exporter.cnf /s/grafana_admin_password /s/grafana_mariadb_password /s/alertmanager.yml)" ||
    return 1
  echo "$listing" | sed 's/^/  /'
  [ "$listing" = "400 999 /s/mariadb_password
400 999 /s/mariadb-init.sql
400 999 /s/redis.conf
400 59000 /s/redis-exporter.json
400 65534 /s/mysqld-exporter.cnf
400 472 /s/grafana_admin_password
400 472 /s/grafana_mariadb_password
400 65534 /s/alertmanager.yml" ]
}
check "secret files 0400, each owned by the container user that reads it" secret_modes

say "3t halt in order-executor: the kill switch rule should fire and reach the webhook"
dc exec -T order-executor node dist/cli.mjs halt 2>&1 | sed 's/^/  /' || true
alerted() {
  local received
  received="$("$DOCKER" logs "$sink" 2>&1)" && [[ "$received" == *'"alertname":"KillSwitchOn"'* ]]
}
check "alert KillSwitchOn delivered to the webhook by Alertmanager" wait_for 120 alerted
hook="$("$DOCKER" logs "$sink" 2>&1 || true)"
say "  the webhook received: ${hook:0:400}"

say "done in $((SECONDS - start)) s"
echo "compose: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
