"""The Excel door of the validation: the "Prüfen" button and the check on save.

Both read the open workbook (one range read per sheet), run `core.validation.validate`, and
then show the findings where a counsellor looks:

* each flagged cell gets a fill colour (light red for an error, light yellow for a warning)
  and a cell note with the message(s) — Excel's "Notiz", the yellow box on hover;
* the sheet `Prüfbericht` lists every finding with a link to its cell.  Its layout is an
  interface with the workbook's VBA, which reads B1 after the on-save run:
  A1 "Fehler"/B1 count, A2 "Warnungen"/B2 count, A3 "Geprüft am"/B3 time as text,
  row 5 the header, findings from row 6.

The marks are the tool's own; a user's colours and notes must survive.  So the tool keeps a
list of the cells it marked (hidden sheet `Prüfmarken`: sheet, cell, the colour it set, whether
it added the note) and, on the next run, clears only those of its marks whose cell is now right:
the colour only while it is still the tool's colour, the note only while it is still the
tool's note (its text starts with `NOTE_PREFIX`).  A cell with a fill of the user's own is
never recoloured, a cell with a note of the user's own gets no note (the finding is still in
the Prüfbericht).  Because Excel moves notes with their cells when a table is sorted, the tool
also recognises its own notes by their prefix wherever they are now (on engines that can read
note texts), so sorting does not leave stale marks behind.

What each engine can do: Windows and macOS Excel (what RunPython uses) read and write colours
and notes.  The remote engine (xlwings Server, and the tests) cannot read a colour or a note's
text synchronously; there the list of marked cells alone decides, and a cell the tool never
marked counts as having no fill.  Notes need an Office.js client on the remote engine; without
one the colour and the Prüfbericht carry the message.

The save is never blocked or lost here: `on_save` catches everything and only reports on the
status bar (the VBA decides about blocking, from B1, when the team has switched that on).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..core import model
from ..core.book import WorkbookData, column_index
from ..core.findings import SEVERITY_DE, Finding
from ..core.marks import (MARKS_HEADER, MARKS_SHEET, MAX_MARKS, NOTE_PREFIX, TOOL_COLORS, Key, Mark,
                          Plan, Want, plan_marks, summary_text, wanted_marks)
from ..core.validation import validate
from ..core.values import janein
from .common import find_sheet, sheet_grid, status, tell, workbook_data

#: `Mark.color` of a tool note found away from the listed cells (sorted rows): its cell's
#: fill is cleared too, if it is one of the tool's colours.
MOVED = "?"

#: Stands for "a fill of the user's" where the engine cannot read the real one.
USERS_FILL = "#user"

REPORT_HEADER = ["Art", "Blatt", "Zelle", "Zeile", "Feld", "Meldung", "Vorschlag", "Code"]
REPORT_FIRST_ROW = 6
REPORT_WIDTHS = (10, 14, 9, 7, 16, 90, 22, 24)


# --------------------------------------------------------------------------- entry points

def pruefen(book: Any, today: dt.date | None = None) -> list[Finding]:
    """The "Prüfen" button: check, mark, report, and say what was found."""
    findings = check_book(book, today=today)
    tell(book, summary_text(findings))
    return findings


def on_save(book: Any, today: dt.date | None = None) -> list[Finding] | None:
    """Workbook_BeforeSave: the same check, reported on the status bar; never raises.

    Does nothing when the setting "Beim Speichern prüfen" is "nein".  When the check cannot
    run (a missing column, anything unexpected) the status bar says so and the Prüfbericht is
    left alone: the VBA has emptied B1 beforehand, so nothing blocks the save.
    """
    try:
        data = workbook_data(book)
        if janein(data.setting("Beim Speichern prüfen")) == "nein":  # blank or unclear: check
            return None
        findings = check_book(book, data=data, today=today)
        status(book, "Kundenliste: " + summary_text(findings))
        return findings
    except Exception as exc:  # the save must go on whatever happens here
        status(book, f"Kundenliste: Die Prüfung beim Speichern war nicht möglich ({exc}). "
               "Die Datei wird trotzdem gespeichert.")
        return None


def check_book(book: Any, data: WorkbookData | None = None, today: dt.date | None = None,
               now: dt.datetime | None = None) -> list[Finding]:
    """Validate the open workbook, update the cell marks and rewrite the Prüfbericht."""
    data = data if data is not None else workbook_data(book)
    findings = validate(data, today=today)
    capped = update_marks(book, findings)
    write_report(book, findings, now=now, capped=capped)
    return findings


# --------------------------------------------------------------------------- marks in Excel

def update_marks(book: Any, findings: list[Finding]) -> bool:
    """Mark flagged cells, clear the tool's marks on cells now right; True if capped."""
    wanted, capped = wanted_marks(findings)
    register = find_sheet(book, MARKS_SHEET)
    previous = read_marks(register) if register is not None else {}
    sheets = {s.name: s for s in book.sheets}
    wanted = {k: w for k, w in wanted.items() if k[0] in sheets}
    for key in _our_notes_elsewhere(book, [f.sheet for f in findings] + [k[0] for k in previous]):
        previous.setdefault(key, Mark(color=MOVED, note=True))
    previous = {k: m for k, m in previous.items() if k[0] in sheets}

    colors: dict[Key, str | None] = {}
    notes: dict[Key, str] = {}
    can_read_color = True
    for key in {**previous, **wanted}:
        rng = sheets[key[0]].range(key[1])
        color = _color_of(rng) if can_read_color else _UNKNOWN
        if color is _UNKNOWN:
            can_read_color = False  # the engine cannot: trust the list of marks
            mark = previous.get(key)
            if mark is None:
                color = None  # never marked: assume no fill of the user's
            elif mark.color in TOOL_COLORS.values():
                color = mark.color  # assume it is still the tool's
            else:
                color = USERS_FILL if not mark.color else None  # left alone last time: still is
        colors[key] = color  # type: ignore[assignment]
        note = _note_state(rng)
        if note == "unknown":  # a note is there but its text cannot be read
            mark = previous.get(key)
            note = "ours" if mark and mark.note else "user"
        notes[key] = note

    plan = plan_marks(previous, wanted, colors, notes)
    _apply_colors(sheets, plan.colors)
    marks = dict(plan.marks)
    for key in plan.delete_notes:
        _quietly(lambda: sheets[key[0]].range(key[1]).note.delete())
    for key, text in plan.set_notes.items():
        _quietly(lambda: setattr(sheets[key[0]].range(key[1]).note, "text", text))
    for key, text in plan.add_notes.items():
        if not _quietly(lambda: sheets[key[0]].range(key[1]).add_note(text)):
            marks[key] = Mark(marks[key].color, False)  # e.g. a remote client without notes
    write_marks(book, register, marks)
    return capped


_UNKNOWN = object()


def _color_of(rng: Any) -> Any:
    """The cell's fill as `#rrggbb`, None for no fill, `_UNKNOWN` if the engine cannot say."""
    try:
        color = rng.color
    except Exception:
        return _UNKNOWN
    if color is None:
        return None
    if isinstance(color, str):
        return color.lower() if color.startswith("#") else f"#{color.lower()}"
    if isinstance(color, int):
        r, g, b = color & 0xFF, (color >> 8) & 0xFF, (color >> 16) & 0xFF
        return f"#{r:02x}{g:02x}{b:02x}"
    r, g, b = color
    return f"#{int(r):02x}{int(g):02x}{int(b):02x}"


def _note_state(rng: Any) -> str:
    """"none", "ours", "user", or "unknown" (a note exists but its text cannot be read)."""
    try:
        note = rng.note
    except Exception:
        return "none"
    if note is None:
        return "none"
    try:
        text = note.text
    except Exception:
        return "unknown"
    return "ours" if str(text).startswith(NOTE_PREFIX) else "user"


def _our_notes_elsewhere(book: Any, sheet_names: list[str]) -> set[Key]:
    """The tool's notes wherever they are now (sorting moves them); empty if unreadable."""
    found: set[Key] = set()
    for name in dict.fromkeys(sheet_names):
        try:
            sheet = book.sheets[name]
            for note in sheet.notes:
                if str(note.text).startswith(NOTE_PREFIX):
                    found.add((name, note.location.address.replace("$", "")))
        except Exception:  # the remote engine cannot read note texts: the list must do
            continue
    return found


def _quietly(action: Any) -> bool:
    try:
        action()
    except Exception:
        return False
    return True


def _apply_colors(sheets: dict[str, Any], colors: dict[Key, str | None]) -> None:
    """Few calls: `set_colors` over blocks of changed cells (`...` keeps a cell's fill).

    Marks close together go in one box per sheet; marks scattered over a long sheet go per
    column in clusters of nearby rows, so no call carries thousands of untouched cells.  No
    call exceeds xlwings' 10,000 cells.
    """
    by_sheet: dict[str, dict[tuple[int, int], str | None]] = {}
    for (sheet, cell), color in colors.items():
        col, row = _split(cell)
        by_sheet.setdefault(sheet, {})[(row, col)] = color
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
            _color_block(sheets[sheet], cells, first_col, last_col, block_rows)


def _color_block(sheet: Any, cells: dict[tuple[int, int], str | None], first_col: int, last_col: int,
                 rows: list[int]) -> None:
    from ..core.book import column_letter

    width = last_col - first_col + 1
    i = 0
    while i < len(rows):
        top = rows[i]
        while i + 1 < len(rows) and (rows[i + 1] - top + 1) * width <= 10_000:
            i += 1
        bottom = rows[i]
        i += 1
        matrix = [[cells.get((r, c), ...) for c in range(first_col, last_col + 1)] for r in range(top, bottom + 1)]
        address = f"{column_letter(first_col)}{top}:{column_letter(last_col)}{bottom}"
        _quietly(lambda: sheet.range(address).set_colors(matrix))


def _split(cell: str) -> tuple[int, int]:
    """`AB12` → (27, 12): 0-based column, Excel row."""
    letters = "".join(ch for ch in cell if ch.isalpha())
    return column_index(letters), int("".join(ch for ch in cell if ch.isdigit()))


# --------------------------------------------------------------------------- tool sheets

def _tool_sheet(book: Any, name: str, hidden: bool = False, widths: tuple[int, ...] = ()) -> Any:
    """The tool's sheet `name`, created after the last sheet if missing; the user stays put."""
    sheet = find_sheet(book, name)
    if sheet is not None:
        return sheet
    active = book.sheets.active
    sheet = book.sheets.add(name=name, after=book.sheets[len(book.sheets) - 1])
    if hidden:
        sheet.visible = False
    for i, width in enumerate(widths, start=1):
        _quietly(lambda: setattr(sheet.range((1, i)), "column_width", width))
    active.activate()  # adding a sheet activates it; on save the user must not be moved
    return sheet


def read_marks(sheet: Any) -> dict[Key, Mark]:
    marks: dict[Key, Mark] = {}
    for row in sheet_grid(sheet)[1:]:
        cells = [("" if v is None else str(v)).strip().lstrip("'") for v in list(row) + [None] * 4]
        if cells[0] and cells[1]:
            marks[(cells[0], cells[1].replace("$", "").upper())] = Mark(
                cells[2].lower(), model.normalize_key(cells[3]) == "ja")
    return marks


def write_marks(book: Any, sheet: Any, marks: dict[Key, Mark]) -> None:
    """The list of the tool's marks: one range write (header plus one row per cell)."""
    if sheet is None and not marks:
        return
    sheet = sheet if sheet is not None else _tool_sheet(book, MARKS_SHEET, hidden=True)
    rows = [MARKS_HEADER] + [[_text(s), _text(c), _text(m.color), "ja" if m.note else "nein"]
                             for (s, c), m in sorted(marks.items())]
    sheet.clear_contents()
    sheet.range((1, 1)).value = rows


def write_report(book: Any, findings: list[Finding], now: dt.datetime | None = None,
                 capped: bool = False) -> None:
    """Rewrite the Prüfbericht: summary block, header in row 5, one row per finding."""
    now = now or dt.datetime.now()
    errors = sum(1 for f in findings if f.is_error)
    width = len(REPORT_HEADER)
    hint = ""
    if capped:
        hint = f"Markiert sind die ersten {MAX_MARKS} Zellen; alle Befunde stehen in der Liste."
    elif not findings:
        hint = "Keine Befunde."
    top: list[list[Any]] = [
        ["Fehler", errors], ["Warnungen", len(findings) - errors],
        ["Geprüft am", _text(now.strftime("%Y-%m-%d %H:%M"))], [_text(hint) if hint else None],
        REPORT_HEADER,
    ]
    rows = [[*r, *([None] * (width - len(r)))] for r in top]
    for f in findings:
        rows.append([SEVERITY_DE[f.severity], _text(f.sheet), link(f.sheet, f.cell), f.row,
                     _text(f.field), _text(f.message), _text(f.suggestion or ""), f.code])
    sheet = _tool_sheet(book, model.PRUEFBERICHT, widths=REPORT_WIDTHS)
    sheet.clear_contents()
    sheet.range((1, 1)).value = rows


def link(sheet: str, cell: str) -> str:
    """A HYPERLINK formula that jumps to the cell (English function name: Excel translates)."""
    target = "#'" + sheet.replace("'", "''") + "'!" + cell
    return f'=HYPERLINK("{target.replace(chr(34), chr(34) * 2)}","{cell}")'


def _text(value: str | None) -> str | None:
    """Text Excel must not reinterpret (`=…` formula, `01067` number, `2026-01-05` date)."""
    if value is None or value == "":
        return value
    return "'" + value
