#!/bin/sh
# A throwaway MariaDB server for the tests.
#
#   sh tests/mariadb_server.sh start     creates and starts a server in a new temp dir and
#                                        prints shell assignments for `eval`:
#                                        STRATA_MARIADB_DIR=…; STRATA_MARIADB_SOCKET=…; STRATA_MARIADB_URL=…
#   sh tests/mariadb_server.sh stop DIR  stops that server and removes DIR
#
# The server listens only on a Unix socket inside its own directory (--skip-networking:
# no TCP port is taken, so parallel runs never collide), root logs in without a
# password over that socket, and InnoDB neither flushes at commit nor syncs files: it exists for
# the seconds the tests take. Its directory is in /dev/shm when that is a tmpfs with room
# (STRATA_MARIADB_TMP names another place): every DDL statement syncs MariaDB's DDL log
# and creates or removes files, which costs ~50 ms on a disk and ~1 ms in memory; and
# persistent InnoDB statistics are off (they are rewritten by every DDL statement). As root, mariadb-install-db and mariadbd run as the
# `mysql` user, since the server refuses to run as root. STRATA_MARIADB_URL names the
# database `strata` (created here); tests create their own databases beside it.
# Exits non-zero with the reason on stderr when MariaDB is not installed or does not start.
set -u

die() { echo "mariadb_server: $*" >&2; exit 1; }

# as_owner CMD…: runs CMD as the server's owner (mysql when we are root).
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u mysql -- "$@"; else "$@"; fi
}

# find PROGRAM…: the first of the names found on PATH or in /usr/sbin.
find_prog() {
  for p in "$@"; do
    command -v "$p" 2>/dev/null && return 0
    [ -x "/usr/sbin/$p" ] && { echo "/usr/sbin/$p"; return 0; }
  done
  return 1
}

start() {
  installdb=$(find_prog mariadb-install-db mysql_install_db) ||
    die "MariaDB is not installed (no mariadb-install-db); install the mariadb-server package"
  server=$(find_prog mariadbd mysqld) || die "MariaDB is not installed (no mariadbd); install the mariadb-server package"
  client=$(find_prog mariadb mysql) || die "the mariadb client is not installed; install the mariadb-client package"
  if [ "$(id -u)" = 0 ]; then
    id mysql >/dev/null 2>&1 || die "running as root but there is no 'mysql' user to run the server as"
    command -v runuser >/dev/null 2>&1 || die "running as root but runuser is missing"
  fi
  base=${STRATA_MARIADB_TMP:-}
  if [ -z "$base" ]; then
    base=${TMPDIR:-/tmp}
    # /dev/shm when it is a writable tmpfs with 1 GB free (a container's 64 MB is too small)
    if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
        [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -ge 1048576 ] 2>/dev/null; then
      base=/dev/shm
    fi
  fi
  dir=$(mktemp -d "$base/strata-my.XXXXXX") || die "cannot create a temp dir in $base"
  : >"$dir/.strata-mariadb-server" # marks the dir as ours, for `stop`
  # A temp dir of its own: servers side by side (test lanes) sharing /tmp were seen
  # losing an internal temporary table ("Error on delete of '/tmp/#sql-temptable-…'").
  mkdir "$dir/tmp"
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown -R mysql "$dir"
  # mariadb-install-db's bootstrap server has been seen to fail once on a loaded machine
  # (several servers installing at once): a second try starts from an empty data dir.
  tries=0
  until as_owner "$installdb" --no-defaults --datadir="$dir/data" --auth-root-authentication-method=normal \
      --skip-test-db --skip-name-resolve >"$dir/install.log" 2>&1; do
    tries=$((tries + 1))
    if [ $tries -ge 2 ]; then
      tail -n 20 "$dir/install.log" >&2
      rm -rf "$dir"
      die "mariadb-install-db failed twice"
    fi
    echo "mariadb_server: mariadb-install-db failed, trying again: $(grep -m 3 -i 'error' "$dir/install.log" | tr '\n' ' ')" >&2
    rm -rf "$dir/data"
  done
  # exec'd redirections, so no copy of the caller's stdout (a $(…) pipe) stays open in
  # the background shell.
  (exec </dev/null >/dev/null 2>&1; as_owner "$server" --no-defaults --datadir="$dir/data" --socket="$dir/sock" --skip-networking \
    --tmpdir="$dir/tmp" --pid-file="$dir/pid" --log-error="$dir/server.log" --innodb-flush-log-at-trx-commit=0 \
    --innodb-doublewrite=0 --innodb-flush-method=nosync --skip-sync-frm --innodb-buffer-pool-size=64M --innodb-log-file-size=32M --skip-log-bin \
    --innodb-stats-persistent=0 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci --max-connections=100) &
  i=0
  until "$client" --no-defaults -S "$dir/sock" -uroot -e 'CREATE DATABASE IF NOT EXISTS strata' >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 300 ]; then
      tail -n 20 "$dir/server.log" >&2 2>/dev/null
      stop "$dir"
      die "the server did not start within 30 s"
    fi
    sleep 0.1
  done
  echo "STRATA_MARIADB_DIR='$dir'; STRATA_MARIADB_SOCKET='$dir/sock'; STRATA_MARIADB_URL='mysql://root@localhost/strata?socket=$dir/sock'"
}

stop() {
  dir=${1:-}
  [ -n "$dir" ] || die "usage: mariadb_server.sh stop DIR"
  [ -f "$dir/.strata-mariadb-server" ] || die "$dir is not a server started by mariadb_server.sh"
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid" 2>/dev/null)
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
      i=0
      while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
      kill -9 "$pid" 2>/dev/null
    fi
  fi
  rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
*) echo "usage: sh tests/mariadb_server.sh start | stop DIR" >&2; exit 2 ;;
esac
