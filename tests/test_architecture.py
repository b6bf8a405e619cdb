"""The package's shape: no import cycle, small modules, a short top level, no private-name imports
across modules, and the module tree drawn in docs/design.md matching the code.

The import graph is built with `ast` from every `import`/`from` statement anywhere in a module
(inside functions and `if TYPE_CHECKING:` blocks too: a cycle hidden in a function is still a
cycle a reader has to untangle). grimp and import-linter build the same graph, but neither reports
the imported names (needed for the private-name rule) nor draws a cycle with the lines that make
it, and each would be a new dependency for about forty lines of code.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
PACKAGE = "netpatrol"
DESIGN = REPO / "docs" / "design.md"
MAX_LINES = 400
MAX_TOP_LEVEL = 8


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (a package's __init__ is the package's name)
    names: tuple[str, ...]  # the names a `from` import takes from `target`; () for `import x`
    line: int

    def where(self, root: Path) -> str:
        return f"{module_file(root, self.source).relative_to(root.parent.parent).as_posix()}:{self.line}"


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package at `root` (a `src/<pkg>` folder)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def module_file(root: Path, name: str) -> Path:
    return module_files(root)[name]


def imports(root: Path) -> list[Import]:
    """Every import of one module of the package by another, resolved to the module it loads."""
    modules = module_files(root)

    def owner(dotted: str) -> str | None:  # the innermost package module a dotted name lives in
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    found = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = owner(alias.name)
                    if target and target != name:
                        found.append(Import(name, target, (), node.lineno))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the importing module's package upwards
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                for alias in node.names:
                    # `from pkg import submodule` loads the submodule; `from mod import name` the module.
                    sub = f"{base}.{alias.name}"
                    target = sub if sub in modules else owner(base)
                    if target and target != name:
                        found.append(Import(name, target, () if target == sub else (alias.name,), node.lineno))
    return found


def cycles(root: Path) -> list[list[Import]]:
    """One shortest cycle per strongly connected group of modules (Tarjan), as the imports forming it."""
    edges: dict[str, dict[str, Import]] = {m: {} for m in module_files(root)}
    for imp in imports(root):
        edges[imp.source].setdefault(imp.target, imp)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in edges:
        if v not in index:
            connect(v)
    found = []
    for group in groups:
        start = min(group)
        back: dict[str, Import] = {}
        todo = deque([start])
        while todo:  # breadth-first inside the group: the shortest way back to `start`
            v = todo.popleft()
            for w, imp in sorted(edges[v].items()):
                if w in group and w not in back:
                    back[w] = imp
                    todo.append(w)
        chain, v = [], start
        while True:
            chain.append(back[v])
            v = back[v].source
            if v == start:
                break
        found.append(chain[::-1])
    return sorted(found, key=lambda c: c[0].source)


def describe_cycle(root: Path, chain: list[Import]) -> str:
    steps = " -> ".join([chain[0].source] + [i.target for i in chain])
    lines = ", ".join(f"{i.source} imports {i.target} at {i.where(root)}" for i in chain)
    return f"{steps} ({lines})"


def private_imports(root: Path) -> list[str]:
    """`from x import _y` (or `import x._y`) where `_y` is private to a module other than the importer.

    A private submodule (`normalise/_spec.py`) may be imported inside its own package.
    """
    modules = module_files(root)
    problems = []
    for imp in imports(root):
        dotted = imp.target.split(".") + list(imp.names)
        for i, part in enumerate(dotted):
            if not part.startswith("_") or part.startswith("__"):
                continue
            holder, name = ".".join(dotted[:i]), ".".join(dotted[: i + 1])
            inside = imp.source == holder or imp.source.startswith(holder + ".")
            if name not in modules or not inside:  # a module's private name, or a package's from outside
                problems.append(f"{imp.where(root)}: {imp.source} imports private name {name}")
                break
    return problems


# --- the drawing in docs/design.md ----------------------------------------------------------------

_ENTRY = re.compile(r"^(?P<indent>[│├└─\s]*)(?P<name>\S+)(?:\s{2,}(?P<what>\S.*))?$")


def drawn_tree(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(path below src/, description) of each line of the fenced tree starting `src/<pkg>/`."""
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith(f"src/{PACKAGE}/")), None)
    if start is None:
        return [], [f"docs/design.md: no fenced tree starting with 'src/{PACKAGE}/'"]
    entries, problems, parents = [], [], [f"{PACKAGE}/"]
    root_what = lines[start][len(f"src/{PACKAGE}/"):].strip()
    entries.append((f"{PACKAGE}/", root_what))
    for n, line in enumerate(lines[start + 1:], start + 2):
        if line.startswith("```"):
            break
        m = _ENTRY.match(line)
        if not m or not line.strip():
            continue
        depth = len(m["indent"]) // 4
        if depth < 1 or depth > len(parents):
            problems.append(f"docs/design.md:{n}: '{m['name']}' is indented {len(m['indent'])} columns: "
                            f"use 4 per level under its package")
            continue
        del parents[depth:]
        path = (parents[-1] + m["name"]).removesuffix("__init__.py")  # a package's line stands for it
        entries.append((path, (m["what"] or "").strip()))
        if m["name"].endswith("/"):
            parents.append(path)
    return entries, problems


def code_tree(root: Path) -> set[str]:
    """Packages (`pkg/sub/`) and modules (`pkg/sub/mod.py`): what the drawing must show, once each."""
    out = set()
    for path in root.rglob("*.py"):
        rel = path.relative_to(root.parent).as_posix()
        out.add(rel.removesuffix("__init__.py") if path.name == "__init__.py" else rel)
    return out


def drawing_problems(root: Path, design: Path) -> list[str]:
    entries, problems = drawn_tree(design.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    for path, what in entries:
        seen[path] = seen.get(path, 0) + 1
        if not what:
            problems.append(f"docs/design.md: '{path}' has no description (one line on what it does)")
    code = code_tree(root)
    drawn = {p for p in seen if p.endswith(".py") or (root.parent / p / "__init__.py").is_file()}
    for path in sorted(p for p, n in seen.items() if n > 1):
        problems.append(f"docs/design.md: '{path}' is drawn {seen[path]} times (once only)")
    for path in sorted(code - drawn):
        problems.append(f"src/{path}: in the code but not drawn in docs/design.md")
    for path in sorted(drawn - code):
        problems.append(f"docs/design.md: '{path}' is drawn but there is no src/{path}")
    for path in sorted(p for p in seen if p not in drawn):  # data drawn beside the code must exist
        if not list(root.parent.glob(path.rstrip("/"))):
            problems.append(f"docs/design.md: '{path}' is drawn but nothing matches src/{path}")
    return problems


# --- the rules, on the real package ----------------------------------------------------------------

ROOT = SRC / PACKAGE


def test_no_import_cycles():
    found = [describe_cycle(ROOT, c) for c in cycles(ROOT)]
    assert not found, "import cycles (imports inside functions and TYPE_CHECKING blocks count):\n" + "\n".join(found)


def test_no_module_above_400_lines():
    long = [f"{p.relative_to(REPO).as_posix()}: {n} lines" for p in sorted(ROOT.rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not long, f"modules above {MAX_LINES} lines (split by responsibility):\n" + "\n".join(long)


def test_top_level_is_short():
    top = sorted(p.name for p in ROOT.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, (f"{len(top)} modules directly under src/{PACKAGE}/ "
                                       f"(at most {MAX_TOP_LEVEL}; move some into a sub-package): {', '.join(top)}")


def test_no_private_names_imported_across_modules():
    found = private_imports(ROOT)
    assert not found, "private names imported from another module (make them public or move them):\n" + "\n".join(found)


def test_design_draws_every_module_once():
    found = drawing_problems(ROOT, DESIGN)
    assert not found, "docs/design.md's module tree is out of step with the code:\n" + "\n".join(found)


# --- the checker itself, on small packages made here -------------------------------------------------


def make_package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "src" / PACKAGE
    for rel, text in {"__init__.py": "", **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_cycles_through_functions_type_checking_and_submodule_imports_are_found(tmp_path):
    root = make_package(tmp_path, {
        "a/__init__.py": "",
        "a/one.py": "from netpatrol.a import two\n",  # `from package import submodule`
        "a/two.py": "def f():\n    from . import three\n",  # inside a function, relative
        "a/three.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import netpatrol.a.one\n",
        "b.py": "from netpatrol.a.one import x\n",  # outside the cycle
    })
    [chain] = cycles(root)
    assert [i.source for i in chain] == ["netpatrol.a.one", "netpatrol.a.two", "netpatrol.a.three"]
    text = describe_cycle(root, chain)
    assert text.startswith("netpatrol.a.one -> netpatrol.a.two -> netpatrol.a.three -> netpatrol.a.one (")
    assert "at src/netpatrol/a/two.py:2" in text and "at src/netpatrol/a/three.py:3" in text


def test_an_acyclic_package_has_no_cycle(tmp_path):
    root = make_package(tmp_path, {"a.py": "import netpatrol.b\n", "b.py": "from netpatrol import c\n", "c.py": ""})
    assert cycles(root) == []


def test_private_names_are_refused_across_modules_but_private_submodules_inside_their_package(tmp_path):
    root = make_package(tmp_path, {
        "p/__init__.py": "from netpatrol.p._impl import run\n",
        "p/_impl.py": "run = 1\n_hidden = 2\n",
        "p/user.py": "from netpatrol.p import _impl\n",
        "q.py": "from netpatrol.p._impl import run\nfrom netpatrol.p._impl import _hidden\n",
    })
    assert private_imports(root) == [
        "src/netpatrol/q.py:1: netpatrol.q imports private name netpatrol.p._impl",
        "src/netpatrol/q.py:2: netpatrol.q imports private name netpatrol.p._impl",
    ]
    (root / "p/user.py").write_text("from netpatrol.p._impl import _hidden\n", encoding="utf-8")
    assert private_imports(root)[0] == "src/netpatrol/p/user.py:1: netpatrol.p.user imports private name netpatrol.p._impl._hidden"


def test_the_drawing_check_names_missing_extra_and_repeated_modules(tmp_path):
    root = make_package(tmp_path, {"a/__init__.py": "", "a/one.py": "", "a/two.py": "", "top.py": ""})
    (root / "a" / "data").mkdir()
    design = tmp_path / "design.md"
    design.write_text(
        "```\n"
        "src/netpatrol/          the package\n"
        "├── top.py              top\n"
        "├── a/                  package a\n"
        "│   ├── one.py          one\n"
        "│   ├── one.py          one again\n"
        "│   ├── __init__.py     the package again\n"
        "│   ├── gone.py         removed\n"
        "│   ├── data/           data files\n"
        "│   └── nothing/        missing data\n"
        "└── undescribed.py\n"
        "```\n", encoding="utf-8")
    assert sorted(drawing_problems(root, design)) == sorted([
        "docs/design.md: 'netpatrol/undescribed.py' has no description (one line on what it does)",
        "docs/design.md: 'netpatrol/a/one.py' is drawn 2 times (once only)",
        "docs/design.md: 'netpatrol/a/' is drawn 2 times (once only)",
        "src/netpatrol/a/two.py: in the code but not drawn in docs/design.md",
        "docs/design.md: 'netpatrol/a/gone.py' is drawn but there is no src/netpatrol/a/gone.py",
        "docs/design.md: 'netpatrol/undescribed.py' is drawn but there is no src/netpatrol/undescribed.py",
        "docs/design.md: 'netpatrol/a/nothing/' is drawn but nothing matches src/netpatrol/a/nothing/",
    ])


@pytest.mark.parametrize("line", ["src/netpatrol/  the package", "src/netpatrol/"])
def test_the_drawing_needs_its_root_line(tmp_path, line):
    root = make_package(tmp_path, {})
    design = tmp_path / "design.md"
    design.write_text(f"```\n{line}\n```\n", encoding="utf-8")
    problems = drawing_problems(root, design)
    assert problems == ([] if "  " in line else ["docs/design.md: 'netpatrol/' has no description (one line on what it does)"])
