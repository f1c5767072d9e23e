#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the tests on a free loopback port in a temp dir, and prints
# `export REFRAIN_TEST_DATABASE_URL=…` (use: eval "$(test/postgres/start.sh)"; stop with stop.sh).
#
# Uses Debian's `postgresql` package (installed when missing, which needs root); the cluster runs
# as the `postgres` user when started by root, because the server refuses to run as root.
# Everything it makes lives in one directory ($REFRAIN_PG_DIR, printed too) that stop.sh deletes.
set -euo pipefail

log() { echo "postgres: $*" >&2; }

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(bindir)" ] || [ ! -x "$(bindir)/initdb" ]; then
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  # The package starts a system cluster on 5432; the tests do not use it.
  if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters -h 2>/dev/null | while read -r ver name _; do pg_ctlcluster "$ver" "$name" stop >&2 || true; done
  fi
fi
BIN="$(bindir)"

dir="$(mktemp -d "${TMPDIR:-/tmp}/refrain-pg.XXXXXX")"
chmod 755 "$dir"
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres:postgres "$dir"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# A free port: ask the kernel for one (bind to port 0), then hand it to the server.
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"

as_owner "$BIN/initdb" -D "$dir/data" -U refrain --auth=trust --encoding=UTF8 --no-locale >/dev/null
# Loopback only, socket in the temp dir (not /var/run/postgresql, which may not exist);
# fsync off: a throwaway test cluster need not survive a power cut, and it makes the tests faster.
# Settings go in the config file, so a plain `pg_ctl start` (the restart test) brings it back the same.
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
max_connections = 200
CONF
as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
as_owner "$BIN/createdb" -h 127.0.0.1 -p "$port" -U refrain refrain_test

url="postgres://refrain@127.0.0.1:$port/refrain_test"
log "running on 127.0.0.1:$port (data in $dir)"
echo "export REFRAIN_PG_DIR=$dir"
echo "export REFRAIN_PG_BIN=$BIN"
echo "export REFRAIN_TEST_DATABASE_URL=$url"
