#!/usr/bin/env bash
# check-route-imports-selftest.sh — proves scripts/check-route-imports.py fails when it should.
#
# Copies crates/api/src/routes into a temp dir, checks that the real routes pass, then plants
# import loops (each into a fresh copy) in the spellings route files use and checks that the
# check exits 1 and names the loop; a self-import from a test module must still pass.
#
# Usage: scripts/check-route-imports-selftest.sh [-v|--verbose]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
check="$root/scripts/check-route-imports.py"
routes="$root/crates/api/src/routes"
verbose=0
[[ "${1:-}" == "-v" || "${1:-}" == "--verbose" ]] && verbose=1

tmp="$(mktemp -d "${TMPDIR:-/tmp}/check-route-imports-selftest.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

passed=0 failed=0

# run_case NAME EXPECT(pass|fail) SETUP_FN [EXPECTED_TEXT...]
run_case() {
    local name="$1" expect="$2" setup="$3"; shift 3
    local dir="$tmp/case-$((passed + failed))" out rc=0 ok=1 text
    cp -r "$routes" "$dir"
    "$setup" "$dir"
    out="$(python3 "$check" "$dir" 2>&1)" || rc=$?
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

plant() { printf '\n%s\n' "$2" >>"$1"; }

clean()             { :; }
# circle.rs mounts children's handlers; children importing the table back is the old loop.
child_uses_table()  { plant "$1/children.rs" 'use crate::routes::circle::configure;'; }
grouped_import()    { plant "$1/children.rs" 'use crate::routes::{auth, circle::configure};'; }
super_path()        { plant "$1/babysitters.rs" 'fn f() { super::circle::configure; }'; }
# A longer loop: weather -> health -> weather through two new imports.
three_step()        { plant "$1/weather.rs" 'use crate::routes::health;'
                      plant "$1/health.rs" 'use crate::routes::journal;'
                      plant "$1/journal.rs" 'use crate::routes::weather;'; }
commented_out()     { plant "$1/children.rs" '// use crate::routes::circle::configure;'; }
test_self_import()  { plant "$1/children.rs" '#[cfg(test)] mod tests { use super::*; use super::children; }'; }

run_case "the real routes pass"                       pass clean            "check-route-imports: OK"
run_case "children -> circle (the old loop) fails"    fail child_uses_table "children -> circle -> children"
run_case "a grouped import {..} is seen"              fail grouped_import   "children -> circle -> children"
run_case "a super::module path is seen"               fail super_path       "babysitters -> circle -> babysitters"
run_case "a three-module loop fails"                  fail three_step       "health -> journal -> weather -> health"
run_case "a commented-out import is ignored"          pass commented_out    "check-route-imports: OK"
run_case "a test module importing its own file passes" pass test_self_import "check-route-imports: OK"

echo "check-route-imports self-test: $passed passed, $failed failed"
((failed == 0))
