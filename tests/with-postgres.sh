#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server on a free loopback port: COUNTERMARK_POSTGRES_URL
# (postgresql://USER@127.0.0.1:PORT/postgres) points at it. initdb makes the cluster in a temporary directory, which
# is removed afterwards, also when the command fails. PostgreSQL refuses to run as root: as root the server runs as
# the `postgres` user (made by Debian's package) through runuser. Installs Debian's `postgresql` with apt-get when
# no initdb is found. Usage: tests/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

find_bin() {
    local dir
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$dir/initdb" ] && { echo "$dir"; return; }
    done
    command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

bin=$(find_bin || true)
if [ -z "$bin" ]; then
    echo "PostgreSQL (initdb) not found: installing it with apt-get" >&2
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
    bin=$(find_bin)
fi

run_as=()
db_user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
    db_user=postgres
    id -u "$db_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$db_user"
    run_as=(runuser -u "$db_user" --)
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
dir=$(mktemp -d "${TMPDIR:-/tmp}/countermark-pg.XXXXXX")
chmod 700 "$dir"
[ ${#run_as[@]} -eq 0 ] || chown "$db_user" "$dir"

cleanup() {
    if [ -f "$dir/data/postmaster.pid" ]; then
        "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT

# Trust on loopback only; no fsync: the cluster lives for one test run.
"${run_as[@]}" "$bin/initdb" -D "$dir/data" -U "$db_user" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
"${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-h 127.0.0.1 -p $port -k $dir -F -c max_connections=100 -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { echo "PostgreSQL did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }

export COUNTERMARK_POSTGRES_URL="postgresql://$db_user@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
