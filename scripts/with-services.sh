#!/usr/bin/env bash
# Start PostgreSQL and Redis on loopback, run the given command with DATABASE_URL and
# REDIS_URL set, then stop both servers by pid, whatever the command's outcome.
#
#   bash scripts/with-services.sh npm test
#
# Installs the Debian packages when they are missing (needs root). Exit status is the command's.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v pg_config >/dev/null || ! [ -x "$(pg_config --bindir)/initdb" ] || ! command -v redis-server >/dev/null; then
  apt-get update -qq && apt-get install -y -qq postgresql redis-server >/dev/null
fi
PGBIN=$(pg_config --bindir)
RUNDIR=$(mktemp -d -t fsmc-svc.XXXXXX); chown postgres:postgres "$RUNDIR"   # postgres writes its socket + lock here
PGDATA="$RUNDIR/pg"; PGPORT=${PGPORT:-54329}; REDIS_PORT=${REDIS_PORT:-63790}
PG_PID=; REDIS_PID=
stop() {
  [ -n "$PG_PID" ] && kill -INT "$PG_PID" 2>/dev/null || true      # SIGINT = fast shutdown
  [ -n "$REDIS_PID" ] && kill -TERM "$REDIS_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do
    { [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; } || { [ -n "$REDIS_PID" ] && kill -0 "$REDIS_PID" 2>/dev/null; } || break
    sleep 0.1
  done
  rm -rf "$RUNDIR"
}
trap stop EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$RUNDIR/initdb.log"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$RUNDIR/pg.log" -w -t 30 \
  -o "-p $PGPORT -k $RUNDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
PG_PID=$(head -1 "$PGDATA/postmaster.pid")
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
  --pidfile "$RUNDIR/redis.pid" --logfile "$RUNDIR/redis.log" --dir "$RUNDIR"
for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
REDIS_PID=$(cat "$RUNDIR/redis.pid")
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres" REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
echo "postgres pid $PG_PID on 127.0.0.1:$PGPORT, redis pid $REDIS_PID on 127.0.0.1:$REDIS_PORT"
"$@"
