"""The "Quartalsexport" button with real xlwings objects (remote engine): the export is written
beside the workbook (for a workbook opened from OneDrive/SharePoint: in its synced folder, else
in Documents), the user is told where, and the open workbook is not changed."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from xlwings.utils import fullname_url_to_local_path

import kundenliste_tools.xl as kl
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


ONEDRIVE_URL = "https://d.docs.live.net/4f1c2a9b7e3d5a60/Beratung/Kundenliste.xlsm"
EXPORT_NAME = "Quartal_2026-06-29_bis_2026-09-28_anonym.xlsx"


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """A user's home with a Documents folder, no OneDrive settings of xlwings, no synced folder."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    for var in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # "." must not be where the export lands
    fullname_url_to_local_path.cache_clear()  # xlwings caches its mapping per address (per Excel session)
    return home


def _said(b) -> str:
    (alert,) = actions(b, "alert")
    return alert["args"][0]


def test_an_online_workbook_exports_into_its_synced_onedrive_folder(home, monkeypatch):
    """AutoSave on OneDrive: `fullname` is an https address; the synced copy's folder is found."""
    synced = home / "OneDrive"
    (synced / "Beratung").mkdir(parents=True)
    (synced / "Beratung" / "Kundenliste.xlsm").write_bytes(b"")  # the synced copy of the workbook
    monkeypatch.setenv("OneDrive", str(synced))
    b = book(grids(CUSTOMERS, ENTRIES), name=ONEDRIVE_URL)
    assert b.fullname == ONEDRIVE_URL
    result = export.quartalsexport(b, today=TODAY)
    target = synced / "Beratung" / EXPORT_NAME
    assert result.path == target and target.is_file()
    said = _said(b)
    assert str(target) in said and "synchronisierten Ordner" in said
    assert openpyxl.load_workbook(target)["Kundenliste"]["A1"].value == "ID"


def test_an_online_workbook_without_a_synced_folder_exports_into_documents_and_says_so(home):
    b = book(grids(CUSTOMERS, ENTRIES), name=ONEDRIVE_URL)
    with report_errors(b):  # as the button runs it: no error
        export.quartalsexport(b, today=TODAY)
    target = home / "Documents" / EXPORT_NAME
    assert target.is_file()
    said = _said(b)
    assert str(target) in said and "Dokumente" in said and "online" in said


def test_sharepoint_addresses_are_mapped_or_fall_back_too(home):
    class Online:
        fullname = "https://example.sharepoint.com/sites/team/Shared Documents/Kundenliste.xlsm"
        name = "Kundenliste.xlsm"

    folder, note = export.folder_of(Online())
    assert folder == home / "Documents" and "Dokumente" in note


def test_windows_xlwings_raising_for_an_unmapped_address_is_an_online_workbook(home):
    class Unmapped:
        name = "Kundenliste.xlsm"

        @property
        def fullname(self):
            raise RuntimeError("Couldn't find your local OneDrive file")  # xlwings' XlwingsError on Windows

    assert export.folder_of(Unmapped())[0] == home / "Documents"
