#!/bin/sh
# A throwaway PostgreSQL cluster for the tests.
#
#   sh tests/pg_cluster.sh start      creates and starts a cluster in a new temp dir and
#                                     prints shell assignments for `eval`:
#                                     STRATA_PG_DIR=…; STRATA_PG_URL=…; PGHOST=…; PGPORT=…; PGUSER=…
#   sh tests/pg_cluster.sh stop DIR   stops that cluster and removes DIR
#
# The cluster listens only on a Unix socket inside its own directory (no TCP port is
# taken, so parallel runs never collide), trusts local connections as the `postgres`
# superuser, and runs with fsync off: it exists for a few seconds of tests. As root it
# runs initdb and pg_ctl as the `postgres` user, since the server refuses to run as root.
# Exits non-zero with the reason on stderr when PostgreSQL is not installed.
set -u

die() { echo "pg_cluster: $*" >&2; exit 1; }

# The newest installed server's bin directory (Debian keeps them off PATH).
find_bindir() {
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  for p in initdb pg_ctl; do command -v "$p" >/dev/null 2>&1 || return 1; done
  dirname "$(command -v initdb)"
}

# as_owner CMD…: runs CMD as the cluster's owner (postgres when we are root).
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  bindir=$(find_bindir) ||
    die "PostgreSQL is not installed (no initdb/pg_ctl in /usr/lib/postgresql/*/bin or on PATH); install the postgresql package"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the server as"
    command -v runuser >/dev/null 2>&1 || die "running as root but runuser is missing"
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/strata-pg.XXXXXX") || die "cannot create a temp dir"
  : >"$dir/.strata-pg-cluster" # marks the dir as ours, for `stop`
  [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
  # The port only names the socket file; vary it anyway so PGPORT differs between runs.
  port=$((20000 + $$ % 20000))
  if ! as_owner "$bindir/initdb" --no-sync -A trust -U postgres -E UTF8 --locale=C \
      -D "$dir/data" >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    die "initdb failed"
  fi
  if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=50" \
      start >"$dir/pg_ctl.log" 2>&1; then
    tail -n 20 "$dir/server.log" >&2 2>/dev/null
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$dir"
    die "the server did not start"
  fi
  # STRATA_PG_BIN: the server's bin directory, which also holds psql, createdb, pg_dump
  # and pg_restore as binaries (on PATH, Debian's are a Perl wrapper that costs a Perl
  # start per call).
  echo "STRATA_PG_DIR='$dir'; STRATA_PG_URL='postgresql://postgres@/postgres?host=$dir&port=$port'; PGHOST='$dir'; PGPORT='$port'; PGUSER='postgres'; STRATA_PG_BIN='$bindir'"
}

stop() {
  dir=${1:-}
  [ -n "$dir" ] || die "usage: pg_cluster.sh stop DIR"
  [ -f "$dir/.strata-pg-cluster" ] || die "$dir is not a cluster started by pg_cluster.sh"
  bindir=$(find_bindir) || bindir=""
  if [ -n "$bindir" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
*) echo "usage: sh tests/pg_cluster.sh start | stop DIR" >&2; exit 2 ;;
esac
