"""Use cases "Auskunft" (Art. 15 DSGVO) and "Löschen" (Art. 17, the team's Löschfristen).

One decision for both doors: `core.access` builds the Auskunft, `core.erase` plans which cells
an erasure changes.  A file on disk is changed by the lossless writer (`files.patch`) with no
backup and with the shared strings that only the erased cells used emptied, so no copy keeps
what was erased; an open workbook is changed by Excel itself (the Excel door gets the plan).
Earlier backups beside the workbook (`*.bak.xlsx/xlsm`) that still hold an erased customer are
listed, and deleted only when asked (`delete_backups`).

Imports stay lazy (pandas loads with the workbook): the command line starts fast.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from ..core.errors import InvalidInput

#: The hidden sheet of the erasures and its header (core/erase.py; here for the doors).
PROTOCOL_SHEET = "Löschprotokoll"
PROTOCOL_HEADER = ("Zeitpunkt", "ID", "Gelöschte Angaben", "Zellen", "Grund")

if TYPE_CHECKING:
    from ..core.access import Auskunft
    from ..core.book import WorkbookData
    from ..core.erase import ErasePlan


# ----------------------------------------------------------------------------- Auskunft


@dataclass
class AuskunftResult:
    """Where the Auskunft went and what it holds."""

    path: Path
    auskunft: Auskunft

    @property
    def entries(self) -> int:
        """The customer's own KundenDoku entries in the file."""
        return len(self.auskunft.doku_rows)

    @property
    def mentions(self) -> int:
        """Cells of other customers that mention the customer."""
        return len(self.auskunft.mentions)


def default_auskunft_name(id_text: str, today: dt.date) -> str:
    """`Auskunft_101_2026-12-02.xlsx`; an ID that is no ID (a name) does not go into the name."""
    from ..core.pseudonym import is_exportable

    label = id_text if is_exportable(id_text) else "Kunde"
    return f"Auskunft_{label}_{today.isoformat()}.xlsx"


def auskunft_from_data(data: WorkbookData, id_value: str, out: str | Path | None = None,
                       folder: str | Path | None = None, today: dt.date | None = None,
                       other_sheets: dict[str, dict[str, str]] | None = None,
                       notes: dict[str, list[tuple[str, str, str]]] | None = None) -> AuskunftResult:
    """Build and write the Auskunft of the customer with ID `id_value` (the workbook is only read);
    `other_sheets` and `notes` (read from a file: `auskunft`) are searched too."""
    from ..core.access import build_auskunft
    from ..core.erase import select_ids
    from ..files.auskunft import write_auskunft
    from ..files.firstnames import first_names

    today = today or dt.date.today()
    positions = select_ids(data, [id_value], input="kunde")
    if len(positions) > 1:
        raise InvalidInput("kunde", f"Die ID „{id_value}“ steht mehrfach in der Kundenliste; bitte erst "
                                 "die doppelte ID beheben (kundenliste pruefen).")
    result = build_auskunft(data, positions[0], first_names(), Path(data.source).name if data.source else "",
                            today, other_sheets, notes)
    if out:
        path = Path(out)
        if path.is_dir():
            path = path / default_auskunft_name(result.id, today)
    else:
        base = Path(folder) if folder is not None else (Path(data.source).parent if data.source else Path.cwd())
        path = base / default_auskunft_name(result.id, today)
    if data.source and _same(path, Path(data.source)):
        raise InvalidInput("out", "Die Auskunft darf die Arbeitsmappe nicht überschreiben; bitte einen "
                                  "anderen Dateinamen angeben.")
    write_auskunft(result, path)
    return AuskunftResult(path, result)


def auskunft(path: str | Path, id_value: str, out: str | Path | None = None, password: str | None = None,
             today: dt.date | None = None) -> AuskunftResult:
    """The Auskunft of one customer of a workbook file, beside the workbook unless `out` says."""
    from ..files.reader import read_workbook

    data = read_workbook(path, password)
    data.source = str(path)
    return auskunft_from_data(data, id_value, out, today=today, other_sheets=_other_texts(path, data),
                              notes=_note_texts(path))


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


# ----------------------------------------------------------------------------- Löschen


@dataclass
class Backup:
    """An earlier backup beside the workbook that still holds erased data."""

    path: Path
    cells: int  # cells that erasing the same customers from it would change (0: unreadable)
    readable: bool = True
    deleted: bool = False


@dataclass
class EraseResult:
    """What `erase` found and (with `confirm`) did."""

    plan: ErasePlan
    written: bool = False
    protocol: list[list] = field(default_factory=list)  # the Löschprotokoll rows written
    backups: list[Backup] = field(default_factory=list)
    #: (part, German hint): copies beside the cells that still hold erased values (pivot cache …)
    copies_left: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        """The IDs of the erased customers."""
        return [e.id for e in self.plan.customers]


def parse_cutoff(text: str | None) -> dt.date | None:
    """`JJJJ-MM-TT` of `abgeschlossen_vor`, or None."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("abgeschlossen_vor", f"„{text}“ ist kein Datum im Format JJJJ-MM-TT.") from None


def select(data: WorkbookData, ids: Sequence[str] | None, closed_before: str | None) -> list[int]:
    """The customers to erase: by ID, or closed and last seen before a day (not both)."""
    from ..core.erase import select_closed_before, select_ids

    cutoff = parse_cutoff(closed_before)
    if bool(ids) == (cutoff is not None):
        raise InvalidInput("id", "Bitte entweder IDs oder ein Datum „abgeschlossen vor“ angeben.")
    return select_ids(data, list(ids)) if ids else select_closed_before(data, cutoff)  # type: ignore[arg-type]


def plan_erase(data: WorkbookData, ids: Sequence[str] | None = None, closed_before: str | None = None,
               other_sheets: dict[str, dict[str, str]] | None = None,
               notes: dict[str, list[tuple[str, str, str]]] | None = None) -> ErasePlan:
    """The cells an erasure would change (nothing written): for the preview and for Excel."""
    from ..core.erase import plan_erasure

    return plan_erasure(data, select(data, ids, closed_before), other_sheets, notes)


def _plain_package(path: str | Path) -> bool:
    """Whether the file's parts can be read as they are (not encrypted: then only the model's
    sheets are searched, and writing is refused anyway)."""
    from ..files.reader import sniff

    return sniff(Path(path)) == "ooxml"


def _note_texts(path: str | Path) -> dict[str, list[tuple[str, str, str]]]:
    from ..files.forget import note_texts

    return note_texts(path) if _plain_package(path) else {}


def _other_texts(path: str | Path, data: WorkbookData) -> dict[str, dict[str, str]]:
    """Constant text of the sheets not read field by field (`text_sheet`), from the file."""
    from ..files.forget import constant_texts

    if not _plain_package(path):
        return {}
    records = {layout.name for layout in data.layouts.values()}
    return constant_texts(path, lambda sheet: sheet in records or not text_sheet(sheet))


def erase_rows(data: WorkbookData, positions: Sequence[int],
               other_sheets: dict[str, dict[str, str]] | None = None) -> ErasePlan:
    """The plan for the customers at these positions of `data.kunden` (the rows chosen in Excel)."""
    from ..core.erase import plan_erasure

    return plan_erasure(data, positions, other_sheets)


def text_sheet(name: str) -> bool:
    """Whether a sheet's constant text is scrubbed as a whole when customers are erased: not the
    lists, settings, counsellors, rule set (values, not notes), the ID register, the
    Löschprotokoll or xlwings' configuration (a customer called "Eintrag" must not change the
    interpreter's path or its hints).  (The record sheets are planned cell by cell.)"""
    from ..core.model import AUX_SHEETS, XLWINGS_CONF, normalize_key

    kept = (*AUX_SHEETS, PROTOCOL_SHEET, XLWINGS_CONF)
    return normalize_key(name) not in {normalize_key(s) for s in kept}


def protocol(data: WorkbookData, plan: ErasePlan, grund: str = "", now: dt.datetime | None = None) -> list[list]:
    """The Löschprotokoll rows of a plan (no personal value; core/erase.py)."""
    from ..core.erase import erase_scrubber, protocol_rows

    return protocol_rows(plan, now or dt.datetime.now(), grund, erase_scrubber(data, plan.positions),
                         data.export_key)


BACKUP_NAME = r"\.\d{4}-\d{2}-\d{2}T\d{4}(?:-\d+)?\.bak\.(?:xlsx|xlsm)"


def backups_of(path: str | Path) -> list[Path]:
    """The dated backups the tool wrote beside a workbook (`Name.JJJJ-MM-TTThhmm.bak.xlsm`)."""
    path = Path(path)
    pattern = re.compile(re.escape(path.stem) + BACKUP_NAME, re.IGNORECASE)
    if not path.parent.is_dir():
        return []
    return sorted(p for p in path.parent.iterdir() if p.is_file() and pattern.fullmatch(p.name))


def holding_backups(path: str | Path, ids: Sequence[str], password: str | None = None) -> list[Backup]:
    """The backups that still hold any of these customers: erasing them from it would change cells.

    A backup that cannot be read (encrypted, damaged) is listed too: nobody can say it is clean.
    """
    from ..core.erase import plan_erasure
    from ..files.reader import read_workbook

    out = []
    for backup in backups_of(path):
        try:
            data = read_workbook(backup, password)
            keys = [i for i in ids if _has(data, i)]
            cells = plan_erasure(data, _positions(data, keys), _other_texts(backup, data),
                                 _note_texts(backup)).changes if keys else 0
        except Exception:  # noqa: BLE001 - any backup we cannot read may hold the data; never fail the erase over it
            out.append(Backup(backup, 0, readable=False))
            continue
        if cells:
            out.append(Backup(backup, cells))
    return out


def _has(data: WorkbookData, id_value: str) -> bool:
    from ..core.erase import select_ids

    try:
        select_ids(data, [id_value])
    except InvalidInput:
        return False
    return True


def _positions(data: WorkbookData, ids: Sequence[str]) -> list[int]:
    from ..core.erase import select_ids

    return select_ids(data, list(ids))


def erase(path: str | Path, ids: Sequence[str] | None = None, closed_before: str | None = None, *,
          confirm: bool = False, grund: str = "", delete_backups: bool = False, password: str | None = None,
          now: dt.datetime | None = None, progress: Callable[[str], None] | None = None) -> EraseResult:
    """Erase customers from a workbook file in place; without `confirm` only say what would go.

    Written losslessly (`files.patch`), without a backup, with the shared strings only the erased
    cells used emptied, and a row per customer in the hidden Löschprotokoll sheet.  With
    `delete_backups` (and `confirm`), the earlier backups that still hold them are deleted.
    """
    from ..files.patch import Append, check_writable, patch_workbook
    from ..files.reader import read_workbook, require_writable

    require_writable(path)
    if confirm:
        check_writable(path)
    data = read_workbook(path, password)
    plan = plan_erase(data, ids, closed_before, _other_texts(path, data), _note_texts(path))
    result = EraseResult(plan)
    if confirm and plan.changes:
        if progress:
            progress(f"Lösche {plan.changes} Zellen zu {len(plan.customers)} Kunden …")
        result.protocol = protocol(data, plan, grund, now)
        patch_workbook(path, cells=plan.cells, notes=plan.notes,
                       append={PROTOCOL_SHEET: Append(result.protocol, header=list(PROTOCOL_HEADER))},
                       backup=False, forget_strings=True)
        result.written = True
        from ..files.forget import copies_left

        result.copies_left = copies_left(path, _distinctive_values(data, plan.positions))
    result.backups = holding_backups(path, result.ids, password)
    if confirm and delete_backups:
        for b in result.backups:
            b.path.unlink()
            b.deleted = True
    return result


#: The erased values looked for afterwards in the parts the erasure does not rewrite: those that
#: name one person.  Not a first name alone (a customer called Jan and the month "Jan" in a chart),
#: not a city or a PLZ (shared by many, found everywhere).
_DISTINCTIVE = ("NName", "Strasse", "Telefon", "Email")


def _distinctive_values(data: WorkbookData, positions: Sequence[int]) -> list[str]:
    from ..core.values import to_text

    k = data.kunden
    out = [to_text(k[name].iat[p]) for name in _DISTINCTIVE if name in k.columns for p in positions]
    if "VName" in k.columns and "NName" in k.columns:  # the full name, as a title or a label has it
        out += [f"{to_text(k['VName'].iat[p])} {to_text(k['NName'].iat[p])}" for p in positions]
    return [v for v in out if v.strip()]
