#!/usr/bin/env bash
# Stops the throwaway PostgreSQL that start.sh made and deletes its directory ($REFRAIN_PG_DIR).
set -euo pipefail
dir="${1:-${REFRAIN_PG_DIR:-}}"
[ -n "$dir" ] && [ -d "$dir/data" ] || { echo "postgres: no cluster to stop (REFRAIN_PG_DIR unset)" >&2; exit 0; }
BIN="${REFRAIN_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}"
if [ "$(id -u)" = 0 ]; then
  runuser -u postgres -- "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
else
  "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
fi
rm -rf "$dir"
