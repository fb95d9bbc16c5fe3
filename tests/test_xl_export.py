"""The "Quartalsexport" button with real xlwings objects (remote engine): the export is written
beside the workbook, the user is told where, and the open workbook is not changed."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

import kundenliste_tools.xl as kl
from kundenliste_tools.core.errors import KundenlisteError
from kundenliste_tools.xl import export
from kundenliste_tools.xl.common import report_errors

from .duebook import customer, entry, grids
from .xlbook import actions, book

TODAY = dt.date(2026, 10, 2)  # latest Stichtag window: 2026-06-29 .. 2026-09-28
CUSTOMERS = [customer("A", "2026-07-05", "neu", VName="Jolanthe", NName="Quastenberg"),
             customer("B", "2026-03-01", "in Beratung")]
ENTRIES = [{**entry("B", "2026-08-10"), "Zusammenfassung": "=HYPERLINK(\"x\") Frau Quastenberg"}]


def test_button_writes_the_export_beside_the_workbook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a remote book's fullname is its bare name: its folder is "."
    b = book(grids(CUSTOMERS, ENTRIES))
    result = export.quartalsexport(b, today=TODAY)
    target = tmp_path / "Quartal_2026-06-29_bis_2026-09-28_anonym.xlsx"
    assert result.path.resolve() == target and target.exists()
    wb = openpyxl.load_workbook(target)
    ids = [c.value for c in wb["Kundenliste"]["A"]]  # `A`, `B` are no IDs: export pseudonyms
    assert ids[0] == "ID" and len(ids) == 3 and all(i.startswith("P-") for i in ids[1:])
    assert wb["KundenDoku"]["D2"].value == "=HYPERLINK(\"x\") Frau [Name]"
    assert wb["KundenDoku"]["D2"].data_type == "s"
    alerts = actions(b, "alert")
    assert len(alerts) == 1 and str(target) in alerts[0]["args"][0]
    assert "2 Kunden, 1 Einträge" in alerts[0]["args"][0]
    assert actions(b, "setValues") == []  # the workbook itself is not written


def test_registered_entry_point(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert kl.ENTRY_POINTS["quartalsexport"] == "export:quartalsexport"
    b = book(grids(CUSTOMERS, ENTRIES))
    kl.quartalsexport(b)  # as the VBA button calls it (today's window)
    assert len(list(tmp_path.glob("Quartal_*_anonym.xlsx"))) == 1
    assert actions(b, "alert")[0]["args"][1] == "Quartalsexport"


def test_errors_become_an_alert_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "~$Quartal_2026-06-29_bis_2026-09-28_anonym.xlsx").write_text("lock")
    b = book(grids(CUSTOMERS, ENTRIES))
    with report_errors(b):
        export.quartalsexport(b, today=TODAY)
    (alert,) = actions(b, "alert")
    assert "geöffnet" in alert["args"][0] and alert["args"][1] == "Kundenliste: Fehler"


def test_online_only_workbook_is_refused():
    class Online:
        fullname = "https://example.sharepoint.com/sites/team/Kundenliste.xlsm"
        name = "Kundenliste.xlsm"

    with pytest.raises(KundenlisteError, match="online"):
        export.folder_of(Online())
