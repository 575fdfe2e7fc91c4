"""The package's shape, measured: import cycles, private names used across modules, module sizes.

Every import counts, function-local ones included (a local import hides a
cycle from Python, not from a reader).  ``python tools/structure.py`` prints
the report and exits 1 when a rule is broken; ``tests/test_structure.py``
asserts the same rules.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "gonghui_kit"
MAX_LINES = 800


@dataclass
class Shape:
    imports: dict[str, set[str]] = field(default_factory=dict)  # module -> modules it imports
    private: list[tuple[str, str, str]] = field(default_factory=list)  # (module, imported from, name)
    lines: dict[str, int] = field(default_factory=dict)


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(current: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = current.split(".")
    base = base if is_pkg else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _private(attr: str) -> bool:
    return attr.startswith("_") and not attr.startswith("__")


def measure(root: Path = ROOT) -> Shape:
    shape = Shape()
    files = sorted((root / PACKAGE).rglob("*.py"))
    modules = {module_name(p) for p in files}
    for p in files:
        name = module_name(p)
        is_pkg = p.name == "__init__.py"
        text = p.read_text(encoding="utf-8")
        shape.lines[name] = text.count("\n") + 1
        deps: set[str] = set()
        tree = ast.parse(text)
        aliases: dict[str, str] = {}  # local name -> gonghui_kit module it is bound to
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith(PACKAGE):
                        deps.add(a.name)
                        if a.asname:
                            aliases[a.asname] = a.name
            elif isinstance(node, ast.ImportFrom):
                src = _resolve(name, is_pkg, node)
                if not src.startswith(PACKAGE):
                    continue
                for a in node.names:
                    full = f"{src}.{a.name}"
                    if full in modules:
                        deps.add(full)  # `from pkg import module`
                        aliases[a.asname or a.name] = full
                    else:
                        deps.add(src)
                        if _private(a.name):
                            shape.private.append((name, src, a.name))
        # `module._name` through an imported module counts too
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and _private(node.attr):
                target = aliases.get(node.value.id)
                if target and target != name:
                    shape.private.append((name, target, node.attr))
        deps.discard(name)
        # importing a module imports its packages' __init__ too; they are leaves here
        shape.imports[name] = {d for d in deps if d in modules and d != PACKAGE}
    return shape


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    shape = measure()
    cyc = cycles(shape.imports)
    big = {m: n for m, n in shape.lines.items() if n > MAX_LINES}
    print(
        f"modules: {len(shape.lines)}; largest: "
        + ", ".join(f"{m} {n}" for m, n in sorted(shape.lines.items(), key=lambda kv: -kv[1])[:5])
    )
    print(f"import cycles: {len(cyc)}")
    for c in cyc:
        print("  " + " ↔ ".join(c))
    print(f"private names used across modules: {len(shape.private)}")
    for m, src, n in shape.private:
        print(f"  {m} uses {src}.{n}")
    print(f"modules over {MAX_LINES} lines: {len(big)}")
    for m, n in big.items():
        print(f"  {m}: {n}")
    return 1 if cyc or shape.private or big else 0


if __name__ == "__main__":
    sys.exit(main())
