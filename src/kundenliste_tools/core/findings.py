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

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Literal, NamedTuple, Sequence, overload

import numpy as np

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


#: What findings share but their cell: (sheet, field, severity, code, message, suggestion).
Kind = tuple[str, str, str, str, str, "str | None"]


class FindingTable(Sequence[Finding]):
    """Findings as columns: per finding only its cell, its row and the number of its kind (what
    the rest of the finding is: sheet, field, severity, code, message, suggestion).

    A messy workbook has 150,000 findings and a few thousand kinds: a `Finding` tuple for each
    (made, sorted, read field by field by the table or the JSON) cost 0.2 s of `pruefen`.  The
    doors that show every finding write them from the columns; whoever iterates or indexes gets
    ordinary `Finding`s, made on the way."""

    __slots__ = ("kinds", "kind", "rows", "cells")

    def __init__(self, kinds: list[Kind], kind: np.ndarray, rows: np.ndarray, cells: list[str]):
        self.kinds = kinds
        self.kind = kind  # int64, index into `kinds`
        self.rows = rows  # int64, Excel row
        self.cells = cells  # A1 reference

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> FindingTable:
        """`findings` as a table (a table as it is)."""
        if isinstance(findings, FindingTable):
            return findings
        found = list(findings)
        index: dict[Kind, int] = {}
        kind = [index.setdefault((f.sheet, f.field, f.severity, f.code, f.message, f.suggestion), len(index))
                for f in found]
        return cls(list(index), np.array(kind, dtype=np.int64),
                   np.array([f.row for f in found], dtype=np.int64), [f.cell for f in found])

    def __len__(self) -> int:
        return len(self.cells)

    def __iter__(self) -> Iterator[Finding]:
        kinds = self.kinds
        for k, cell, row in zip(self.kind.tolist(), self.cells, self.rows.tolist()):
            sheet, field, severity, code, message, suggestion = kinds[k]
            yield Finding(sheet, cell, row, field, severity, code, message, suggestion)  # type: ignore[arg-type]

    @overload
    def __getitem__(self, i: int) -> Finding: ...
    @overload
    def __getitem__(self, i: slice) -> FindingTable: ...

    def __getitem__(self, i: int | slice) -> Finding | FindingTable:
        if isinstance(i, slice):
            return FindingTable(self.kinds, self.kind[i], self.rows[i], self.cells[i])
        sheet, field, severity, code, message, suggestion = self.kinds[int(self.kind[i])]
        return Finding(sheet, self.cells[i], int(self.rows[i]), field, severity, code,  # type: ignore[arg-type]
                       message, suggestion)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, FindingTable)):  # as the list of findings it stands for
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  (mutable columns, like a list)

    def __repr__(self) -> str:
        return f"FindingTable({list(self)!r})"

    def counts(self) -> Counter[int]:
        """How many findings of each kind (index into `kinds`), counted in C."""
        found = np.bincount(self.kind, minlength=len(self.kinds)) if len(self.kind) else np.zeros(0, np.int64)
        return Counter({k: n for k, n in enumerate(found.tolist()) if n})


def code_counts(findings: Iterable[Finding]) -> Counter[str]:
    """How many findings of each code."""
    if isinstance(findings, FindingTable):
        codes: Counter[str] = Counter()
        for k, n in findings.counts().items():
            codes[findings.kinds[k][3]] += n
        return codes
    return Counter(f.code for f in findings)


def count(findings: Sequence[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    if isinstance(findings, FindingTable):
        errors = sum(n for k, n in findings.counts().items() if findings.kinds[k][2] == ERROR)
    else:
        errors = sum(1 for f in findings if f.is_error)
    return errors, len(findings) - errors
