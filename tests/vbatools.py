"""Reading a built workbook back the way an outsider would: its zip parts and its VBA (oletools)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from oletools.olevba import VBA_Parser

REPO = Path(__file__).resolve().parents[1]
MACROS = REPO / "xl_macros"
COMMITTED = REPO / "workbook" / "Kundenliste.xlsm"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def vba_modules(path: Path) -> dict[str, str]:
    """Module name → source as olevba decompresses it from vbaProject.bin (no Attribute lines)."""
    parser = VBA_Parser(str(path))
    try:
        out = {}
        for _file, _stream, vba_filename, code in parser.extract_macros():
            name = vba_filename.rsplit(".", 1)[0]
            if isinstance(code, bytes):
                code = code.decode("cp1252")
            lines = code.replace("\r\n", "\n").split("\n")
            out[name] = "\n".join(line for line in lines if not line.startswith("Attribute VB_")).strip("\n")
        return out
    finally:
        parser.close()


def without_comments(vba: str) -> str:
    """VBA with comments removed (a `'` outside a string literal starts one)."""
    out = []
    for line in vba.split("\n"):
        in_string, cut = False, len(line)
        for i, ch in enumerate(line):
            if ch == '"':
                in_string = not in_string
            elif ch == "'" and not in_string:
                cut = i
                break
        out.append(line[:cut])
    return "\n".join(out)


_RUNPYTHON = re.compile(r'\bRunPython\s+"((?:[^"\n]|"")*)"', re.IGNORECASE)


def runpython_commands(vba: str) -> list[str]:
    """The literal Python commands a module hands to RunPython (comments ignored)."""
    return [m.group(1).replace('""', '"') for m in _RUNPYTHON.finditer(without_comments(vba))]


def procedures(vba: str) -> dict[str, tuple[str, str]]:
    """Procedure name → (scope, parameter list) of every Sub/Function in a module."""
    found = {}
    for m in re.finditer(r"^\s*(Public\s+|Private\s+)?(Sub|Function)\s+(\w+)\s*\(([^)]*)\)",
                         without_comments(vba), re.MULTILINE | re.IGNORECASE):
        found[m.group(3)] = ((m.group(1) or "Public").strip(), m.group(4).strip())
    return found
