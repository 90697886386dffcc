#!/usr/bin/env bash
# check-deps.sh — enforce the hexagonal dependency direction of the Calndr workspace.
#
# Rules: ARCHITECTURE.md, section "Dependency direction".
# For every layer crate, lists its *normal* dependency tree (transitively,
# `cargo tree -e normal`, so dev- and build-dependencies are ignored, with all
# of the crate's own features enabled) and fails when it contains a calndr
# crate or a third-party crate that the crate's layer forbids.
#
# Usage: scripts/check-deps.sh [--manifest-path PATH] [--offline] [-q|--quiet]
#   --manifest-path PATH  workspace Cargo.toml to check (default: the repo's)
#   --offline             passed through to cargo
#   -q, --quiet           print nothing on success
# Exit status: 0 = clean, 1 = at least one violation, 2 = usage/cargo error.
# No compilation happens: only `cargo metadata --no-deps` and `cargo tree`.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest_path="$script_dir/../Cargo.toml"
cargo_flags=()
quiet=0

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

while (($#)); do
    case "$1" in
        --manifest-path) [[ $# -ge 2 ]] || { echo "check-deps: --manifest-path needs a value" >&2; exit 2; }
                         manifest_path="$2"; shift 2 ;;
        --manifest-path=*) manifest_path="${1#*=}"; shift ;;
        --offline|--frozen|--locked) cargo_flags+=("$1"); shift ;;
        -q|--quiet) quiet=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "check-deps: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
[[ -f "$manifest_path" ]] || { echo "check-deps: no such manifest: $manifest_path" >&2; exit 2; }

cargo_common=(--manifest-path "$manifest_path" ${cargo_flags[@]+"${cargo_flags[@]}"})

# ---------------------------------------------------------------- rules ---
# Forbidden third-party crates per layer (bash glob patterns, matched against package names).
DOMAIN_FORBIDDEN=(actix-web actix-http diesel diesel-async tokio tokio-postgres redis deadpool-redis
                  deadpool reqwest hyper sqlx async-trait 'aws-*' argon2 bcrypt jsonwebtoken tracing-subscriber)
PORTS_FORBIDDEN=(actix-web actix-http diesel diesel-async tokio tokio-postgres redis deadpool-redis
                 deadpool reqwest hyper sqlx 'aws-*' argon2 bcrypt jsonwebtoken tracing-subscriber)
APP_FORBIDDEN=(actix-web actix-http diesel diesel-async tokio-postgres redis deadpool-redis
               reqwest hyper sqlx 'aws-*' argon2 bcrypt jsonwebtoken)
ADAPTER_FORBIDDEN=(actix-web)
API_FORBIDDEN=(diesel diesel-async tokio-postgres redis deadpool-redis)

# ------------------------------------------------------ discover crates ---
# Prints "name<TAB>manifest_dir_relative_to_workspace_root" for each workspace member.
list_members() {
    local meta
    meta="$(cargo metadata --no-deps --format-version 1 "${cargo_common[@]}")" || {
        echo "check-deps: cargo metadata failed" >&2; exit 2; }
    if command -v jq >/dev/null 2>&1; then
        jq -r '.workspace_root as $root | .packages[]
               | [.name, (.manifest_path | ltrimstr($root + "/") | rtrimstr("/Cargo.toml"))] | @tsv' <<<"$meta"
    elif command -v python3 >/dev/null 2>&1; then
        python3 -c '
import json, os, sys
d = json.load(sys.stdin)
root = d["workspace_root"]
for p in d["packages"]:
    print(p["name"] + "\t" + os.path.relpath(os.path.dirname(p["manifest_path"]), root))
' <<<"$meta"
    else
        echo "check-deps: need jq or python3 to read cargo metadata" >&2; exit 2
    fi
}

members="$(list_members)"
[[ -n "$members" ]] || { echo "check-deps: no workspace members found" >&2; exit 2; }

# ---------------------------------------------------------------- check ---
violations=0
checked=()

# check_crate CRATE "ALLOWED_CALNDR..." FORBIDDEN_PATTERN...
check_crate() {
    local crate="$1" allowed="$2"; shift 2
    local -a forbidden=("$@")
    local tree line depth rest name version reason pat
    local -A seen=()
    checked+=("$crate")
    tree="$(cargo tree "${cargo_common[@]}" -p "$crate" -e normal --all-features \
                       --prefix depth --format '{p}' 2>&1)" || {
        echo "check-deps: 'cargo tree -p $crate' failed:" >&2; echo "$tree" >&2; exit 2; }
    while IFS= read -r line; do
        [[ "$line" =~ ^([0-9]+)([^[:space:]]+)\ v([^[:space:]]+) ]] || continue
        depth="${BASH_REMATCH[1]}" name="${BASH_REMATCH[2]}" version="${BASH_REMATCH[3]}"
        ((depth > 0)) || continue
        [[ -z "${seen[$name@$version]:-}" ]] || continue
        seen[$name@$version]=1
        reason=""
        if [[ "$name" == calndr-* ]]; then
            [[ " $allowed " == *" $name "* ]] ||
                reason="calndr crate not allowed in this layer (allowed: ${allowed:-none})"
        else
            for pat in ${forbidden[@]+"${forbidden[@]}"}; do
                # shellcheck disable=SC2053  # $pat is a glob on purpose
                if [[ "$name" == $pat ]]; then reason="forbidden for this layer (rule: $pat)"; break; fi
            done
        fi
        [[ -n "$reason" ]] || continue
        violations=$((violations + 1))
        echo "check-deps: VIOLATION: $crate depends on $name v$version — $reason"
        echo "  path (cargo tree -p $crate -e normal -i $name@$version):"
        cargo tree "${cargo_common[@]}" -p "$crate" -e normal --all-features -i "$name@$version" 2>&1 \
            | sed 's/^/    /' || true
    done <<<"$tree"
}

while IFS=$'\t' read -r crate dir; do
    case "$crate" in
        calndr-domain) check_crate "$crate" "" "${DOMAIN_FORBIDDEN[@]}" ;;
        calndr-ports)  check_crate "$crate" "calndr-domain" "${PORTS_FORBIDDEN[@]}" ;;
        calndr-app)    check_crate "$crate" "calndr-domain calndr-ports" "${APP_FORBIDDEN[@]}" ;;
        calndr-api)    check_crate "$crate" "calndr-domain calndr-ports calndr-app" "${API_FORBIDDEN[@]}" ;;
        calndr-server|calndr-testkit) ;;   # composition roots: anything goes
        *)
            if [[ "$dir" == crates/adapters/* ]]; then
                check_crate "$crate" "calndr-domain calndr-ports" "${ADAPTER_FORBIDDEN[@]}"
            else
                echo "check-deps: warning: no layer rule for $crate ($dir); not checked" >&2
            fi ;;
    esac
done <<<"$members"

if ((violations > 0)); then
    echo "check-deps: FAILED — $violations forbidden dependenc$( ((violations == 1)) && echo y || echo ies) (see ARCHITECTURE.md, \"Dependency direction\")" >&2
    exit 1
fi
((quiet)) || echo "check-deps: OK — ${#checked[@]} crates checked (${checked[*]})"
