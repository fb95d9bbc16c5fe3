"""The validation's marks in the open workbook: fill colours and notes on flagged cells.

The marks are the tool's own; a user's colours and notes must survive.  So the tool keeps a
list of the cells it marked (hidden sheet `Prüfmarken`: sheet, cell, the colour it set, whether
it added the note) and, on the next run, clears only those of its marks whose cell is now right:
the colour only while it is still the tool's colour, the note only while it is still the
tool's note (its text starts with `NOTE_PREFIX`).  A cell with a fill of the user's own is
never recoloured, a cell with a note of the user's own gets no note (the finding is still in
the Prüfbericht).  Because Excel moves notes with their cells when a table is sorted, the tool
also recognises its own notes by their prefix wherever they are now (on engines that can read
note texts), so sorting does not leave stale marks behind.  The plan is pure (`core.marks`);
this module reads the workbook's state for it and applies it.

What each engine can do: Windows and macOS Excel (what RunPython uses) read and write colours
and notes.  The remote engine (xlwings Server, and the tests) cannot read a colour or a note's
text synchronously; there the list of marked cells alone decides, and a cell the tool never
marked counts as having no fill.  Notes need an Office.js client on the remote engine; without
one the colour and the Prüfbericht carry the message.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..core import model
from ..core.findings import Finding
from ..core.marks import (
    MARKS_HEADER,
    MARKS_SHEET,
    NOTE_PREFIX,
    TOOL_COLORS,
    Key,
    Mark,
    color_blocks,
    plan_marks,
    wanted_marks,
)
from .common import as_text, find_sheet, quietly, sheet_grid, tool_sheet

#: `Mark.color` of a tool note found away from the listed cells (sorted rows): its cell's
#: fill is cleared too, if it is one of the tool's colours.
MOVED = "?"

#: Stands for "a fill of the user's" where the engine cannot read the real one.
USERS_FILL = "#user"


def update_marks(book: Any, findings: Sequence[Finding]) -> bool:
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
        quietly(lambda key=key: sheets[key[0]].range(key[1]).note.delete())
    for key, text in plan.set_notes.items():
        quietly(lambda key=key, text=text: setattr(sheets[key[0]].range(key[1]).note, "text", text))
    for key, text in plan.add_notes.items():
        if not quietly(lambda key=key, text=text: sheets[key[0]].range(key[1]).add_note(text)):
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
    """ "none", "ours", "user", or "unknown" (a note exists but its text cannot be read)."""
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


def _apply_colors(sheets: dict[str, Any], colors: dict[Key, str | None]) -> None:
    """Few calls: `set_colors` over the blocks `core.marks.color_blocks` plans."""
    for sheet, address, matrix in color_blocks(colors):
        quietly(lambda s=sheet, a=address, m=matrix: sheets[s].range(a).set_colors(m))


def read_marks(sheet: Any) -> dict[Key, Mark]:
    """The tool's list of marked cells from the hidden `Prüfmarken` sheet."""
    marks: dict[Key, Mark] = {}
    for row in sheet_grid(sheet)[1:]:
        cells = [("" if v is None else str(v)).strip().lstrip("'") for v in list(row) + [None] * 4]
        if cells[0] and cells[1]:
            marks[(cells[0], cells[1].replace("$", "").upper())] = Mark(
                cells[2].lower(), model.normalize_key(cells[3]) == "ja"
            )
    return marks


def write_marks(book: Any, sheet: Any, marks: dict[Key, Mark]) -> None:
    """The list of the tool's marks: one range write (header plus one row per cell)."""
    if sheet is None and not marks:
        return
    sheet = sheet if sheet is not None else tool_sheet(book, MARKS_SHEET, hidden=True)
    rows = [MARKS_HEADER] + [
        [as_text(s), as_text(c), as_text(m.color), "ja" if m.note else "nein"] for (s, c), m in sorted(marks.items())
    ]
    sheet.clear_contents()
    sheet.range((1, 1)).value = rows
