"""Which cells the validation marks, and how: the tool's own marks, planned without Excel.

The Excel door (`xl.checks`) reads what each cell shows now (fill, note), asks `plan_marks`
what to change, and applies the plan.  Keeping the decision here makes the rule "a user's
own colours and notes are never touched" testable without any spreadsheet program.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from . import model
from .book import column_index, column_letter
from .findings import ERROR, SEVERITY_DE, Finding, count

#: Fill colours of the tool's marks (Excel's own "Schlecht" and "Neutral" cell styles).
TOOL_COLORS: dict[str, str] = {"error": "#ffc7ce", "warning": "#ffeb9c"}
#: First line of every note the tool writes; how the tool knows its notes from the user's.
NOTE_PREFIX = "Kundenliste-Prüfung:"
#: Hidden sheet listing the cells the tool marked (sheet, cell, colour set, note added).
MARKS_SHEET = "Prüfmarken"
MARKS_HEADER = ["Blatt", "Zelle", "Farbe", "Notiz"]
#: At most this many cells are marked (each mark costs Excel calls); the report lists all.
MAX_MARKS = 1000

#: Cell key: (sheet name as in the workbook, A1 address without `$`).
Key = tuple[str, str]


@dataclass(frozen=True)
class Mark:
    """What the tool did to a cell: the colour it set ("" = none) and whether it added the note."""

    color: str = ""
    note: bool = False


@dataclass(frozen=True)
class Want:
    """What a flagged cell should show: the worst severity and the note text."""

    severity: str
    text: str


@dataclass
class Plan:
    colors: dict[Key, str | None] = field(default_factory=dict)  # None = remove the fill
    add_notes: dict[Key, str] = field(default_factory=dict)
    set_notes: dict[Key, str] = field(default_factory=dict)
    delete_notes: set[Key] = field(default_factory=set)
    marks: dict[Key, Mark] = field(default_factory=dict)  # the new list of the tool's marks


def plan_marks(
    previous: dict[Key, Mark], wanted: dict[Key, Want], colors: dict[Key, str | None], notes: dict[Key, str]
) -> Plan:
    """Decide every colour and note change; nothing here touches Excel.

    `colors[key]`: the cell's fill now (`#rrggbb` lower case, or None for no fill).
    `notes[key]`: "none", "ours" (text starts with `NOTE_PREFIX`) or "user".
    Both cover every key of `previous` and `wanted`; the adapter resolves what an engine
    cannot read (see the module docstring) before calling this.
    """
    tool = set(TOOL_COLORS.values())
    plan = Plan()
    for key, want in wanted.items():
        target = TOOL_COLORS[want.severity]
        now = colors.get(key)
        color = ""
        if now is None or now in tool:
            if now != target:
                plan.colors[key] = target
            color = target
        note = notes.get(key, "none")
        noted = False
        if note == "none":
            plan.add_notes[key] = want.text
            noted = True
        elif note == "ours":
            plan.set_notes[key] = want.text
            noted = True
        plan.marks[key] = Mark(color, noted)
    for key, mark in previous.items():
        if key in wanted:
            continue
        if mark.color and colors.get(key) in tool:
            plan.colors[key] = None
        if notes.get(key) == "ours":
            plan.delete_notes.add(key)
    return plan


def wanted_marks(findings: Iterable[Finding], limit: int = MAX_MARKS) -> tuple[dict[Key, Want], bool]:
    """One mark per flagged cell (several findings share it); the first `limit` cells."""
    messages: dict[Key, list[Finding]] = {}
    capped = False
    for f in findings:
        key = (f.sheet, f.cell)
        if key not in messages and len(messages) >= limit:
            capped = True
            continue
        messages.setdefault(key, []).append(f)
    wanted = {}
    for key, group in messages.items():
        severity = ERROR if any(f.is_error for f in group) else "warning"
        lines = [NOTE_PREFIX] + [
            f"{SEVERITY_DE[f.severity]}: {f.message}"
            + (f" Vorschlag: {f.suggestion}" if f.suggestion and f.suggestion not in f.message else "")
            for f in group
        ]
        wanted[key] = Want(severity, "\n".join(lines))
    return wanted, capped


def summary_text(findings: Sequence[Finding]) -> str:
    """One German sentence on what the check found, for the alert and the status bar."""
    errors, warnings = count(findings)
    if not findings:
        return "Prüfung: keine Fehler und keine Warnungen."
    return (
        f"Prüfung: {errors} Fehler, {warnings} Warnung{'en' if warnings != 1 else ''}. "
        f"Die Zellen sind markiert; alle Befunde stehen im Blatt „{model.PRUEFBERICHT}“."
    )


#: xlwings sends at most this many cells in one call.
MAX_BLOCK_CELLS = 10_000


def color_blocks(colors: dict[Key, str | None]) -> list[tuple[str, str, list[list[Any]]]]:
    """(sheet, A1 range, matrix) per `set_colors` call; `...` in the matrix keeps a cell's fill.

    Few calls: marks close together go in one box per sheet; marks scattered over a long sheet
    go per column in clusters of nearby rows, so no call carries thousands of untouched cells.
    No call exceeds `MAX_BLOCK_CELLS`.
    """
    by_sheet: dict[str, dict[tuple[int, int], str | None]] = {}
    for (sheet, cell), color in colors.items():
        col, row = _split(cell)
        by_sheet.setdefault(sheet, {})[(row, col)] = color
    out: list[tuple[str, str, list[list[Any]]]] = []
    for sheet, cells in by_sheet.items():
        rows = [r for r, _ in cells]
        cols = [c for _, c in cells]
        box = (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1)
        if box <= max(1000, 4 * len(cells)):
            blocks = [(min(cols), max(cols), sorted(set(rows)))]
        else:
            blocks = []
            for col in sorted(set(cols)):
                run: list[int] = []
                for r in sorted(r for r, c in cells if c == col):
                    if run and r - run[-1] > 10:
                        blocks.append((col, col, run))
                        run = []
                    run.append(r)
                blocks.append((col, col, run))
        for first_col, last_col, block_rows in blocks:
            out += [
                (sheet, address, matrix) for address, matrix in _split_block(cells, first_col, last_col, block_rows)
            ]
    return out


def _split_block(
    cells: dict[tuple[int, int], str | None], first_col: int, last_col: int, rows: list[int]
) -> list[tuple[str, list[list[Any]]]]:
    width = last_col - first_col + 1
    out = []
    i = 0
    while i < len(rows):
        top = rows[i]
        while i + 1 < len(rows) and (rows[i + 1] - top + 1) * width <= MAX_BLOCK_CELLS:
            i += 1
        bottom = rows[i]
        i += 1
        matrix = [[cells.get((r, c), ...) for c in range(first_col, last_col + 1)] for r in range(top, bottom + 1)]
        out.append((f"{column_letter(first_col)}{top}:{column_letter(last_col)}{bottom}", matrix))
    return out


def _split(cell: str) -> tuple[int, int]:
    """`AB12` → (27, 12): 0-based column, Excel row."""
    letters = "".join(ch for ch in cell if ch.isalpha())
    return column_index(letters), int("".join(ch for ch in cell if ch.isdigit()))
