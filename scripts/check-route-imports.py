#!/usr/bin/env python3
"""check-route-imports.py — fails when the route modules of crates/api import each other in a loop.

Reads every crates/api/src/routes/*.rs (or the directory given), collects which sibling route
modules each one names in `use crate::routes::...`, `use super::...`, `crate::routes::x::...` or
`super::x::...` paths, and looks for a cycle in that graph. A route table (circle.rs) may import
the handler modules it mounts; the handlers then must not import the table back: shared pieces
go to a module both use (routes/people.rs).

Usage: scripts/check-route-imports.py [ROUTES_DIR]
Exit 0: no cycle. Exit 1: a cycle (printed as a -> b -> a). Exit 2: bad usage.
"""

import re
import sys
from pathlib import Path

# `crate::routes::` or `super::` followed by one module name or a `{...}` group.
PATH_RE = re.compile(r"\b(?:crate::routes|super)::(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")
COMMENT_RE = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def first_names(group: str) -> list[str]:
    """The first path segment of each item of `{a, b::c, d as e}` or of a single name."""
    if not group.startswith("{"):
        return [group]
    names = []
    depth, item = 0, ""
    for ch in group[1:-1] + ",":
        if ch == "," and depth == 0:
            item = item.strip()
            if item:
                names.append(re.split(r"::|\s", item)[0])
            item = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        item += ch
    return names


def graph(routes: Path) -> dict[str, set[str]]:
    modules = {p.stem for p in routes.glob("*.rs") if p.stem != "mod"}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for m in sorted(modules):
        src = COMMENT_RE.sub("", (routes / f"{m}.rs").read_text(encoding="utf-8"))
        # `#[cfg(test)] mod tests { use super::*; }` names the module itself: not an import.
        for group in PATH_RE.findall(src):
            for name in first_names(group):
                if name in modules and name != m:
                    edges[m].add(name)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(edges[m]):
            if state.get(n) == 1:
                # Printed from its alphabetically first module, wherever the search entered it.
                loop = stack[stack.index(n):]
                first = loop.index(min(loop))
                loop = loop[first:] + loop[:first]
                return loop + [loop[0]]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(edges):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    default = Path(__file__).resolve().parent.parent / "crates/api/src/routes"
    routes = Path(argv[1]) if len(argv) == 2 else default
    if not routes.is_dir():
        print(f"check-route-imports: no directory {routes}", file=sys.stderr)
        return 2
    edges = graph(routes)
    cycle = find_cycle(edges)
    if cycle:
        print("check-route-imports: route modules import each other in a loop: "
              + " -> ".join(cycle), file=sys.stderr)
        return 1
    count = sum(len(v) for v in edges.values())
    print(f"check-route-imports: OK ({len(edges)} modules, {count} imports, no loop)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
