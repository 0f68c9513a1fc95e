#!/usr/bin/env bash
# Does the event feed's commit-order read (docs/adr/0030) hold on a hot standby? A throwaway primary
# and streaming standby in a temporary directory, on free ports; removed at the end.
set -euo pipefail
BIN=$(pg_config --bindir)
DIR=$(mktemp -d /tmp/provisio-standby-XXXXXX)
chown postgres "$DIR"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P1=$(free_port); P2=$(free_port)
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
  as_pg "$BIN/pg_ctl" -D "$DIR/standby" -m immediate stop >/dev/null 2>&1 || true
  as_pg "$BIN/pg_ctl" -D "$DIR/primary" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
as_pg "$BIN/initdb" -D "$DIR/primary" -A trust -U postgres >/dev/null
printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nwal_level = replica\nshared_buffers = 16MB\n" "$P1" "$DIR" >>"$DIR/primary/postgresql.conf"
echo "host replication postgres 127.0.0.1/32 trust" >>"$DIR/primary/pg_hba.conf"
as_pg "$BIN/pg_ctl" -D "$DIR/primary" -l "$DIR/primary.log" -w start >/dev/null
as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$P1" -U postgres -D "$DIR/standby" -R -X stream >/dev/null
sed -i "s/^port = $P1/port = $P2/" "$DIR/standby/postgresql.conf"
as_pg "$BIN/pg_ctl" -D "$DIR/standby" -l "$DIR/standby.log" -w start >/dev/null
p() { psql -X -q -At -h 127.0.0.1 -p "$P1" -U postgres -d postgres "$@"; }
s() { psql -X -q -At -h 127.0.0.1 -p "$P2" -U postgres -d postgres "$@"; }
catch_up() { # waits until the standby has replayed everything the primary has written
  local lsn; lsn=$(p -c "select pg_current_wal_lsn()")
  until [ "$(s -c "select pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" = t ]; do sleep 0.05; done
}
# The feed's columns and its read (src/modules/events/feed-repository.ts, reduced to the visibility rule).
p -c "create table events (seq bigint generated always as identity, name text, xid xid8 not null default pg_current_xact_id())"
FEED="with w as materialized (select pg_snapshot_xmin(pg_current_snapshot()) as xmin)
      select coalesce(string_agg(name, ',' order by xid, seq), '-') from events where xid < (select xmin from w)"
# A: a writer that takes the lower seq and stays open; B: a later writer that commits first.
coproc A { psql -X -q -At -h 127.0.0.1 -p "$P1" -U postgres -d postgres; }
echo "begin; insert into events (name) values ('A'); select 'ok';" >&"${A[1]}"; read -r _ <&"${A[0]}"
p -c "insert into events (name) values ('B')"
catch_up
echo "standby recovery: $(s -c 'select pg_is_in_recovery()')"
echo "while A is open, primary feed: $(p -c "$FEED")   standby feed: $(s -c "$FEED")"
echo "standby rows visible to a plain select: $(s -c "select string_agg(name, ',' order by seq) from events")"
echo "commit;" >&"${A[1]}"; exec {A[1]}>&-; wait "$A_PID" || true
p -c "select 1" >/dev/null; catch_up
echo "after A commits,  primary feed: $(p -c "$FEED")   standby feed: $(s -c "$FEED")"
echo "pg_current_xact_id() on the standby: $(s -c 'select pg_current_xact_id()' 2>&1 | head -1)"
