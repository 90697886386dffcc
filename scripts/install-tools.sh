#!/usr/bin/env bash
# install-tools.sh — installs the lint tools `make lint` needs into .tools/ (gitignored), each
# only when missing or at another version. Pinned versions, built from crates.io with --locked.
# cargo-shear 1.14.0 locks ra_ap_* crates that need rustc 1.98; 1.13.0 builds with our 1.95.
#
# Usage: scripts/install-tools.sh   (prints the path of the tools' bin directory)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"

# name version
TOOLS=(
    "cargo-shear 1.13.0"
)

for entry in "${TOOLS[@]}"; do
    read -r name version <<<"$entry"
    # cargo-shear reports its version as "dev": ask cargo's own record of what .tools/ holds.
    if [[ -x "$tools/bin/$name" ]] &&
        cargo install --list --root "$tools" | grep -qxF "$name v$version:"; then
        continue
    fi
    echo "install-tools: installing $name $version into .tools/" >&2
    cargo install --locked --quiet --root "$tools" "$name" --version "$version"
done
echo "$tools/bin"
