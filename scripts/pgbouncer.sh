#!/usr/bin/env bash
# A PgBouncer in transaction mode in front of a local PostgreSQL, for tests and local trials (README,
# "Behind PgBouncer"). Every database of the server is reachable through it under its own name.
#
#   scripts/pgbouncer.sh start DIR   writes its configuration, log and pid under DIR (created), starts it
#                                    on a free local port and prints its address, e.g.
#                                    postgres://postgres@127.0.0.1:41234/test
#   scripts/pgbouncer.sh stop DIR    stops the one started under DIR
#
# Settings: PGBOUNCER (the program, default: pgbouncer on PATH or /usr/sbin/pgbouncer), UPSTREAM_HOST
# (127.0.0.1), UPSTREAM_PORT (5432), UPSTREAM_USER (postgres: the server must trust it, as CI's does).
# PgBouncer refuses to run as root: as root it is started as the postgres user (-u postgres), or as
# nobody where there is no such user.
set -euo pipefail

command=${1:-}
dir=${2:-}
if [ -z "$command" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

if [ "$command" = stop ]; then
  if [ -f "$dir/pgbouncer.pid" ]; then
    kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
  fi
  exit 0
fi
if [ "$command" != start ]; then
  echo "$0: unknown command \"$command\" (start or stop)" >&2
  exit 2
fi

bin=${PGBOUNCER:-$(command -v pgbouncer || echo /usr/sbin/pgbouncer)}
if [ ! -x "$bin" ]; then
  echo "$0: pgbouncer not found (apt-get install pgbouncer, or set PGBOUNCER)" >&2
  exit 1
fi
host=${UPSTREAM_HOST:-127.0.0.1}
upstream_port=${UPSTREAM_PORT:-5432}
user=${UPSTREAM_USER:-postgres}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# A free port, chosen by the kernel (node is what this repository needs anyway).
port=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")

# trust: PgBouncer asks for no password, but the user must be listed in auth_file.
printf '"%s" ""\n' "$user" >"$dir/userlist.txt"
cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$host port=$upstream_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = $user
pool_mode = transaction
; Tests open a pool of 10 per runtime, a health connection and up to 50 requests at once.
max_client_conn = 400
default_pool_size = 20
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI

run_as=()
if [ "$(id -u)" = 0 ]; then
  owner=postgres
  id postgres >/dev/null 2>&1 || owner=nobody
  chown -R "$owner" "$dir"
  run_as=(-u "$owner")
fi
"$bin" -d "${run_as[@]}" "$dir/pgbouncer.ini"

# Wait until it answers on its port (it forks into the background first).
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "postgres://$user@127.0.0.1:$port/test"
    exit 0
  fi
  sleep 0.1
done
echo "$0: pgbouncer did not start; its log:" >&2
cat "$dir/pgbouncer.log" >&2 || true
exit 1
