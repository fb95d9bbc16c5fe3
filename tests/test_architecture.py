"""The four rings: imports point inwards only (core ← files ← app ← xl/cli), core stays pure,
the doors reach the rest through the use cases, and no lower ring speaks a door's language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "kundenliste_tools"
RING = {"core": 1, "files": 2, "app": 3, "xl": 4, "cli": 4, "server": 4}
DOORS = {"xl", "cli", "server"}
#: What a door may take from the inner rings besides the use cases: names, messages and
#: formatting of results (no reading, no deciding, no writing of workbook files).
PRESENTATION = {"core.model", "core.errors", "core.findings", "core.reasons", "core.book", "core.columns",
                "core.values", "core.marks", "core.ids"}
#: Third-party libraries the pure core must not touch: Excel, files, GUI.
CORE_FORBIDDEN = {"xlwings", "openpyxl", "python_calamine", "msoffcrypto", "pyopenvba", "zipfile", "olefile"}


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        ring = RING.get(rel.parts[0]) if len(rel.parts) > 1 else None
        yield path, rel, ring


def _imports(path: Path, rel: Path) -> set[str]:
    """Absolute dotted names of everything a module imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["kundenliste_tools", *rel.parts[:-1]]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
                names |= {mod} | {f"{mod}.{a.name}" for a in node.names}
            else:
                names.add(node.module or "")
    return names


@pytest.mark.parametrize("path,rel,ring", [m for m in _modules() if m[2]], ids=lambda v: str(v))
def test_imports_point_inwards(path, rel, ring):
    for name in _imports(path, rel):
        parts = name.split(".")
        if parts[0] == "kundenliste_tools" and len(parts) > 1 and parts[1] in RING:
            assert RING[parts[1]] <= ring, f"{rel} (Ring {ring}) importiert {name} (Ring {RING[parts[1]]})"
        if ring == 1:
            assert parts[0] not in CORE_FORBIDDEN, f"{rel}: der Kern importiert {name}"
        if ring == 2:
            assert parts[0] != "xlwings", f"{rel}: die Datei-Schicht importiert xlwings"


def test_no_module_is_huge():
    for path, rel, _ in _modules():
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines < 800, f"{rel} hat {lines} Zeilen: aufteilen"


def _inner(name: str) -> str | None:
    """`kundenliste_tools.core.model.X` → `core.model`; None for names outside the package's rings."""
    parts = name.split(".")
    if parts[0] != "kundenliste_tools" or len(parts) < 3 or parts[1] not in RING:
        return None
    return ".".join(parts[1:3])


@pytest.mark.parametrize("path,rel,ring", [m for m in _modules() if m[1].parts[0] in DOORS], ids=lambda v: str(v))
def test_doors_use_the_app_ring_and_presentation_helpers_only(path, rel, ring):
    for name in _imports(path, rel):
        inner = _inner(name)
        if inner is None or inner.split(".")[0] in DOORS | {"app"}:
            continue
        assert inner in PRESENTATION, f"{rel} (Tür) importiert {name}: über einen Anwendungsfall in app/ gehen"


@pytest.mark.parametrize("path,rel,ring", [m for m in _modules() if m[2] and m[2] <= 3], ids=lambda v: str(v))
def test_no_lower_ring_names_a_command_line_flag(path, rel, ring):
    flags = sorted({flag for text in _messages(path) for flag in FLAG.findall(text)})
    assert not flags, f"{rel} nennt Schalter der Kommandozeile: {', '.join(flags)}"


FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _messages(path: Path) -> list[str]:
    """Every string literal of a module except docstrings: what a user may read."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_door_modules_are_small():
    for path, rel, _ in _modules():
        if rel.parts[0] in DOORS:
            lines = path.read_text(encoding="utf-8").count("\n")
            assert lines < 200, f"{rel} hat {lines} Zeilen: Logik gehört in app/ oder core/"
