"""Use case "Quartalsexport": the anonymised export of one period, written as an .xlsx file.

One sequence for every door: resolve the period (a calendar quarter, a Stichtag window, or the
latest window by default), load the rule set, assess overdue contacts at the period's end,
scrub, build the export, and write it (the target's folder may be given instead of a file).
The workbook itself is only read.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..core.errors import InvalidInput
from ..core.periods import Period
from ..files.firstnames import first_names

if TYPE_CHECKING:  # pandas and the export's modules come when an export is made (`quarter`),
    # so that a door can name this use case before the reader has started calamine's parse
    from ..core.book import KundenPart, WorkbookData
    from ..core.quarterly import QuarterlyExport, Table
    from ..core.scrub import Scrubber


@dataclass
class QuarterResult:
    """Where the export went and what it holds (counts, k, replaced IDs: `export.info`)."""

    path: Path
    export: QuarterlyExport
    regelwerk: str
    period: Period
    coarse: bool = False

    @property
    def customers(self) -> int:
        """Customers in the export's Kundenliste."""
        return int(dict(self.export.info)["Kunden im Export"])

    @property
    def entries(self) -> int:
        """Entries in the export's KundenDoku."""
        return int(dict(self.export.info)["Einträge im Export (KundenDoku)"])

    def summary(self) -> dict[str, Any]:
        """Plain data for programs (the JSON of `quartal`)."""
        p = self.period
        return {
            "datei": str(self.path),
            "zeitraum": {"art": p.kind, "bezeichnung": p.label, "von": p.start.isoformat(), "bis": p.end.isoformat()},
            "kunden": self.customers,
            "eintraege": self.entries,
            "regelwerk": self.regelwerk,
            "ersetzt": self.export.scrubbed,
            "ids_pseudonymisiert": self.export.ids_replaced,
            "k": self.export.k,
            "erstkontakt": "Monat" if self.coarse else "Tag",
            "tabellen": [table_data(t) for t in self.export.tables],
        }


def table_data(table: Table) -> dict[str, Any]:
    """One Auswertung table as plain data: the same rows and values the file holds (shares as
    fractions, dates ISO, empty cells None), so an analyst can script them."""
    frame = table.frame
    return {
        "schluessel": table.key,
        "titel": table.title,
        "spalten": [str(c) for c in frame.columns],
        "zeilen": [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    }


def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and value != value):  # NaN, NaT
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def default_name(period: Period) -> str:
    """`Quartal_2026-Q3_anonym.xlsx` / `Quartal_2026-06-29_bis_2026-09-28_anonym.xlsx`."""
    return f"Quartal_{period.label}_anonym.xlsx"


def documents_folder() -> Path:
    """The user's Documents folder (Windows and macOS: `~/Documents`; else the home folder):
    where an export goes when the workbook has no folder on this computer (opened online)."""
    home = Path.home()
    documents = home / "Documents"
    return documents if documents.is_dir() else home


def prepare_quarter() -> None:
    """Load what an export needs besides the workbook: its modules (the core's quarter,
    outcomes and scrubber, the export writer with openpyxl) and the first-name list (0.25–0.45 s
    together); run while calamine parses (`open_workbook(meanwhile=)`).  The scrubber itself is
    built by `quarter_file` once the Kundenliste is read."""
    from ..core import outcomes, quarterly, scrub  # noqa: F401
    from ..files import export, rulefiles  # noqa: F401

    first_names()


def target(period: Period, out: str | Path | None, folder: str | Path | None, source: str | Path | None) -> Path:
    """The export file: `out` (a folder: its usual name in it), else in `folder`, else beside `source`."""
    if out:
        path = Path(out)
        return path / default_name(period) if path.is_dir() else path
    if folder is not None:
        return Path(folder) / default_name(period)
    if source is None:
        raise InvalidInput("out", "Wohin soll der Export? Bitte eine Zieldatei oder einen Ordner angeben.")
    return Path(source).with_name(default_name(period))


def quarter(
    data: WorkbookData,
    period: Period,
    *,
    out: str | Path | None = None,
    folder: str | Path | None = None,
    source: str | Path | None = None,
    regelwerk: str | None = None,
    coarse: bool = False,
    progress: Callable[[str], None] | None = None,
    scrubber: tuple[Any, Scrubber] | None = None,
) -> QuarterResult:
    """Build and write the anonymised export of `period`.

    `source` is the workbook's own path: the export refuses to overwrite it.  The pseudonyms
    of IDs that are no IDs use the workbook's export key (a workbook without one gets a key for
    this export only; core/pseudonym.py).  `coarse` writes Erstkontakt as its month.
    `scrubber`: (the Kundenliste it was built from, the scrubber), made while the workbook was
    read (`quarter_file`); used only when that Kundenliste is `data.kunden` itself, else the
    scrubber is built here.
    """
    from ..core.outcomes import trend_assessments
    from ..core.quarterly import build_export, prepare
    from ..core.scrub import build_scrubber
    from ..files.export import write_export
    from ..files.rulefiles import load_ruleset

    path = target(period, out, folder, source)
    if source is not None and _same_file(path, Path(source)):
        raise InvalidInput(
            "out",
            f"Der Export darf die Arbeitsmappe selbst nicht überschreiben („{path.name}“); "
            "bitte einen anderen Dateinamen angeben.",
        )
    if progress:
        progress(
            f"Exportiere {period.description}: {len(data.kunden)} Kunden, {len(data.doku)} Einträge "
            "werden anonymisiert …"
        )
    rules = load_ruleset(regelwerk, data)
    prepared = prepare(data)
    # the workbook as it stood at the period's end (and at each earlier quarter's end)
    trend = trend_assessments(data, period, prepared, rules, sentences=False)  # the export counts verdicts
    assessment = trend[period.end]
    used = scrubber[1] if scrubber is not None and scrubber[0] is data.kunden else build_scrubber(
        data.kunden, first_names())
    export = build_export(
        data,
        period,
        assessment,
        rules.name,
        scrubber=used,
        prepared=prepared,
        key=data.export_key,
        stable_key=bool(data.export_key),
        coarse=coarse,
        trend=trend,
    )
    write_export(export, path)
    return QuarterResult(path, export, rules.name, period, coarse)


def quarter_file(
    path: str | Path,
    period: Period,
    *,
    password: str | None = None,
    out: str | Path | None = None,
    regelwerk: str | None = None,
    coarse: bool = False,
    progress: Callable[[str], None] | None = None,
) -> QuarterResult:
    """Read the workbook file and write the anonymised export of `period` beside it (or to `out`).

    The export's modules and the first-name list are loaded while calamine parses, and the
    scrubber (every customer's names, streets, phone numbers …, 0.3–0.45 s at 30,000
    customers) is built from the Kundenliste as soon as it is read, while the KundenDoku is
    still parsed.  The export is the one `quarter(open_workbook(path), …)` writes."""
    from .workbook import open_workbook_ahead

    def scrubber_first(part: KundenPart) -> Scrubber:
        from ..core.scrub import build_scrubber, release_tables

        built = build_scrubber(part.kunden, first_names())
        release_tables()  # not at the read's peak: they are grown again for the scrub
        return built

    data, scrubber = open_workbook_ahead(path, password, prepare_quarter, scrubber_first)
    return quarter(data, period, out=out, source=Path(path), regelwerk=regelwerk, coarse=coarse,
                   progress=progress, scrubber=(data.kunden, scrubber) if scrubber is not None else None)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False
