#!/usr/bin/env python3
"""Static checks of deploy/ that need no Docker and no AWS (run by `make deploy-check`).

  compose   deploy/docker-compose.yml parses, has services, and every service has a health
            check (a `test`, not `disable: true`); postgres and redis (started by name by
            scripts/ensure-services.sh) are there.
  toolchain deploy/Dockerfile's RUST_VERSION is the channel pinned in rust-toolchain.toml.
  skips     every `checkov:skip=` comment under deploy/terraform names a check and gives a reason.

Usage: check-deploy.py [REPO_ROOT]   (default: the parent of this file's directory)
"""
import pathlib
import re
import sys

import yaml  # PyYAML: installed with checkov into the same virtual environment

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
COMPOSE = ROOT / "deploy" / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
TOOLCHAIN = ROOT / "rust-toolchain.toml"
TERRAFORM = ROOT / "deploy" / "terraform"
REQUIRED_SERVICES = ("postgres", "redis")
SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?$")


def check_compose(problems):
    try:
        doc = yaml.safe_load(COMPOSE.read_text())
    except (OSError, yaml.YAMLError) as e:
        problems.append(f"{COMPOSE.relative_to(ROOT)}: does not parse: {e}")
        return 0
    services = (doc or {}).get("services") or {}
    if not isinstance(services, dict) or not services:
        problems.append(f"{COMPOSE.relative_to(ROOT)}: no services")
        return 0
    for name in REQUIRED_SERVICES:
        if name not in services:
            problems.append(f"{COMPOSE.relative_to(ROOT)}: service {name!r} is missing (scripts/ensure-services.sh starts it)")
    for name, svc in services.items():
        hc = (svc or {}).get("healthcheck")
        if not isinstance(hc, dict) or hc.get("disable") is True or not hc.get("test"):
            problems.append(f"{COMPOSE.relative_to(ROOT)}: service {name!r} has no health check")
            continue
        test = hc["test"]
        if isinstance(test, list) and (not test or test[0] == "NONE"):
            problems.append(f"{COMPOSE.relative_to(ROOT)}: service {name!r} disables its health check")
    return len(services)


def check_toolchain(problems):
    arg = re.search(r"^ARG RUST_VERSION=(\S+)$", DOCKERFILE.read_text(), re.M)
    chan = re.search(r'^channel\s*=\s*"([^"]+)"', TOOLCHAIN.read_text(), re.M)
    if not arg or not chan:
        problems.append("deploy/Dockerfile (ARG RUST_VERSION=) or rust-toolchain.toml (channel) not found")
    elif arg.group(1) != chan.group(1):
        problems.append(
            f"deploy/Dockerfile builds with Rust {arg.group(1)} but rust-toolchain.toml pins {chan.group(1)}")


def check_skips(problems):
    count = 0
    for tf in sorted(TERRAFORM.rglob("*.tf")):
        if ".terraform" in tf.parts:
            continue
        for n, line in enumerate(tf.read_text().splitlines(), 1):
            m = SKIP.search(line.strip())
            if not m:
                continue
            count += 1
            if len((m.group(2) or "").strip()) < 15:
                problems.append(f"{tf.relative_to(ROOT)}:{n}: checkov skip of {m.group(1)} without a reason")
    return count


def main():
    problems = []
    services = check_compose(problems)
    check_toolchain(problems)
    skips = check_skips(problems)
    for p in problems:
        print(f"deploy-check: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"deploy-check: compose OK ({services} services, each with a health check); "
          f"Dockerfile Rust pin matches rust-toolchain.toml; {skips} checkov skips, each with a reason")
    return 0


if __name__ == "__main__":
    sys.exit(main())
