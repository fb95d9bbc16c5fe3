"""A finding of the validation: one problem at one cell, as plain data.

Every door shows the same findings (the CLI as a table or JSON, Excel as marked cells and the
`Prüfbericht` sheet), so a finding carries everything a door needs and nothing a door must
compute: where it is (sheet, A1 cell, Excel row, field), how bad it is, a stable kebab-case
code that programs and tests rely on, the German message a counsellor reads, and optionally
the value we would put in the cell instead.

Like frictionless' error catalogue, each code is declared once as a `FindingType` with its
severity and a German message template; a finding is made by filling the template, so two
findings with the same code always read alike and the catalogue doubles as documentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"

#: How a severity is spelled for a counsellor.
SEVERITY_DE: dict[str, str] = {ERROR: "Fehler", WARNING: "Warnung"}


class Finding(NamedTuple):
    """One problem at one cell.  A named tuple, not a dataclass: a messy workbook has 100,000+
    findings, and a tuple is made four times faster (immutable and comparable all the same)."""

    sheet: str  # the sheet's name in the workbook (what the user sees, what a link needs)
    cell: str  # A1 reference, e.g. "B7"
    row: int  # Excel row number (1 = header)
    field: str  # canonical field name, e.g. "Erstkontakt"
    severity: Severity
    code: str  # kebab-case, stable (listed in `core.validation`)
    message: str  # German, for the counsellor
    suggestion: str | None = None  # the value we would write instead, if we know one

    @property
    def is_error(self) -> bool:
        """Whether the finding is an error (not a warning)."""
        return self.severity == ERROR

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of SPEC §8 (`kundenliste pruefen --json`)."""
        return {"sheet": self.sheet, "cell": self.cell, "row": self.row, "field": self.field,
                "severity": self.severity, "code": self.code, "message": self.message,
                "suggestion": self.suggestion}


@dataclass(frozen=True)
class FindingType:
    """A code of the catalogue: its severity, a short German title and a message template.

    The template is a `str.format` string; its fields (e.g. ``{value}``) are given when the
    finding is made.  `title` names the kind of problem in overviews (JSON summary, docs).
    """

    code: str
    severity: Severity
    title: str
    template: str

    def make(self, sheet: str, cell: str, row: int, field: str, suggestion: str | None = None,
             **params: Any) -> Finding:
        """A finding of this type at one cell, its message filled from `params`."""
        return Finding(sheet, cell, row, field, self.severity, self.code,
                       self.template.format(field=field, suggestion=suggestion, **params),
                       suggestion)


def count(findings: list[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(1 for f in findings if f.is_error)
    return errors, len(findings) - errors
