#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for PostgresStore's tests.
#
#   url=$(Tests/support/pg-cluster.sh start /tmp/coccd-pg)   # postgres://coccd:PASSWORD@127.0.0.1:PORT/coccd
#   Tests/support/pg-cluster.sh stop /tmp/coccd-pg
#   Tests/support/pg-cluster.sh pause /tmp/coccd-pg    # the server dies (immediate stop); data kept
#   Tests/support/pg-cluster.sh resume /tmp/coccd-pg   # the same server again, same port
#
# `start` initialises DIR/data with superuser `coccd` (scram-sha-256, a random password), listens
# on 127.0.0.1 only on a free port, keeps its socket in DIR, and prints the one URL line on stdout
# (also written to DIR/url, mode 0600); everything else goes to stderr. Durability is off
# (fsync, synchronous_commit, full_page_writes): the cluster lives for one test run.
# As root the server runs as the `postgres` OS user (PostgreSQL refuses to run as root).
set -euo pipefail

usage() {
    echo "usage: $0 start|stop|pause|resume DIR" >&2
    exit 2
}

# initdb and pg_ctl: from PATH, else the newest /usr/lib/postgresql/*/bin.
find_bin() {
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"
        return
    fi
    local candidate
    candidate=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$candidate" && -x "$candidate/initdb" ]]; then
        echo "$candidate"
        return
    fi
    echo "pg-cluster: no initdb found (install postgresql)" >&2
    exit 1
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local dir=$1 bin port password
    bin=$(find_bin)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ -e "$dir/data" ]]; then
        echo "pg-cluster: $dir/data already exists" >&2
        exit 1
    fi
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || {
            echo "pg-cluster: running as root needs the postgres OS user" >&2
            exit 1
        }
        chown postgres: "$dir"
    fi
    chmod 0700 "$dir"
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    port=$(free_port)
    (umask 077 && printf '%s\n' "$password" >"$dir/pwfile")
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir/pwfile"

    as_owner "$bin/initdb" -D "$dir/data" -U coccd --pwfile="$dir/pwfile" --auth=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >&2
    rm -f "$dir/pwfile"
    local options="-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    printf '%s\n' "$options" >"$dir/options"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 -o "$options" start >&2
    PGPASSWORD=$password "$bin/createdb" -h 127.0.0.1 -p "$port" -U coccd coccd >&2

    local url="postgres://coccd:$password@127.0.0.1:$port/coccd"
    (umask 077 && printf '%s\n' "$url" >"$dir/url")
    printf '%s\n' "$url"
}

stop() {
    local dir=$1 bin
    bin=$(find_bin)
    if [[ -d "$dir/data" ]]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
    fi
    rm -rf "$dir"
}

# A database outage for failure tests: the server stops as if it crashed, then comes back.
pause() {
    as_owner "$(find_bin)/pg_ctl" -D "$1/data" -m immediate -w stop >&2
}

resume() {
    as_owner "$(find_bin)/pg_ctl" -D "$1/data" -l "$1/log" -w -t 60 -o "$(cat "$1/options")" start >&2
}

[[ $# -eq 2 ]] || usage
case $1 in
start) start "$2" ;;
stop) stop "$2" ;;
pause) pause "$2" ;;
resume) resume "$2" ;;
*) usage ;;
esac
