#!/usr/bin/env python3
"""Static checks of deploy/ that need no Docker and no AWS (run by `make deploy-check`).

  compose   deploy/docker-compose.yml parses, has services, and every service has a health
            check (a `test`, not `disable: true`); postgres and redis (started by name by
            scripts/ensure-services.sh) are there.
  toolchain deploy/Dockerfile's RUST_VERSION is the channel pinned in rust-toolchain.toml.
  skips     every `checkov:skip=` comment under deploy/terraform names a check and gives a reason.
  iam       the task role's policy (deploy/terraform/modules/iam/main.tf, "task") allows exactly
            the AWS calls that crates/adapters/aws makes: every `<client>.<operation>()...send()`
            of an AWS SDK client in those sources is an allowed action, and the policy allows no
            action that is neither such a call nor one the call needs (COMPANIONS).

Usage: check-deploy.py [REPO_ROOT]   (default: the parent of this file's directory)
"""
import pathlib
import re
import sys

import hcl2  # python-hcl2: installed with checkov too
import yaml  # PyYAML: installed with checkov into the same virtual environment

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
COMPOSE = ROOT / "deploy" / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
TOOLCHAIN = ROOT / "rust-toolchain.toml"
TERRAFORM = ROOT / "deploy" / "terraform"
REQUIRED_SERVICES = ("postgres", "redis")
SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?$")
AWS_ADAPTERS = ROOT / "crates" / "adapters" / "aws" / "src"
IAM_MODULE = ROOT / "deploy" / "terraform" / "modules" / "iam" / "main.tf"
# SDK crate => IAM service prefix.
SDK_SERVICES = {"aws_sdk_s3": "s3", "aws_sdk_sesv2": "ses", "aws_sdk_sns": "sns"}
# Actions an SDK call needs besides its own: S3 answers 403 instead of 404 for a missing key
# without ListBucket; SSE-KMS objects need the key.
COMPANIONS = {
    "s3:GetObject": {"s3:ListBucket", "kms:Decrypt"},
    "s3:PutObject": {"kms:GenerateDataKey"},
}
# `client.<op>()` or `.await.<op>()` (the client from a lazy cell), then builder calls, then .send()
SDK_CALL = re.compile(r"(?:\bclient(?:\(\))?|\.await)\s*\.([a-z][a-z0-9_]*)\(\)((?:[^;]|\n)*?)\.send\(\)")


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


def sdk_calls():
    """{"sns:Publish": ["sns.rs", ...]} of every AWS SDK operation the adapters send."""
    calls = {}
    for rs in sorted(AWS_ADAPTERS.rglob("*.rs")):
        text = rs.read_text()
        crates = {c for c in SDK_SERVICES if c in text}
        if not crates:
            continue
        for m in SDK_CALL.finditer(text):
            op = "".join(w.capitalize() for w in m.group(1).split("_"))
            for crate in crates:
                calls.setdefault(f"{SDK_SERVICES[crate]}:{op}", []).append(rs.name)
    return calls


def task_policy_actions():
    doc = hcl2.loads(IAM_MODULE.read_text())
    for block in doc.get("data", []):
        task = block.get("aws_iam_policy_document", {}).get("task")
        if task is None:
            continue
        statements = list(task.get("statement", []))
        for dyn in task.get("dynamic", []):
            statements += dyn.get("statement", {}).get("content", [])
        actions = set()
        for st in statements:
            for a in st.get("actions", []):
                actions.update(a if isinstance(a, list) else [a])
        return actions
    return None


def check_iam(problems):
    calls = sdk_calls()
    allowed = task_policy_actions()
    rel = IAM_MODULE.relative_to(ROOT)
    if allowed is None:
        problems.append(f"{rel}: no aws_iam_policy_document \"task\"")
        return 0
    if not calls:
        problems.append(f"{AWS_ADAPTERS.relative_to(ROOT)}: no AWS SDK call found (has the call style changed?)")
        return 0
    needed = set(calls)
    for action, files in sorted(calls.items()):
        if action not in allowed:
            problems.append(f"{rel}: the task role does not allow {action}, which {', '.join(sorted(set(files)))} calls")
        for companion in COMPANIONS.get(action, ()):
            needed.add(companion)
            if companion not in allowed:
                problems.append(f"{rel}: the task role does not allow {companion}, which {action} needs")
    for action in sorted(allowed - needed):
        problems.append(f"{rel}: the task role allows {action}, which no adapter in crates/adapters/aws calls")
    return len(calls)


def main():
    problems = []
    services = check_compose(problems)
    check_toolchain(problems)
    skips = check_skips(problems)
    aws_calls = check_iam(problems)
    for p in problems:
        print(f"deploy-check: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"deploy-check: compose OK ({services} services, each with a health check); "
          f"Dockerfile Rust pin matches rust-toolchain.toml; {skips} checkov skips, each with a reason; "
          f"the task role allows exactly the {aws_calls} AWS operations the adapters call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
