#!/bin/bash
set -euo pipefail
if [ "${1:0:1}" = - ]; then set -- mariadbd "$@"; fi
if [ "$1" != mariadbd ]; then exec "$@"; fi
if [ "$(id -u)" = 0 ]; then
  mkdir -p /run/mysqld
  chown -R mysql:mysql /var/lib/mysql /run/mysqld
  exec setpriv --reuid=mysql --regid=mysql --init-groups "$0" "$@"
fi
if [ ! -d /var/lib/mysql/mysql ]; then
  pw="${MARIADB_ROOT_PASSWORD:-}"
  if [ -n "${MARIADB_ROOT_PASSWORD_FILE:-}" ]; then pw="$(cat "$MARIADB_ROOT_PASSWORD_FILE")"; fi
  [ -n "$pw" ] || { echo "mariadb: no root password (MARIADB_ROOT_PASSWORD_FILE)" >&2; exit 1; }
  sql_pw="$(printf '%s' "$pw" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")"
  db="${MARIADB_DATABASE:-}"
  echo "mariadb: initialising /var/lib/mysql"
  mariadb-install-db --datadir=/var/lib/mysql --skip-test-db --auth-root-authentication-method=normal >/dev/null
  sock=/run/mysqld/init.sock
  "$@" --skip-networking --socket="$sock" &
  pid=$!
  for _ in $(seq 1 60); do mariadb-admin --socket="$sock" -uroot ping >/dev/null 2>&1 && break; sleep 1; done
  # root@'%' logs in with the password (root@localhost has none until the end of this)
  mariadb --socket="$sock" -uroot <<SQL
-- mariadb-install-db's password-less root@127.0.0.1, ::1 and @hostname: gone, as upstream
DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1';
EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname, '\\'');
CREATE USER 'root'@'%' IDENTIFIED BY '$sql_pw';
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
${db:+CREATE DATABASE IF NOT EXISTS \`$db\`;}
SQL
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "$f" ] || continue
    echo "mariadb: running $f"
    mariadb --socket="$sock" -uroot ${db:+"$db"} <"$f"
  done
  # root@localhost: the password, or the unix socket as the OS user root (healthcheck.sh)
  mariadb --socket="$sock" -uroot -e \
    "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('$sql_pw')"
  kill "$pid"
  wait "$pid" || true
  echo "mariadb: initialised"
fi
exec "$@"
