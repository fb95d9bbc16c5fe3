"""Use case "IDs vergeben": every customer without an ID gets a new random one, on record.

Two routes, one decision (`core.ids.assign_ids`): a file on disk is changed losslessly by the
I/O ring (`issue_ids`), an open workbook is changed by Excel itself, so the Excel door gets the
plan (`plan_ids`) and only sets the values.  Either way the register of issued IDs is written
with them, and the key of the export pseudonyms once (core/pseudonym.py says why it lives
there).  `draft_ids` only shows new IDs, for a team that fills them in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Collection

from ..core.errors import InvalidInput
from ..core.model import EXPORT_KEY_HEADER, ID_REGISTER_SHEET, KUNDENLISTE, REGISTER_HEADER
from ..files.patch import Append, PatchResult, check_writable, discard_prepared, patch_workbook, prepare_patch
from ..files.reader import read_workbook, require_writable

if TYPE_CHECKING:  # the core's ID code needs pandas: imported when it runs, so that `issue_ids`
    # can be named before the read, whose parse then starts at once (files/reader.py)
    from ..core.book import WorkbookData

#: At most this many IDs are drafted at once.
MAX_DRAFT = 100_000


@dataclass
class IssuedId:
    """One new ID: the Excel row and cell of the Kundenliste it went into."""

    row: int
    cell: str
    id: str


@dataclass
class IdPlan:
    """What to write: the new IDs, where, and the export key when the workbook has none yet."""

    sheet: str  # the Kundenliste's name in the workbook
    column: int  # 0-based column of the ID field
    issued: list[IssuedId]
    export_key: str  # "" when the workbook already has one
    only_rows: Collection[int] | None = None  # the rows the user chose, if any
    register_header: str = REGISTER_HEADER  # A1 of the register sheet

    @property
    def key_cells(self) -> list[str]:
        """B1:C1 of the register (label, key) when the key is new, else empty."""
        return [EXPORT_KEY_HEADER, self.export_key] if self.export_key else []


@dataclass
class IdsResult:
    """What `issue_ids` did to the file."""

    plan: IdPlan
    backup: Path | None = None
    register_created: bool = False

    @property
    def issued(self) -> list[IssuedId]:
        """The IDs written, in Kundenliste order."""
        return self.plan.issued


def plan_ids(data: WorkbookData, only_rows: Collection[int] | None = None) -> IdPlan:
    """The IDs for the records without one (all, or among `only_rows`), not yet written."""
    from ..core.book import cell_ref
    from ..core.ids import assign_ids
    from ..core.pseudonym import new_key

    layout = data.layouts[KUNDENLISTE]
    issued = [
        IssuedId(row, cell_ref(layout, "ID", row), new_id) for row, new_id in assign_ids(data, only_rows=only_rows)
    ]
    return IdPlan(layout.name, layout.columns["ID"], issued, "" if data.export_key else new_key(), only_rows)


def draft_ids(data: WorkbookData, count: int) -> list[str]:
    """`count` new IDs not yet used in the workbook; nothing is written or registered."""
    if not 1 <= count <= MAX_DRAFT:
        raise InvalidInput("anzahl", f"Die Anzahl muss zwischen 1 und {MAX_DRAFT} liegen.")
    from ..core.ids import new_ids, taken_ids

    return new_ids(count, taken_ids(data))


def issue_ids(
    path: str | Path, password: str | None = None, progress: Callable[[str], None] | None = None
) -> IdsResult:
    """Fill every blank ID of the workbook file in place (lossless, with a dated backup)."""
    require_writable(path)  # .ods/.xlsb/.xls are read only: say so before anything else
    check_writable(path)  # fail before reading a big file when Excel has it open
    try:
        # the Kundenliste's XML is parsed for the patch while calamine reads (files/patch.py)
        data = read_workbook(path, password, meanwhile=None if password else lambda: prepare_patch(path, KUNDENLISTE))
        from ..core.ids import id_cell_edits

        plan = plan_ids(data)
        if not plan.issued and not plan.export_key:
            return IdsResult(plan)
        if plan.issued and progress:
            progress(f"Schreibe {len(plan.issued)} neue IDs in „{plan.sheet}“ …")
        written = _write(
            path,
            {plan.sheet: id_cell_edits(data, [(i.row, i.id) for i in plan.issued])},
            [i.id for i in plan.issued],
            plan.export_key,
            bool(data.register_sheet),
        )
        return IdsResult(plan, written.backup, bool(written.added_sheets))
    finally:
        discard_prepared()  # a parse ahead no patch took (nothing to write, or a refusal)


def _write(path: str | Path, cells: dict, issued: list[str], key: str, has_register: bool) -> PatchResult:
    """IDs into the Kundenliste, the issued ones into the register, and (when the workbook has
    none yet) the export key into C1 of the register, labelled in B1 (core/pseudonym.py)."""
    from ..core.pseudonym import KEY_CELL

    rows = [[i] for i in issued]
    if not key:
        return patch_workbook(path, cells=cells, append={ID_REGISTER_SHEET: Append(rows, header=[REGISTER_HEADER])})
    if has_register:  # the key goes into row 1 (B1 label, C1 key)
        return patch_workbook(
            path,
            cells={**cells, ID_REGISTER_SHEET: {"B1": EXPORT_KEY_HEADER, KEY_CELL: key}},
            append={ID_REGISTER_SHEET: Append(rows, header=[REGISTER_HEADER])},
        )
    # no register yet: it is created with the key in its header row
    return patch_workbook(
        path,
        cells=cells,
        append={ID_REGISTER_SHEET: Append(rows or [[None]], header=[REGISTER_HEADER, EXPORT_KEY_HEADER, key])},
    )
