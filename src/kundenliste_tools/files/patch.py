"""The lossless writer: the one way any command writes into a team's own workbook.

A team's workbook carries things no library round-trips faithfully: the VBA project, ribbon,
buttons and drawings, charts, notes, validations, conditional formats, tables, defined names.
Loading it with openpyxl and saving it again silently drops or rewrites some of them.  So we
never re-save a workbook; we patch the zip package (`zipraw` copies entries as stored,
`sheetxml` splices cell edits into a sheet's bytes, this module ties them together safely):

* every zip entry we do not need to change is copied as its raw compressed bytes (local header,
  data, descriptor), in the same order under the same name; its central-directory record is
  copied too, only the offset field is updated;
* in a sheet we edit, only the touched ``<c>`` elements (and, where the sheet grows, the
  ``<dimension>`` ref and a row's ``spans`` hint) change; every other byte of the sheet XML
  stays as it was;
* text is written as inline strings (``t="inlineStr"``), so ``sharedStrings.xml`` is never
  touched (decision: the shared-string table is shared by every sheet, and rewriting it would
  mean renumbering references all over the workbook; Excel turns inline strings into shared
  ones on its next save).  A cell keeps its style index ``s``.  Erasing (``forget_strings``,
  issue 17) is the one exception: the shared strings that only overwritten cells used are
  emptied in place, index kept (files/forget.py), so the erased text is in no part of the file;
* only when a sheet has to be added (the hidden `ID-Register`) do ``workbook.xml``, its
  relationships and ``[Content_Types].xml`` get one new element each, appended at the end, so
  sheet indexes used by defined names and the active tab stay valid; elements are found by
  namespace and written with the prefixes declared where they go (`xmlpart`);
* document properties are left alone (decision: Excel updates them on its next save; the
  fewer parts we touch, the less can go wrong).  ``fullCalcOnLoad`` is not set either: the
  tool only writes constants, and formulas that depend on them recalculate with the next edit
  or F9.

Safety (SPEC §9): every part we touched is parsed strictly (`xmlpart.prove`) before anything
is written.  The new file is written the one atomic way (`package.write_atomically`): to a
temporary file in the same folder that was first given the original's owner, group and mode
(refused, before a byte is written, when that is not allowed: a colleague's run must not lock
the team out of a shared file), flushed and fsynced, checked (it opens as a zip, every rewritten
part passes its CRC); then the dated backup of the original is written the same way (temporary
file, fsync, size and zip checked) and only then linked under its name, so a backup is complete
or absent; then the temporary file replaces the original atomically (`os.replace`).  Any
failure before that leaves the original untouched and removes whatever was started.
Temporary files are named ``.<name>.<host>.<pid>.<random>.kl-tmp`` so the next run can tell a
killed run's leftovers (its process is gone) from a colleague's run in progress, and removes
only the former (`remove_leftovers`).  We refuse while Excel (``~$name``)
or LibreOffice (``.~lock.name#``) has the file open, when the file or its folder is read-only,
for Strict Open XML, and for encrypted workbooks (decision:
re-encrypting would rewrite the whole file with msoffcrypto's own parameters; in Excel, the
buttons work on encrypted workbooks because Excel decrypts them itself).

Erasing writes no backup at all (``backup=False``): a copy would keep what was erased.

Backups are named ``<name>.<JJJJ-MM-TT>T<hhmm>.bak.<ext>`` beside the file, e.g.
``Kundenliste.2026-11-23T0215.bak.xlsm`` (local time, no colons so Windows accepts it, the real
extension last so a double-click opens it in Excel); a second backup in the same minute gets
``-2``, ``-3`` … before ``.bak``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal, Mapping, Sequence

from ..core.errors import WorkbookBusy, WorkbookUnreadable
from ..core.model import normalize_key, resolve_sheets
from .forget import blank_strings, rewrite_notes, shared_strings_part, unused_strings
from .package import (
    CONTENT_TYPES_NS,
    MAIN_NS,
    PKG_REL_NS,
    REL_NS,
    Sheet,
    a1_ref,
    lock_files,
    lock_program,
    parse_ref,
    read_sheets,
    remove_leftovers,
    removed_on_failure,
    sheet_parts,
    stage,
    write_atomically,
    xml_escape,
)
from .reader import open_bytes, require_file, sniff
from .sheetxml import Value, last_value_row, patch_sheet_xml, prepare_sheet
from .sheetxml import discard_prepared as discard_sheet
from .xmlpart import Element, XmlPart, prove, set_attr, splice, start_tag
from .zipraw import Deflated, RawZip, ZipEntry, deflate_ahead, write_zip

__all__ = ["Append", "PatchResult", "Value", "backup_path", "check_writable", "discard_prepared", "last_value_row",
           "lock_files", "parse_ref", "patch_sheet_xml", "patch_workbook", "prepare_patch", "remove_leftovers"]
SheetState = Literal["visible", "hidden", "veryHidden"]

WORKSHEET_TYPE = REL_NS + "/worksheet"
WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


@dataclass(frozen=True)
class Append:
    """Rows to add below the last row holding a value of a sheet.

    If the sheet does not exist it is created (as the last sheet, in `state`) with `header` in
    row 1; an existing sheet with no value at all gets the header first too.
    """

    rows: Sequence[Sequence[Value]]
    header: Sequence[Value] = ()
    state: SheetState = "hidden"


@dataclass
class PatchResult:
    """What a patch did, for the door to report (and the tests to check)."""

    path: Path
    backup: Path | None = None
    cells: dict[str, list[str]] = field(default_factory=dict)  # sheet name → A1 refs written
    changed_parts: list[str] = field(default_factory=list)  # zip entries rewritten
    added_parts: list[str] = field(default_factory=list)  # zip entries added
    added_sheets: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Refusals: open in Excel, read-only, encrypted, not a workbook


def check_writable(path: str | Path) -> Path:
    """Raise a German `WorkbookBusy`/`WorkbookUnreadable` unless we may patch `path` now.

    Returns the real path (symlinks resolved, so the link itself survives the replace), after
    removing what killed runs left beside it (`remove_leftovers`).
    """
    path = Path(os.path.realpath(path))
    require_file(path)
    for lock in lock_files(path):
        program = lock_program(lock)
        raise WorkbookBusy(
            f"„{path.name}“ ist gerade in {program} geöffnet (Sperrdatei „{lock.name}“). Bitte die "
            f"Arbeitsmappe schließen und den Befehl noch einmal ausführen. Ist sie nirgends geöffnet, "
            f"ist „{lock.name}“ ein Überbleibsel (etwa nach einem Absturz) und darf gelöscht werden."
        )
    mode = path.stat().st_mode
    if not mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise WorkbookBusy(
            f"„{path.name}“ ist schreibgeschützt. Bitte den Schreibschutz aufheben (Datei → "
            "Eigenschaften) oder eine beschreibbare Kopie verwenden; es wurde nichts geändert."
        )
    if not os.access(path.parent, os.W_OK):
        raise WorkbookBusy(
            f"Im Ordner „{path.parent}“ darf nicht geschrieben werden; dort entstehen die neue "
            "Fassung und die Sicherungskopie. Es wurde nichts geändert."
        )
    kind = sniff(path)
    if kind == "encrypted":
        raise WorkbookBusy(
            f"„{path.name}“ ist mit einem Kennwort verschlüsselt. In verschlüsselte Arbeitsmappen "
            "schreibt das Werkzeug nicht. Bitte die Mappe in Excel öffnen und dort den Knopf "
            "benutzen (Excel entschlüsselt selbst) oder den Kennwortschutz vorübergehend entfernen."
        )
    if kind != "ooxml":
        open_bytes(path)  # the reader's own message for a CSV, an old .xls, …
        raise WorkbookUnreadable(f"„{path.name}“ ist keine Excel-Arbeitsmappe (.xlsx/.xlsm).")
    remove_leftovers(path)
    return path


_NEW_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    b'<sheetFormatPr defaultRowHeight="15"/><sheetData/>'
    b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    b"</worksheet>"
)


# ---------------------------------------------------------------------------------------------
# The package: which part is which sheet, and adding one


class _Package:
    """The sheet list of a workbook being patched, and adding a sheet to it."""

    def __init__(self, z: RawZip, label: str):
        self.z = z
        self.label = label
        listing = read_sheets(z, label)
        self.workbook_part = listing.workbook_part
        self.workbook_dir = posixpath.dirname(listing.workbook_part)
        self.rels_part = listing.rels_part
        self.rel_ids = listing.rel_ids
        self.strict = listing.strict
        self.sheets = listing.sheets

    def sheet(self, name: str) -> Sheet | None:
        """Find a sheet as Excel and the reader do: exact, then ignoring case, then forgivingly."""
        for key in (lambda s: s, str.casefold, normalize_key):
            hits = [s for s in self.sheets if key(s.name) == key(name)]
            if hits:
                return hits[0]
        return None

    def worksheet_part(self, name: str) -> str:
        sheet = self.sheet(name)
        if sheet is None:
            raise WorkbookUnreadable(f"Das Blatt „{name}“ fehlt in „{self.label}“; es wurde nichts geändert.")
        if sheet.kind != "worksheet" or sheet.part is None:
            raise WorkbookBusy(f"„{sheet.name}“ ist kein Tabellenblatt; es wurde nichts geändert.")
        return sheet.part

    def new_sheet_part(self) -> str:
        folders = [posixpath.dirname(s.part) for s in self.sheets if s.part and s.kind == "worksheet"]
        folder = folders[0] if folders else posixpath.join(self.workbook_dir, "worksheets")
        n = len(self.sheets) + 1
        while self.z.find(f"{folder}/sheet{n}.xml"):
            n += 1
        return f"{folder}/sheet{n}.xml"

    def add_sheet(self, name: str, state: SheetState, parts: dict[str, bytes]) -> str:
        """Register a new (empty) worksheet part; edits `parts` (name → new content).

        Each list gets one element appended as its last child, written with the prefixes that
        are declared there (openpyxl with lxml declares the relationships namespace on each
        `<sheet>`, not on the root: then the new `<sheet>` declares it itself).
        """
        if not name or len(name) > 31 or re.search(r"[\[\]:*?/\\]", name):
            raise ValueError(f"invalid sheet name {name!r}")
        part = self.new_sheet_part()
        numbers = [int(m.group(1)) for i in self.rel_ids if i and (m := re.fullmatch(r"rId(\d+)", i))]
        rid = f"rId{max(numbers, default=0) + 1}"
        while rid in self.rel_ids:
            rid += "x"
        self.rel_ids.add(rid)
        sheet_id = max((s.sheet_id for s in self.sheets), default=0) + 1

        def current(n: str) -> bytes:
            return parts.get(n, self.z.read(n))

        # workbook.xml: one <sheet> appended at the end of <sheets>
        wb = XmlPart(current(self.workbook_part), f"{self.label}, {self.workbook_part}")
        sheets = wb.first(MAIN_NS, "sheets")
        if sheets is None:
            raise WorkbookBusy(f"„{self.label}“: die Blattliste ist ungewöhnlich aufgebaut; es wurde nichts geändert.")
        p = wb.prefix_in(sheets, MAIN_NS) or b""
        rp = wb.prefix_in(sheets, REL_NS)
        declare = b""
        if not rp:  # not declared here (or only as a default namespace, which attributes cannot use)
            rp, declare = b"r:", b' xmlns:r="' + REL_NS.encode() + b'"'
        state_attr = b"" if state == "visible" else b' state="' + state.encode() + b'"'
        element = (b"<" + p + b'sheet name="' + xml_escape(name, quote=True) + b'" sheetId="'
                   + str(sheet_id).encode() + b'"' + state_attr + declare + b" " + rp + b'id="'
                   + rid.encode() + b'"/>')
        parts[self.workbook_part] = _append_child(wb, sheets, element)
        # workbook.xml.rels
        target = posixpath.relpath(part, self.workbook_dir) if self.workbook_dir else part
        parts[self.rels_part] = _append_to_root(
            XmlPart(current(self.rels_part), f"{self.label}, {self.rels_part}"), PKG_REL_NS, lambda q: (
                b"<" + q + b'Relationship Id="' + rid.encode() + b'" Type="' + WORKSHEET_TYPE.encode()
                + b'" Target="' + xml_escape(target, quote=True) + b'"/>'), self.label)
        # [Content_Types].xml
        types_name = self.z.find("[Content_Types].xml")
        if types_name is None:
            raise WorkbookUnreadable(f"„{self.label}“ ist beschädigt ([Content_Types].xml fehlt).")
        parts[types_name] = _append_to_root(
            XmlPart(current(types_name), f"{self.label}, {types_name}"), CONTENT_TYPES_NS, lambda q: (
                b"<" + q + b'Override PartName="/' + xml_escape(part, quote=True) + b'" ContentType="'
                + WORKSHEET_CONTENT.encode() + b'"/>'), self.label)
        self.sheets.append(Sheet(name, sheet_id, rid, part, "worksheet"))
        return part


def _append_child(xml: XmlPart, parent: Element, element: bytes) -> bytes:
    """`xml` with `element` as the last child of `parent` (an empty `<p/>` is opened up)."""
    if parent.empty:
        return splice(xml.data, [(parent.start, parent.tag_end, start_tag(parent, empty=False) + element
                                  + b"</" + parent.qname + b">")])
    pos = xml.inner_end(parent)
    return splice(xml.data, [(pos, pos, element)])


def _append_to_root(xml: XmlPart, uri: str, make: Callable[[bytes], bytes], label: str) -> bytes:
    prefix = xml.prefix_in(xml.root, uri)
    if prefix is None or xml.uri_of(xml.root) != uri:
        raise WorkbookBusy(f"„{label}“: die Paketverzeichnisse sind ungewöhnlich aufgebaut; es wurde nichts geändert.")
    return _append_child(xml, xml.root, make(prefix))


# ---------------------------------------------------------------------------------------------
# The one entry point


def backup_path(path: Path, now: dt.datetime) -> Path:
    """`Kundenliste.xlsm` → `Kundenliste.2026-11-23T0215.bak.xlsm` (then `…T0215-2.bak.xlsm`)."""
    stamp = now.strftime("%Y-%m-%dT%H%M")
    n = 1
    while True:
        tag = stamp if n == 1 else f"{stamp}-{n}"
        candidate = path.with_name(f"{path.stem}.{tag}.bak{path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


#: The part `prepare_patch` unpacked: its zip entry's stored bytes and what they unpack to.
_UNPACKED: dict[str, tuple[bytes, bytes]] = {}


def prepare_patch(path: str | Path, sheet: str) -> None:
    """Unpack and parse the model sheet `sheet` (canonical name, e.g. `Kundenliste`) of the
    file ahead of a patch, as the next `patch_workbook` would (run while the workbook is read:
    `ids`).  The patch takes both only if the entry's stored bytes are still the same; any
    problem here is left for the read and the patch to report."""
    discard_prepared()
    try:
        z = RawZip(Path(path).read_bytes(), Path(path).name)
        parts = sheet_parts(z.zip)
        found, _ = resolve_sheets(list(parts))
        part = parts.get(found.get(sheet, ""), "")
        entry = _read_entry(z, part)
        if entry is None:
            return
        xml = z.read(part)
        _UNPACKED[part] = (z.span(entry), xml)
    except Exception:  # noqa: BLE001 - the read and the patch report it, each in German
        return
    prepare_sheet(xml)


def discard_prepared() -> None:
    """Forget what `prepare_patch` unpacked and parsed when no patch took it."""
    _UNPACKED.clear()
    discard_sheet()


def _read_entry(z: RawZip, part: str) -> ZipEntry | None:
    """The entry `z.read(part)` unpacks: the last of that name (a zip may hold a name twice)."""
    return next((e for e in reversed(z.entries) if e.name == part), None)


def _unpacked(z: RawZip, part: str) -> bytes:
    """The part's content: unpacked ahead (0.2 s for a 100,000-customer sheet) when its
    entry's stored bytes, local header and CRC included, are the ones unpacked then."""
    ahead = _UNPACKED.pop(part, None)
    entry = _read_entry(z, part)
    if ahead is not None and entry is not None and z.span(entry) == ahead[0]:
        return ahead[1]
    return z.read(part)


def patch_workbook(path: str | Path, cells: Mapping[str, Mapping[str, Value]] | None = None,
                   append: Mapping[str, Append] | None = None, *,
                   now: dt.datetime | None = None, backup: bool = True,
                   forget_strings: bool = False, notes: Mapping[str, str] | None = None) -> PatchResult:
    """Write `cells` ({sheet: {"A5": value}}) and `append` ({sheet: Append}) into the workbook.

    Nothing is written when there is nothing to change.  Raises a German `KundenlisteError`
    (and leaves the file as it was) on every refusal or failure.

    Erasing data (Art. 17 DSGVO) must leave no copy of it: `backup=False` writes no backup of
    the original, and `forget_strings=True` empties the shared strings that only the
    overwritten cells used (files/forget.py), so the old text is in no part of the new file;
    `notes` ({key: text}, keys from `forget.note_texts`) replaces the text of cell notes.
    """
    real = check_writable(path)
    now = now or dt.datetime.now()
    before = real.stat()
    raw = real.read_bytes()
    z = RawZip(raw, real.name)
    pkg = _Package(z, real.name)
    if pkg.strict:
        raise WorkbookBusy(f"„{real.name}“ ist im Format „Strict Open XML“ gespeichert; in solche Mappen "
                           "schreibt das Werkzeug nicht. Bitte in Excel als normale „Excel-Arbeitsmappe“ "
                           "speichern und den Befehl noch einmal ausführen. Es wurde nichts geändert.")
    result = PatchResult(path=Path(path))
    edits: dict[str, dict[tuple[int, int], Value]] = {}  # part → edits
    names: dict[str, str] = {}  # part → sheet name
    for sheet_name, sheet_cells in (cells or {}).items():
        if not sheet_cells:
            continue
        part = pkg.worksheet_part(sheet_name)
        names[part] = pkg.sheet(sheet_name).name  # type: ignore[union-attr]
        target = edits.setdefault(part, {})
        for ref, value in sheet_cells.items():
            target[parse_ref(ref)] = value
    parts: dict[str, bytes] = {}
    added: dict[str, bytes] = {}
    for sheet_name, app in (append or {}).items():
        if not app.rows:
            continue
        sheet = pkg.sheet(sheet_name)
        if sheet is None:
            part = pkg.add_sheet(sheet_name, app.state, parts)
            added[part] = _NEW_SHEET
            result.added_sheets.append(sheet_name)
            last = 0
        else:
            part = pkg.worksheet_part(sheet.name)
            last = last_value_row(z.read(part))
        names[part] = sheet_name if sheet is None else sheet.name
        target = edits.setdefault(part, {})
        last = max([last, *(r for (r, _), v in target.items() if v is not None)])
        rows = list(app.rows)
        if last == 0 and app.header:
            rows.insert(0, list(app.header))
        for i, row in enumerate(rows, start=last + 1):
            for j, value in enumerate(row, start=1):
                if value is not None:
                    target[(i, j)] = value
    uncached: list[tuple[int, int]] | None = [] if forget_strings else None
    for part, part_edits in edits.items():
        if not part_edits:
            continue
        xml = added[part] if part in added else _unpacked(z, part)
        new = patch_sheet_xml(xml, part_edits, f"{real.name}, {names[part]}", uncached)
        if part in added:
            added[part] = new
        else:
            parts[part] = new
        result.cells[names[part]] = [a1_ref(r, c) for r, c in sorted(part_edits)]
    if notes:
        parts.update(rewrite_notes(z, notes))
    if not parts and not added:
        return result
    if forget_strings:
        _forget(z, pkg, parts, real.name)
    if uncached:  # formulas whose cached result was dropped compute again when the file opens
        parts[pkg.workbook_part] = _full_calc_on_load(
            XmlPart(parts.get(pkg.workbook_part) or z.read(pkg.workbook_part), f"{real.name}, {pkg.workbook_part}"))
    packed = deflate_ahead({**parts, **added})  # beside the proof, which holds the GIL
    for name, data in (*parts.items(), *added.items()):
        prove(data, f"{real.name}, {name}")  # never write a part a strict parser rejects
    result.changed_parts = [e.name for e in z.entries if e.name in parts]
    result.added_parts = list(added)
    result.backup = _commit(real, z, parts, added, before, now, backup, packed())
    return result


def _forget(z: RawZip, pkg: _Package, parts: dict[str, bytes], label: str) -> None:
    """Empty the shared strings no cell uses after the edits (into `parts`, files/forget.py)."""
    sst = shared_strings_part(z, pkg.workbook_part, pkg.rels_part)
    if sst is None:
        return
    sheets = [s.part for s in pkg.sheets if s.kind == "worksheet" and s.part and z.find(s.part)]
    table = z.read(sst)
    gone = unused_strings((parts.get(part) or z.read(part) for part in sheets), table)
    if gone:
        parts[sst] = blank_strings(table, gone, f"{label}, {sst}")


#: The children of `<workbook>` that come after `<calcPr>` (ECMA-376 CT_Workbook's order).
_AFTER_CALC_PR = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                  "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


def _full_calc_on_load(wb: XmlPart) -> bytes:
    """workbook.xml with `<calcPr fullCalcOnLoad="1">`: set on the existing element, or a new one
    where the schema puts it (Excel refuses a workbook whose children are out of order)."""
    calc = wb.first(MAIN_NS, "calcPr")
    if calc is not None:
        return splice(wb.data, [(calc.start, calc.tag_end,
                                 start_tag(calc, set_attr(calc.attrs, b"fullCalcOnLoad", b"1")))])
    p = wb.prefix_in(wb.root, MAIN_NS) or b""
    element = b"<" + p + b'calcPr fullCalcOnLoad="1"/>'
    later = [el.start for name in _AFTER_CALC_PR if (el := wb.first(MAIN_NS, name)) is not None]
    pos = min(later) if later else wb.inner_end(wb.root)
    return splice(wb.data, [(pos, pos, element)])


def _fail(path: Path, exc: OSError) -> WorkbookBusy:
    reason = exc.strerror or exc.__class__.__name__
    return WorkbookBusy(
        f"„{path.name}“ konnte nicht geschrieben werden ({reason}). Die Arbeitsmappe ist "
        "unverändert; bitte Speicherplatz und Schreibrechte im Ordner prüfen."
    )


# ---------------------------------------------------------------------------------------------
# Committing: the new version atomically, the backup complete or absent


def _commit(path: Path, z: RawZip, parts: Mapping[str, bytes], added: Mapping[str, bytes],
            before: os.stat_result, now: dt.datetime, keep_backup: bool = True,
            packed: Mapping[str, Deflated] | None = None) -> Path | None:
    """Temp file → fsync → check → backup (the same way) → atomic replace (`write_atomically`).

    The original survives any failure, and whatever was started (temporary files, a backup
    not yet complete or no longer needed) is removed: a backup is complete or absent.
    """
    backups: list[Path] = []

    def check(tmp: Path) -> None:
        _verify(tmp, z, parts, added)
        now_stat = path.stat()
        if (now_stat.st_mtime_ns, now_stat.st_size) != (before.st_mtime_ns, before.st_size):
            raise WorkbookBusy(f"„{path.name}“ wurde während des Schreibens von einem anderen Programm "
                               "geändert; bitte noch einmal ausführen. Es wurde nichts geändert.")
        check_writable(path)  # Excel may have opened it meanwhile
        if keep_backup:
            backups.append(_backup(path, z, before, now))

    try:
        write_atomically(path, lambda fh: write_zip(fh, z, parts, added, packed), like=before, check=check)
    except BaseException as exc:
        for backup in backups:
            with contextlib.suppress(OSError):
                backup.unlink()
        if isinstance(exc, OSError):
            raise _fail(path, exc) from exc
        raise
    return backups[0] if backups else None


def _backup(path: Path, z: RawZip, before: os.stat_result, now: dt.datetime) -> Path:
    """The original's bytes under their dated name, written like the new version and checked."""
    tmp = stage(path, lambda fh: fh.write(z.raw), like=before)
    with removed_on_failure(tmp):
        os.utime(tmp, ns=(before.st_atime_ns, before.st_mtime_ns))
        _verify_copy(tmp, z)
        return _publish(tmp, path, now)


def _publish(tmp: Path, path: Path, now: dt.datetime) -> Path:
    """Give the finished backup its dated name, never over an existing file."""
    while True:
        backup = backup_path(path, now)
        try:
            os.link(tmp, backup)
        except FileExistsError:
            continue  # someone took the name meanwhile: count on
        except OSError:  # no hard links here (some network shares): rename, name checked just now
            os.rename(tmp, backup)
            return backup
        tmp.unlink()
        return backup


def _verify_copy(tmp: Path, z: RawZip) -> None:
    """The backup has the original's size and opens as the same zip."""
    if tmp.stat().st_size != len(z.raw):
        raise WorkbookBusy("Die Sicherungskopie ist unvollständig; die Arbeitsmappe bleibt unverändert.")
    with zipfile.ZipFile(tmp) as copy:
        if copy.namelist() != [e.name for e in z.entries]:
            raise WorkbookBusy("Die Sicherungskopie ist fehlerhaft; die Arbeitsmappe bleibt unverändert.")


def _verify(tmp: Path, z: RawZip, parts: Mapping[str, bytes], added: Mapping[str, bytes]) -> None:
    """The written file opens as a zip with the expected entries; rewritten ones pass their CRC."""
    try:
        out = zipfile.ZipFile(tmp)
    except zipfile.BadZipFile as exc:
        raise WorkbookBusy("Die neue Fassung ist fehlerhaft; die Arbeitsmappe bleibt unverändert.") from exc
    with out:
        names = out.namelist()
        expected = [e.name for e in z.entries] + list(added)
        if names != expected:
            raise WorkbookBusy("Die neue Fassung ist unvollständig; die Arbeitsmappe bleibt unverändert.")
        for name in (*parts, *added):
            if out.read(name) != (parts.get(name) if name in parts else added[name]):
                raise WorkbookBusy("Die neue Fassung ist fehlerhaft; die Arbeitsmappe bleibt unverändert.")
