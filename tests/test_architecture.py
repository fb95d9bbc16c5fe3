"""The three rings: imports point inwards only (core ← files ← xl/cli), core stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "kundenliste_tools"
RING = {"core": 1, "files": 2, "xl": 3, "cli": 3}
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
