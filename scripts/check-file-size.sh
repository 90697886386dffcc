#!/usr/bin/env bash
# check-file-size.sh — fails when a Rust source file is over 700 lines.
#
# Counted: every tracked or new .rs file under crates/, except tests (anything under a tests/
# directory, *_tests.rs) and the generated Diesel schema (crates/adapters/postgres/src/schema.rs).
#
# Usage: scripts/check-file-size.sh [MAX_LINES]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
max="${1:-700}"
cd "$root"

over=0 checked=0
while IFS= read -r -d '' file; do
    case "$file" in
        */tests/*|*_tests.rs|crates/adapters/postgres/src/schema.rs) continue ;;
    esac
    [[ -f "$file" ]] || continue
    checked=$((checked + 1))
    lines=$(wc -l <"$file")
    if ((lines > max)); then
        echo "check-file-size: $file has $lines lines (at most $max outside tests and generated schema)" >&2
        over=$((over + 1))
    fi
done < <(git ls-files -z --cached --others --exclude-standard -- 'crates/*.rs')

if ((over)); then
    echo "check-file-size: $over file(s) over $max lines; split them" >&2
    exit 1
fi
echo "check-file-size: OK ($checked files, none over $max lines)"
