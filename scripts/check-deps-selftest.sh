#!/usr/bin/env bash
# check-deps-selftest.sh — proves scripts/check-deps.sh fails when it should.
#
# Builds a throwaway, path-only workspace in a temp dir that mirrors the Calndr
# layer names with tiny crates, checks that check-deps.sh passes on the clean
# state, then injects violations (each into a fresh copy) and checks that
# check-deps.sh exits 1 and names the offending crate and dependency.
# Runs offline: only path dependencies, cargo is called with --offline.
#
# Usage: scripts/check-deps-selftest.sh [-v|--verbose]
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
check="$script_dir/check-deps.sh"
verbose=0
[[ "${1:-}" == "-v" || "${1:-}" == "--verbose" ]] && verbose=1

tmp="$(mktemp -d "${TMPDIR:-/tmp}/check-deps-selftest.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# Keep cargo away from the real workspace's target dir and from the network.
export CARGO_TARGET_DIR="$tmp/target"
export CARGO_NET_OFFLINE=true

# new_crate DIR NAME [DEP_LINE...]  — a minimal lib crate with the given [dependencies] lines
new_crate() {
    local dir="$1" name="$2"; shift 2
    mkdir -p "$dir/src"
    : >"$dir/src/lib.rs"
    {
        printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n[dependencies]\n' "$name"
        local dep; for dep in "$@"; do printf '%s\n' "$dep"; done
    } >"$dir/Cargo.toml"
}

# add_dep CRATE_DIR SECTION LINE — append LINE under [SECTION] of a crate's manifest
add_dep() {
    local manifest="$1/Cargo.toml" section="$2" line="$3"
    if grep -qx "\[$section\]" "$manifest"; then
        sed -i "/^\[$section\]\$/a $line" "$manifest"
    else
        printf '\n[%s]\n%s\n' "$section" "$line" >>"$manifest"
    fi
}

# ------------------------------------------------ the clean base workspace ---
base="$tmp/base"
# Fake third-party crates, outside the workspace root, named like the real ones.
new_crate "$tmp/vendor/tokio" tokio
new_crate "$tmp/vendor/aws-sdk-s3" aws-sdk-s3

mkdir -p "$base"
cat >"$base/Cargo.toml" <<'TOML'
[workspace]
resolver = "2"
members = ["crates/domain", "crates/ports", "crates/app", "crates/adapters/*", "crates/api", "crates/server"]
TOML
new_crate "$base/crates/domain"     calndr-domain
new_crate "$base/crates/ports"      calndr-ports  'calndr-domain = { path = "../domain" }'
new_crate "$base/crates/app"        calndr-app    'calndr-domain = { path = "../domain" }' \
                                                  'calndr-ports = { path = "../ports" }'
new_crate "$base/crates/adapters/x" calndr-x      'calndr-domain = { path = "../../domain" }' \
                                                  'calndr-ports = { path = "../../ports" }'
new_crate "$base/crates/api"        calndr-api    'calndr-domain = { path = "../domain" }' \
                                                  'calndr-ports = { path = "../ports" }' \
                                                  'calndr-app = { path = "../app" }'
new_crate "$base/crates/server"     calndr-server 'calndr-domain = { path = "../domain" }' \
                                                  'calndr-ports = { path = "../ports" }' \
                                                  'calndr-app = { path = "../app" }' \
                                                  'calndr-x = { path = "../adapters/x" }' \
                                                  'calndr-api = { path = "../api" }' \
                                                  "tokio = { path = \"$tmp/vendor/tokio\" }"

passed=0 failed=0

# run_case NAME EXPECT(pass|fail) SETUP_FN [EXPECTED_TEXT...]
# Copies the base workspace, applies SETUP_FN to it, runs check-deps.sh and
# checks the exit status (0 for pass, exactly 1 for fail) and that the output
# contains every EXPECTED_TEXT.
run_case() {
    local name="$1" expect="$2" setup="$3"; shift 3
    local ws="$tmp/case-$((passed + failed))" out rc=0 ok=1 text
    cp -r "$base" "$ws"
    "$setup" "$ws"
    out="$("$check" --manifest-path "$ws/Cargo.toml" --offline 2>&1)" || rc=$?
    case "$expect" in
        pass) ((rc == 0)) || ok=0 ;;
        fail) ((rc == 1)) || ok=0 ;;
    esac
    for text in "$@"; do
        [[ "$out" == *"$text"* ]] || { ok=0; echo "  missing expected text: $text"; }
    done
    if ((ok)); then
        passed=$((passed + 1)); echo "ok   - $name (expected $expect, exit $rc)"
    else
        failed=$((failed + 1)); echo "FAIL - $name (expected $expect, got exit $rc); output:"
    fi
    if ((!ok || verbose)); then sed 's/^/    | /' <<<"$out"; fi
}

clean()               { :; }
domain_uses_tokio()   { add_dep "$1/crates/domain" dependencies "tokio = { path = \"$tmp/vendor/tokio\" }"; }
app_uses_adapter()    { add_dep "$1/crates/app" dependencies 'calndr-x = { path = "../adapters/x" }'; }
adapter_uses_app()    { add_dep "$1/crates/adapters/x" dependencies 'calndr-app = { path = "../../app" }'; }
ports_uses_aws()      { add_dep "$1/crates/ports" dependencies "aws-sdk-s3 = { path = \"$tmp/vendor/aws-sdk-s3\" }"; }
api_uses_adapter()    { add_dep "$1/crates/api" dependencies 'calndr-x = { path = "../adapters/x" }'; }
new_adapter_uses_x()  { new_crate "$1/crates/adapters/y" calndr-y 'calndr-x = { path = "../x" }'; }
app_dev_uses_adapter() {
    add_dep "$1/crates/app" dev-dependencies 'calndr-x = { path = "../adapters/x" }'
    add_dep "$1/crates/domain" dev-dependencies "tokio = { path = \"$tmp/vendor/tokio\" }"
}
domain_tokio_via_feature() {
    add_dep "$1/crates/domain" dependencies "tokio = { path = \"$tmp/vendor/tokio\", optional = true }"
    printf '\n[features]\nrt = ["dep:tokio"]\n' >>"$1/crates/domain/Cargo.toml"
}

run_case "clean workspace passes"                            pass clean              "check-deps: OK"
run_case "(a) calndr-domain -> tokio fails"                  fail domain_uses_tokio \
         "calndr-domain depends on tokio" "-i tokio@0.1.0" "└── calndr-domain"
run_case "(b) calndr-app -> adapter fails"                   fail app_uses_adapter \
         "calndr-app depends on calndr-x" "└── calndr-app"
run_case "(c) adapter -> calndr-app fails"                   fail adapter_uses_app \
         "calndr-x depends on calndr-app" "└── calndr-x"
run_case "calndr-ports -> aws-* (glob rule) fails"           fail ports_uses_aws \
         "calndr-ports depends on aws-sdk-s3"
run_case "calndr-api -> adapter fails"                       fail api_uses_adapter \
         "calndr-api depends on calndr-x"
run_case "new adapter (discovered dynamically) -> other adapter fails" fail new_adapter_uses_x \
         "calndr-y depends on calndr-x"
run_case "forbidden dep behind an optional feature fails"    fail domain_tokio_via_feature \
         "calndr-domain depends on tokio"
run_case "dev-dependencies are allowed"                      pass app_dev_uses_adapter "check-deps: OK"

echo "check-deps self-test: $passed passed, $failed failed"
((failed == 0))
