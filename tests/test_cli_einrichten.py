"""`kundenliste einrichten` on a copy of the built workbook: only the configuration cells change.

Lossless as for `ids`: every zip entry but the edited sheets' XML stays byte for byte (the VBA
project, the ribbon, the buttons), every other cell keeps its value, and a dated backup holds
the previous file.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from kundenliste_tools.app.connect import connect
from kundenliste_tools.cli import main
from kundenliste_tools.core import model
from kundenliste_tools.files import package
from kundenliste_tools.files.template import INTERPRETER_MAC, write_workbook

from .userbook import all_values, raw_entries
from .vbatools import vba_modules

XLWINGS_CONF = "xlwings.conf"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return write_workbook(tmp_path_factory.mktemp("built") / "Kundenliste.xlsm")


@pytest.fixture()
def book(tmp_path, built) -> Path:
    copy = tmp_path / "Kundenliste.xlsm"
    copy.write_bytes(built.read_bytes())
    return copy


def _part(path: Path, sheet: str) -> str:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return package.sheet_parts({n: z.read(n) for n in z.namelist()})[sheet]


def _setting(values: dict, key: str):
    return next(r[1] for r in values[model.EINSTELLUNGEN] if model.normalize_key(r[0]) == model.normalize_key(key))


def _changes(before: dict, after: dict) -> dict[str, dict[tuple[int, int], tuple]]:
    """Every cell whose value changed, per sheet: (row, column) 1-based → (before, after)."""
    out: dict[str, dict[tuple[int, int], tuple]] = {}
    for sheet in before.keys() | after.keys():
        a, b = before.get(sheet, []), after.get(sheet, [])
        for r in range(max(len(a), len(b))):
            ra, rb = (a[r] if r < len(a) else []), (b[r] if r < len(b) else [])
            for c in range(max(len(ra), len(rb))):
                va, vb = (ra[c] if c < len(ra) else ""), (rb[c] if c < len(rb) else "")
                if va != vb:
                    out.setdefault(sheet, {})[(r + 1, c + 1)] = (va, vb)
    return out


def test_einrichten_writes_this_python_and_changes_nothing_else(book):
    before_raw, before = raw_entries(book), all_values(book)
    modules = vba_modules(book)
    code, out, err = run("einrichten", str(book))
    assert code == 0, err
    after_raw, after = raw_entries(book), all_values(book)
    # B2 of xlwings.conf is Interpreter_Mac (the template's second key) on a system that is not Windows
    assert _changes(before, after) == {XLWINGS_CONF: {(2, 2): (INTERPRETER_MAC, sys.executable)}}
    changed = {n for n in before_raw if after_raw[n] != before_raw[n]}
    assert changed == {_part(book, XLWINGS_CONF)}  # not even the Einstellungen: the server was not set
    assert set(after_raw) == set(before_raw)
    assert vba_modules(book) == modules and after_raw["xl/vbaProject.bin"] == before_raw["xl/vbaProject.bin"]
    assert sys.executable in out
    (backup,) = [p for p in book.parent.iterdir() if ".bak." in p.name]
    assert raw_entries(backup) == before_raw and str(backup) in out
    # a second run finds nothing to do and writes nothing
    code, out, _ = run("einrichten", str(book))
    assert code == 0 and "nicht geändert" in out and raw_entries(book) == after_raw


def test_einrichten_with_a_server_writes_address_and_token_into_the_settings(book):
    before_raw, before = raw_entries(book), all_values(book)
    code, out, err = run("einrichten", str(book), "--server", "https://kundenliste.example.org/", "--token", "t0k3n-x")
    assert code == 0, err
    after_raw, after = raw_entries(book), all_values(book)
    rows = {model.normalize_key(r[0]): i for i, r in enumerate(before[model.EINSTELLUNGEN], start=1) if r[0]}
    assert _changes(before, after) == {
        model.EINSTELLUNGEN: {
            (rows["server"], 2): ("", "https://kundenliste.example.org"),
            (rows["servertoken"], 2): ("", "t0k3n-x"),
        }
    }
    assert {n for n in before_raw if after_raw[n] != before_raw[n]} == {_part(book, model.EINSTELLUNGEN)}
    assert "t0k3n-x" not in out  # the token is not printed
    # back to this Python: the server is cleared (the two never compete), the interpreter written
    code, out, err = run("einrichten", str(book), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["written"][model.EINSTELLUNGEN] == {"Server": None, "Server-Token": None}
    values = all_values(book)
    assert _setting(values, "Server") == "" and _setting(values, "Server-Token") == ""
    assert values[XLWINGS_CONF][1][1] == sys.executable


def test_a_workbook_without_the_keys_gets_them_below_its_own(tmp_path):
    """A team's own workbook with an older Einstellungen sheet and no xlwings.conf sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Kundenliste"
    settings = wb.create_sheet("Einstellungen")
    for row in (["Einstellung", "Wert"], ["Regelwerk", "ba-2010"], [None, None], ["Notiz", "bleibt"]):
        settings.append(row)
    path = tmp_path / "Alt.xlsx"
    wb.save(path)
    result = connect(path, server="http://127.0.0.1:8000", token="abc123")
    values = all_values(path)
    assert values["Einstellungen"][2][:2] == ["Server", "http://127.0.0.1:8000"]  # the first empty row
    assert values["Einstellungen"][3][:2] == ["Notiz", "bleibt"]
    assert values["Einstellungen"][4][:2] == ["Server-Token", "abc123"]
    assert result.written == {"Einstellungen": {"Server": "http://127.0.0.1:8000", "Server-Token": "abc123"}}
    connect(path, python="/opt/py/bin/python", platform="win32")
    values = all_values(path)
    assert values[XLWINGS_CONF][0][:2] == ["Interpreter_Win", "/opt/py/bin/python"]  # the sheet was created


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--server", "https://kundenliste.example.org"], "--token: Der Team-Server verlangt ein Token"),
        (["--server", "http://kundenliste.example.org", "--token", "x"], "--server: Der Server muss über https"),
        (["--server", "kundenliste", "--token", "x"], "--server: „kundenliste“ ist keine Serveradresse"),
        (["--token", "x"], "--token: Ein Token gehört zu einem Server"),
    ],
)
def test_wrong_server_settings_are_refused_and_nothing_is_written(book, argv, message):
    before = raw_entries(book)
    code, _, err = run("einrichten", str(book), *argv)
    assert code == 2 and message in err
    assert raw_entries(book) == before
    assert not [p for p in book.parent.iterdir() if ".bak." in p.name]


def test_refused_while_open_in_excel(book):
    (book.parent / f"~${book.name}").write_text("lock")
    code, _, err = run("einrichten", str(book))
    assert code == 2 and "geöffnet" in err
