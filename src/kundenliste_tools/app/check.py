"""Use case "Prüfen": every field of the workbook checked, the findings and their summary.

The command line prints them, the Excel button and the on-save hook mark the cells and write
the Prüfbericht; both get the same `CheckResult` from here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..core.records import REASONS

if TYPE_CHECKING:  # the checks are imported when they run (or by `prepare_checks`, meanwhile)
    from ..core.book import KundenPart, WorkbookData
    from ..core.findings import FindingTable
    from ..core.records import Skipped
    from ..core.validation import KundenChecks

#: The German text of each reason a row is not a record (`summary["skipped_reasons"]` keys).
SKIPPED_REASONS: dict[str, str] = dict(REASONS)

#: From this many rows on, a check says what it is doing before it starts.
LONG_RUN_ROWS = 50_000


@dataclass
class CheckResult:
    """The findings (sorted by sheet, row, column; a sequence of `Finding`s kept as columns)
    and the summary of `pruefen --json`."""

    findings: FindingTable
    summary: dict[str, Any]
    skipped: list[Skipped] = field(default_factory=list)  # non-empty rows that are not records

    @property
    def errors(self) -> int:
        """Number of findings of severity error."""
        return int(self.summary["errors"])

    @property
    def warnings(self) -> int:
        """Number of findings of severity warning."""
        return int(self.summary["warnings"])


def check(
    data: WorkbookData, today: dt.date | None = None, progress: Callable[[str], None] | None = None,
    first: KundenChecks | None = None,
) -> CheckResult:
    """Validate every field of `data`; `today` for the future-date checks (default: today);
    `first`: the Kundenliste's checks made while the file was read (`check_file`)."""
    if progress and len(data.doku) + len(data.kunden) > LONG_RUN_ROWS:
        progress(f"Prüfe {len(data.kunden)} Kunden und {len(data.doku)} Einträge …")
    from ..core.validation import summarize, validate

    findings = validate(data, today=today, first=first)
    return CheckResult(findings, summarize(findings, data), list(data.skipped))


def check_file(path: str | Path, password: str | None = None, today: dt.date | None = None,
               progress: Callable[[str], None] | None = None) -> CheckResult:
    """Read the workbook file and validate every field.

    The Kundenliste is checked as soon as it is read, while the KundenDoku, the longest part
    of the read, is still parsed on the other core; then the rest.  The result is the one
    `check(open_workbook(path))` gives."""
    from .workbook import open_workbook_ahead

    day = today or dt.date.today()

    def kunden_first(part: KundenPart) -> KundenChecks:
        from ..core.validation import check_kunden

        return check_kunden(part.kunden, part.layout, part.lists, day)

    data, first = open_workbook_ahead(path, password, prepare_checks, kunden_first)
    return check(data, day, progress, first)


def prepare_checks() -> None:
    """Load the checks' imports and tables (libphonenumber's plan for Germany, e-mail rules);
    run while calamine parses (`open_workbook(..., meanwhile=prepare_checks)`)."""
    from ..core import validation  # noqa: F401
    from ..core.value_checks import prepare

    prepare()
