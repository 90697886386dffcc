#!/usr/bin/env bash
# ensure-services.sh — make sure PostgreSQL and Redis are reachable for the tests.
#
# Used by `make test`. Addresses come from:
#   CALNDR_TEST_DATABASE_URL  (default postgres://postgres@127.0.0.1:5432/postgres)
#   CALNDR_TEST_REDIS_URL     (default redis://127.0.0.1:6379)
# Behaviour:
#   * both reachable                    -> exit 0, no output;
#   * otherwise, if `docker info` works -> `docker compose -f deploy/docker-compose.yml
#     up -d <missing services>` and wait up to CALNDR_SERVICES_WAIT_SECS (default 60)
#     seconds for them to become reachable;
#   * otherwise                         -> say what is missing and how to start it, exit 1.
# It never starts services any other way.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"
compose_file_rel="deploy/docker-compose.yml"
compose_file="$repo_root/$compose_file_rel"

DEFAULT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL="redis://127.0.0.1:6379"
database_url="${CALNDR_TEST_DATABASE_URL:-$DEFAULT_DATABASE_URL}"
redis_url="${CALNDR_TEST_REDIS_URL:-$DEFAULT_REDIS_URL}"
wait_secs="${CALNDR_SERVICES_WAIT_SECS:-60}"

log() { printf 'ensure-services: %s\n' "$*" >&2; }

redact() { # hide a password in scheme://user:password@host
    sed -E 's#^([a-zA-Z][a-zA-Z0-9+.-]*://[^@]*):[^@]*@#\1:***@#' <<<"$1"
}

# parse_host_port URL DEFAULT_PORT -> prints "HOST PORT"
# Handles scheme://[user[:pass]@]host[:port][/path][?query], including [IPv6] hosts.
parse_host_port() {
    local url="$1" default_port="$2" rest host port
    rest="${url#*://}"
    rest="${rest##*@}"            # drop userinfo (up to the last '@')
    rest="${rest%%[/?#]*}"        # drop path / query / fragment
    if [[ "$rest" == \[* ]]; then # [IPv6]:port
        host="${rest%%]*}"; host="${host#[}"
        port="${rest#*]}"; port="${port#:}"
    else
        host="${rest%%:*}"
        if [[ "$rest" == *:* ]]; then port="${rest##*:}"; else port=""; fi
    fi
    [[ -n "$host" ]] || host="127.0.0.1"
    [[ -n "$port" ]] || port="$default_port"
    if ! [[ "$port" =~ ^[0-9]+$ ]]; then
        log "cannot parse a port out of '$(redact "$url")'"; exit 1
    fi
    printf '%s %s\n' "$host" "$port"
}

pg_addr="$(parse_host_port "$database_url" 5432)"
redis_addr="$(parse_host_port "$redis_url" 6379)"
read -r pg_host pg_port <<<"$pg_addr"
read -r redis_host redis_port <<<"$redis_addr"

with_timeout() { # with_timeout SECS CMD... (plain CMD when coreutils timeout is missing)
    local secs="$1"; shift
    if command -v timeout >/dev/null 2>&1; then timeout "$secs" "$@"; else "$@"; fi
}

tcp_open() { # tcp_open HOST PORT — bash /dev/tcp fallback
    with_timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1
}

postgres_up() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$pg_host" -p "$pg_port" -t 3 >/dev/null 2>&1
    else
        tcp_open "$pg_host" "$pg_port"
    fi
}

redis_up() {
    local reply
    if command -v redis-cli >/dev/null 2>&1; then
        reply="$(with_timeout 3 redis-cli -h "$redis_host" -p "$redis_port" ping 2>&1)" || true
        # PONG, or NOAUTH: the server answers (credentials are the URL's business).
        [[ "$reply" == *PONG* || "$reply" == *NOAUTH* ]]
    else
        tcp_open "$redis_host" "$redis_port"
    fi
}

missing=()
postgres_up || missing+=(postgres)
redis_up || missing+=(redis)
((${#missing[@]} == 0)) && exit 0

describe() { # describe SERVICE -> human-readable "Name at host:port (VAR=url)"
    case "$1" in
        postgres) echo "PostgreSQL at $pg_host:$pg_port (CALNDR_TEST_DATABASE_URL=$(redact "$database_url"))" ;;
        redis)    echo "Redis at $redis_host:$redis_port (CALNDR_TEST_REDIS_URL=$(redact "$redis_url"))" ;;
    esac
}

is_default_addr() { # does the configured address match what the compose file / defaults provide?
    local host port
    case "$1" in
        postgres) host="$pg_host" port="$pg_port" want=5432 ;;
        redis)    host="$redis_host" port="$redis_port" want=6379 ;;
    esac
    [[ "$port" == "$want" && ( "$host" == 127.0.0.1 || "$host" == localhost ) ]]
}

compose_cmd=()
if docker compose version >/dev/null 2>&1; then
    compose_cmd=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
    compose_cmd=(docker-compose)
fi

for svc in "${missing[@]}"; do log "not reachable: $(describe "$svc")"; done

# ---- Docker path: an engine is reachable -> start the missing services and wait.
if command -v docker >/dev/null 2>&1 && with_timeout 15 docker info >/dev/null 2>&1 \
   && ((${#compose_cmd[@]} > 0)); then
    for svc in "${missing[@]}"; do
        is_default_addr "$svc" ||
            log "warning: the compose $svc listens on its default 127.0.0.1 port, not on $(describe "$svc")"
    done
    log "starting with: ${compose_cmd[*]} -f $compose_file_rel up -d ${missing[*]}"
    "${compose_cmd[@]}" -f "$compose_file" up -d "${missing[@]}" >&2
    deadline=$((SECONDS + wait_secs))
    while :; do
        still=()
        for svc in "${missing[@]}"; do
            case "$svc" in
                postgres) postgres_up || still+=(postgres) ;;
                redis)    redis_up || still+=(redis) ;;
            esac
        done
        if ((${#still[@]} == 0)); then log "ready: ${missing[*]}"; exit 0; fi
        if ((SECONDS >= deadline)); then
            for svc in "${still[@]}"; do
                log "still not reachable after ${wait_secs}s: $(describe "$svc")"
            done
            log "inspect with: ${compose_cmd[*]} -f $compose_file_rel ps; ${compose_cmd[*]} -f $compose_file_rel logs ${still[*]}"
            exit 1
        fi
        sleep 1
    done
fi

# ---- No Docker engine: explain how to start what is missing, do not start anything.
if ! command -v docker >/dev/null 2>&1; then
    log "docker is not installed, so nothing was started."
elif ! with_timeout 15 docker info >/dev/null 2>&1; then
    log "no Docker engine is reachable ('docker info' failed), so nothing was started."
else
    log "the docker compose plugin (or docker-compose) is not installed, so nothing was started."
fi
{
    echo "Start the missing service(s) (${missing[*]}) with Docker:"
    echo "    docker compose -f $compose_file_rel up -d ${missing[*]}"
    echo "or, on Debian without Docker:"
    for svc in "${missing[@]}"; do
        case "$svc" in
            postgres) echo "    pg_ctlcluster 15 main start" ;;
            redis)    echo "    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no" ;;
        esac
    done
    for svc in "${missing[@]}"; do
        is_default_addr "$svc" || echo "Note: those commands serve the default address; $(describe "$svc") points elsewhere — fix the URL or start the service there."
    done
    echo "(or point CALNDR_TEST_DATABASE_URL / CALNDR_TEST_REDIS_URL at running instances)"
} >&2
exit 1
