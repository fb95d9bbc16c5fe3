"""The writer's erase options (issue 17): no backup, and shared strings that only the overwritten
cells used are emptied, while a string another cell still uses stays."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import xlsxwriter

from kundenliste_tools.files.patch import patch_workbook

from .userbook import all_values, raw_entries


def book(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))  # shared strings, as Excel writes them
    ws = wb.add_worksheet("Kundenliste")
    for r, row in enumerate([["NName", "Stadt"], ["Muster", "Leipzig"], ["Probe", "Leipzig"]]):
        ws.write_row(r, 0, row)
    wb.add_worksheet("Notizen").write("A1", "Muster")  # the same string on another sheet
    wb.close()
    return path


def items(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        return re.findall(rb"<si>(.*?)</si>", zf.read("xl/sharedStrings.xml"))


def test_only_strings_no_cell_uses_any_more_are_emptied_and_no_backup(tmp_path: Path) -> None:
    path = book(tmp_path / "Kundenliste.xlsx")
    before_items, before_raw = items(path), raw_entries(path)
    assert before_items == [b"<t>NName</t>", b"<t>Stadt</t>", b"<t>Muster</t>", b"<t>Leipzig</t>", b"<t>Probe</t>"]
    result = patch_workbook(path, cells={"Kundenliste": {"A2": None, "B2": None, "A3": None}}, backup=False,
                            forget_strings=True)
    assert result.backup is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Kundenliste.xlsx"]  # no backup, no temp file
    # Muster: still used on Notizen!A1; Leipzig: still B3's; Probe: used by A3 only → emptied
    assert items(path) == [b"<t>NName</t>", b"<t>Stadt</t>", b"<t>Muster</t>", b"<t>Leipzig</t>", b"<t/>"]
    assert all_values(path) == {"Kundenliste": [["NName", "Stadt"], ["", ""], ["", "Leipzig"]],
                                "Notizen": [["Muster"]]}
    after_raw = raw_entries(path)
    assert {n for n in before_raw if before_raw[n] != after_raw[n]} == {"xl/worksheets/sheet1.xml",
                                                                        "xl/sharedStrings.xml"}


def test_without_the_options_the_shared_strings_stay_and_a_backup_is_made(tmp_path: Path) -> None:
    path = book(tmp_path / "Kundenliste.xlsx")
    before_items = items(path)
    result = patch_workbook(path, cells={"Kundenliste": {"A3": None}})
    assert result.backup is not None and result.backup.exists()
    assert items(path) == before_items
