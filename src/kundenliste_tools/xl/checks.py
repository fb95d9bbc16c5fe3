"""The Excel door of the validation: the "Prüfen" button and the check on save.

Both read the open workbook (one range read per sheet), run `core.validation.validate`, and
then show the findings where a counsellor looks:

* each flagged cell gets a fill colour (light red for an error, light yellow for a warning)
  and a cell note with the message(s) — Excel's "Notiz", the yellow box on hover;
* the sheet `Prüfbericht` lists every finding with a link to its cell.  Its layout is an
  interface with the workbook's VBA, which reads B1 after the on-save run:
  A1 "Fehler"/B1 count, A2 "Warnungen"/B2 count, A3 "Geprüft am"/B3 time as text,
  row 5 the header, findings from row 6.

The marks (`xl.marks`) and the report (`xl.report`) are written by their own modules; this one
holds the entry points.  The save is never blocked or lost here: `on_save` catches everything
and only reports on the status bar (the VBA decides about blocking, from B1, when the team has
switched that on).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from ..app.check import check, prepare_checks
from ..app.workbook import collector_paused
from ..core.book import WorkbookData
from ..core.findings import Finding
from ..core.marks import summary_text
from ..core.values import janein
from .common import status, tell, workbook_data
from .marks import update_marks
from .report import write_report

# --------------------------------------------------------------------------- entry points


def pruefen(book: Any, today: dt.date | None = None) -> Sequence[Finding]:
    """The "Prüfen" button: check, mark, report, and say what was found."""
    with collector_paused():
        findings = check_book(book, today=today)
    tell(book, summary_text(findings))
    return findings


def on_save(book: Any, today: dt.date | None = None) -> Sequence[Finding] | None:
    """Workbook_BeforeSave: the same check, reported on the status bar; never raises.

    Does nothing when the setting "Beim Speichern prüfen" is "nein".  When the check cannot
    run (a missing column, anything unexpected) the status bar says so and the Prüfbericht is
    left alone: the VBA has emptied B1 beforehand, so nothing blocks the save.
    """
    try:
        with collector_paused():  # see there: a full collection costs as much as the check
            data = workbook_data(book)
            if janein(data.setting("Beim Speichern prüfen")) == "nein":  # blank or unclear: check
                return None
            findings = check_book(book, data=data, today=today)
        status(book, "Kundenliste: " + summary_text(findings))
        return findings
    except Exception as exc:  # the save must go on whatever happens here
        status(
            book,
            f"Kundenliste: Die Prüfung beim Speichern war nicht möglich ({exc}). Die Datei wird trotzdem gespeichert.",
        )
        return None


def on_autosave(book: Any, today: dt.date | None = None) -> Sequence[Finding] | None:
    """An automatic save (AutoSave on OneDrive/SharePoint): the check, on the status bar only.

    No cell is touched: no marks, no Prüfbericht (rewriting cells every few seconds would empty
    the user's Undo list, and the VBA never cancels an automatic save anyway).  Never raises.
    """
    try:
        with collector_paused():
            data = workbook_data(book)
            findings = check(data, today=today).findings
        status(book, f"Kundenliste: {summary_text(findings)} Markiert wird beim Speichern mit Strg+S "
                     "oder mit dem Knopf „Prüfen“.")
        return findings
    except Exception:  # a quiet check stays quiet
        return None


def warm_up(book: Any) -> None:
    """Workbook_Open: load what the first save and the formulas need while the user looks at
    the workbook (the UDF server keeps it), so neither waits for the imports later."""
    prepare_checks()
    from ..app import due  # noqa: F401 - pandas and the rule engine, for the formulas
    status(book, None)


def check_book(
    book: Any, data: WorkbookData | None = None, today: dt.date | None = None, now: dt.datetime | None = None
) -> Sequence[Finding]:
    """Validate the open workbook, update the cell marks and rewrite the Prüfbericht."""
    data = data if data is not None else workbook_data(book)
    findings = check(data, today=today).findings
    capped = update_marks(book, findings)
    write_report(book, findings, now=now, capped=capped)
    return findings
