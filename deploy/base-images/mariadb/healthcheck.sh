#!/bin/sh
# upstream's `healthcheck.sh --connect --innodb_initialized`: the server takes a connection and
# InnoDB is up (root over the unix socket, as the container's root user)
exec mariadb -uroot --socket=/run/mysqld/mysqld.sock -N -e \
  "SELECT 1 FROM information_schema.ENGINES WHERE ENGINE='InnoDB' AND SUPPORT IN ('YES','DEFAULT')" \
  2>/dev/null | grep -q 1
