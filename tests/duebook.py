"""Small hand-made workbooks for the overdue tests: customers and entries as dicts.

Builds the raw grids a reader would produce (header row + records) and runs them through
`workbook_from_grids`, so the engine sees exactly what it sees in production.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

from kundenliste_tools.core.book import WorkbookData, workbook_from_grids

KUNDEN_HEADER = ["ID", "Erstkontakt", "Akquise", "Status", "Berater", "VName", "NName", "Strasse",
                 "PLZ", "Stadt", "Telefon", "Email", "Geburtsdatum", "Kundenstatus", "Profillage",
                 "Bereich", "Langzeitbezug", "Elternzeit bis", "Schulpflichtig"]
DOKU_HEADER = ["Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen", "Folgetermin",
               "Kontaktart", "Vermerkart"]


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def customer(id: str, erst: str = "2025-01-01", status: str = "in Beratung", berater: str = "Karin",
             **fields: Any) -> dict[str, Any]:
    row = {"ID": id, "Erstkontakt": erst, "Akquise": "VAMV", "Status": status, "Berater": berater,
           "VName": "Vorname", "NName": f"Name{id}"}
    row.update({k.replace("_", " "): v for k, v in fields.items()})
    return row


def entry(id: str, datum: str, folgetermin: str | None = None, kontaktart: str | None = "persönlich",
          vermerkart: str | None = "Beratungsvermerk", berater: str = "Karin") -> dict[str, Any]:
    return {"Datum": datum, "ID": id, "Berater": berater, "Zusammenfassung": "Gespräch",
            "Vereinbarungen": "", "Folgetermin": folgetermin, "Kontaktart": kontaktart,
            "Vermerkart": vermerkart}


def grids(customers: list[dict[str, Any]], entries: list[dict[str, Any]],
          kunden_header: list[str] | None = None, doku_header: list[str] | None = None,
          **extra: list[list[Any]]) -> dict[str, list[list[Any]]]:
    kh = kunden_header or KUNDEN_HEADER
    dh = doku_header or DOKU_HEADER
    out = {
        "Kundenliste": [kh] + [[c.get(h) for h in kh] for c in customers],
        "KundenDoku": [dh] + [[e.get(h) for h in dh] for e in entries],
    }
    out.update(extra)
    return out


def workbook(customers: list[dict[str, Any]], entries: list[dict[str, Any]] = (), **kw: Any) -> WorkbookData:
    return workbook_from_grids(grids(list(customers), list(entries), **kw), source="test.xlsx")


def outcome(result) -> list[tuple]:
    """The assessment as a flat list `(id, overdue, due, days_overdue, rule, assessable)`."""
    out = []
    for r in result.itertuples(index=False):
        due = None if r.due is None or r.due != r.due else r.due.date().isoformat()
        out.append((r.id, bool(r.overdue), due, int(r.days_overdue), r.rule, bool(r.assessable)))
    return out


def assess_with(name: str, customers, entries=(), stichtag: str = "2026-05-15", **kw):
    """Assess with a built-in rule set; returns (flat outcome, result frame)."""
    from kundenliste_tools.core.overdue import assess
    from kundenliste_tools.files.rulefiles import load_builtin

    data = workbook(customers, entries, **kw)
    result = assess(data, load_builtin(name, data.lists), d(stichtag))
    return outcome(result), result


def reasons(result) -> dict[str, str]:
    return dict(zip(result["id"], result["reason"]))


def write_book(path: Path, sheets: dict) -> Path:
    """The sheets as an .xlsx file written by openpyxl (rows from A1), as a team's tool would."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path
