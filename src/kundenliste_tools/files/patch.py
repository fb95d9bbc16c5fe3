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
  ones on its next save).  A cell keeps its style index ``s``;
* only when a sheet has to be added (the hidden `ID-Register`) do ``workbook.xml``, its
  relationships and ``[Content_Types].xml`` get one new element each, appended at the end, so
  sheet indexes used by defined names and the active tab stay valid; elements are found by
  namespace and written with the prefixes declared where they go (`xmlpart`);
* document properties are left alone (decision: Excel updates them on its next save; the
  fewer parts we touch, the less can go wrong).  ``fullCalcOnLoad`` is not set either: the
  tool only writes constants, and formulas that depend on them recalculate with the next edit
  or F9.

Safety (SPEC §9): every part we touched is parsed strictly (`xmlpart.prove`) before anything
is written.  The new file is written to a temporary file in the same folder that was first given
the original's owner, group and mode (refused, before a byte is written, when that is not
allowed: a colleague's run must not lock the team out of a shared file), flushed and fsynced,
checked (it opens as a zip, every rewritten part passes its CRC); then the dated backup of the
original is written the same way (temporary file, fsync, size and zip checked) and only then
linked under its name, so a backup is complete or absent; then the temporary file replaces the
original atomically (`os.replace`).  Any failure before that leaves the original untouched and
removes whatever was started.  Temporary files are named ``.<name>.<host>.<pid>.<random>.kl-tmp``
so the next run can tell a killed run's leftovers (its process is gone) from a colleague's run in
progress, and removes only the former (`remove_leftovers`).  We refuse while Excel (``~$name``)
or LibreOffice (``.~lock.name#``) has the file open, when the file or its folder is read-only,
for Strict Open XML, and for encrypted workbooks (decision:
re-encrypting would rewrite the whole file with msoffcrypto's own parameters; in Excel, the
buttons work on encrypted workbooks because Excel decrypts them itself).

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
import secrets
import socket
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Literal, Mapping, Sequence
from xml.etree import ElementTree

from ..core.errors import WorkbookBusy, WorkbookUnreadable
from ..core.model import normalize_key
from .reader import open_bytes, sniff
from .sheetxml import Value, a1_ref, last_value_row, parse_ref, patch_sheet_xml, xml_escape
from .xmlpart import Element, XmlPart, prove, splice, start_tag
from .zipraw import RawZip, write_zip

__all__ = ["Append", "PatchResult", "Value", "backup_path", "check_writable", "last_value_row",
           "lock_files", "parse_ref", "patch_sheet_xml", "patch_workbook", "remove_leftovers"]
SheetState = Literal["visible", "hidden", "veryHidden"]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_TYPE = REL_NS + "/worksheet"
WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
OFFICE_DOCUMENT = "/officeDocument"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"


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


def lock_files(path: Path) -> list[Path]:
    """Lock files that say someone has `path` open: Excel's ``~$`` owner file, LibreOffice's."""
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        candidates.append(f"~${name[2:]}")  # Office shortens long names this way
    return [path.parent / c for c in candidates if (path.parent / c).exists()]


def check_writable(path: str | Path) -> Path:
    """Raise a German `WorkbookBusy`/`WorkbookUnreadable` unless we may patch `path` now.

    Returns the real path (symlinks resolved, so the link itself survives the replace), after
    removing what killed runs left beside it (`remove_leftovers`).
    """
    path = Path(os.path.realpath(path))
    if not path.exists():
        raise WorkbookUnreadable(f"Die Datei „{path}“ gibt es nicht.")
    if path.is_dir():
        raise WorkbookUnreadable(f"„{path}“ ist ein Ordner, keine Arbeitsmappe.")
    for lock in lock_files(path):
        program = "LibreOffice" if lock.name.startswith(".~lock.") else "Excel"
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


@dataclass
class _Sheet:
    name: str
    sheet_id: int
    rid: str
    part: str | None  # zip entry name; None for a chart sheet or a broken link
    kind: str  # relationship type's last segment: worksheet, chartsheet, …


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Package:
    def __init__(self, z: RawZip, label: str):
        self.z = z
        self.label = label
        root_rels = self._xml("_rels/.rels")
        target = next((r.get("Target", "") for r in root_rels
                       if r.get("Type", "").endswith(OFFICE_DOCUMENT)), "xl/workbook.xml")
        wb = z.find(target)
        if wb is None:
            raise WorkbookUnreadable(f"„{label}“ ist beschädigt (Arbeitsmappen-Teil fehlt).")
        self.workbook_part = wb
        self.workbook_dir = posixpath.dirname(wb)
        self.rels_part = posixpath.join(self.workbook_dir, "_rels", posixpath.basename(wb) + ".rels")
        rels_name = z.find(self.rels_part)
        if rels_name is None:
            raise WorkbookUnreadable(f"„{label}“ ist beschädigt (Beziehungen der Arbeitsmappe fehlen).")
        self.rels_part = rels_name
        rels = {r.get("Id"): r for r in self._xml(rels_name)}
        self.rel_ids = set(rels)
        try:
            root = ElementTree.fromstring(z.read(wb))
        except ElementTree.ParseError as exc:
            raise WorkbookUnreadable(
                f"„{label}“ ist beschädigt ({wb} ist kein gültiges XML: {exc}). Excel kann die Mappe beim "
                "Öffnen reparieren; danach speichern und den Befehl noch einmal ausführen (oder die "
                "letzte Sicherungskopie „….bak.…“ verwenden). Es wurde nichts geändert.") from exc
        self.strict = root.tag.startswith("{" + STRICT_MAIN)
        self.sheets: list[_Sheet] = []
        listing = next((el for el in root if _local(el.tag) == "sheets"), None)
        for el in listing if listing is not None else ():
            if _local(el.tag) != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id" and k.startswith("{")), "")
            rel = rels.get(rid)
            part = self.resolve(rel.get("Target", "")) if rel is not None else None
            kind = rel.get("Type", "").rsplit("/", 1)[-1] if rel is not None else ""
            self.sheets.append(_Sheet(el.get("name", ""), int(el.get("sheetId", "0") or 0), rid, part, kind))

    def _xml(self, name: str) -> list[ElementTree.Element]:
        real = self.z.find(name)
        if real is None:
            return []
        try:
            return list(ElementTree.fromstring(self.z.read(real)))
        except ElementTree.ParseError as exc:
            raise WorkbookUnreadable(f"„{self.label}“ ist beschädigt ({name}).") from exc

    def resolve(self, target: str) -> str | None:
        part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(self.workbook_dir, target))
        return self.z.find(part)

    def sheet(self, name: str) -> _Sheet | None:
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
        self.sheets.append(_Sheet(name, sheet_id, rid, part, "worksheet"))
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


def patch_workbook(path: str | Path, cells: Mapping[str, Mapping[str, Value]] | None = None,
                   append: Mapping[str, Append] | None = None, *,
                   now: dt.datetime | None = None) -> PatchResult:
    """Write `cells` ({sheet: {"A5": value}}) and `append` ({sheet: Append}) into the workbook.

    Nothing is written when there is nothing to change.  Raises a German `KundenlisteError`
    (and leaves the file as it was) on every refusal or failure.
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
    for part, part_edits in edits.items():
        if not part_edits:
            continue
        xml = added[part] if part in added else z.read(part)
        new = patch_sheet_xml(xml, part_edits, f"{real.name}, {names[part]}")
        if part in added:
            added[part] = new
        else:
            parts[part] = new
        result.cells[names[part]] = [a1_ref(r, c) for r, c in sorted(part_edits)]
    if not parts and not added:
        return result
    for name, data in (*parts.items(), *added.items()):
        prove(data, f"{real.name}, {name}")  # never write a part a strict parser rejects
    result.changed_parts = [e.name for e in z.entries if e.name in parts]
    result.added_parts = list(added)
    result.backup = _commit(real, z, parts, added, before, now)
    return result


def _fail(path: Path, exc: OSError) -> WorkbookBusy:
    reason = exc.strerror or exc.__class__.__name__
    return WorkbookBusy(
        f"„{path.name}“ konnte nicht geschrieben werden ({reason}). Die Arbeitsmappe ist "
        "unverändert; bitte Speicherplatz und Schreibrechte im Ordner prüfen."
    )


# ---------------------------------------------------------------------------------------------
# Temporary files: named so that the next run knows which ones a killed run left behind

TEMP_SUFFIX = ".kl-tmp"
STALE_AFTER = dt.timedelta(hours=24)  # a temp file of another machine (shared folder) this old is dead
LEGACY_STALE_AFTER = dt.timedelta(minutes=10)  # earlier versions' names carry no process id
_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:24] or "host"


def _temp_name(path: Path) -> Path:
    """`.Kundenliste.xlsm.<host>.<pid>.<random>.kl-tmp` beside the workbook (hidden on macOS/Linux)."""
    return path.with_name(f".{path.name}.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _pid_alive(pid: int) -> bool:
    """Whether a process of this machine still runs (a reused id only delays a clean-up)."""
    if os.name == "nt":  # os.kill would terminate it there; ask Windows instead
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: it exists
        return True
    return True


def remove_leftovers(path: Path) -> list[Path]:
    """Remove the temporary files that killed runs left beside `path`; return them.

    Only our own names for this very workbook are considered, and only dead ones: written on
    this machine by a process that is gone, or older than a day (another machine's run in a
    shared folder).  A running colleague's temporary file is never touched.
    """
    removed: list[Path] = []
    head, legacy = f".{path.name}.", re.compile(re.escape(f".{path.stem}.") + r"[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))
    now = dt.datetime.now().timestamp()
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.endswith(TEMP_SUFFIX)
                      and (p.name.startswith(head) or legacy.fullmatch(p.name))]
    except OSError:
        return removed
    for candidate in candidates:
        fields = candidate.name[len(head):-len(TEMP_SUFFIX)].split(".")
        try:
            st = candidate.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if legacy.fullmatch(candidate.name):  # an earlier version's name (no process id in it)
            dead = st.st_mtime < now - LEGACY_STALE_AFTER.total_seconds()
        else:
            mine = len(fields) == 3 and fields[0] == _HOST and fields[1].isdigit()
            dead = (mine and not _pid_alive(int(fields[1]))) or st.st_mtime < now - STALE_AFTER.total_seconds()
        if dead:
            with contextlib.suppress(OSError):
                candidate.unlink()
                removed.append(candidate)
    return removed


def _owner_refusal(path: Path, before: os.stat_result, exc: OSError) -> WorkbookBusy:
    return WorkbookBusy(
        f"„{path.name}“ gehört einem anderen Benutzer oder einer Gruppe (Benutzer-Nr. {before.st_uid}, "
        f"Gruppen-Nr. {before.st_gid}), die dieses Konto einer neuen Datei nicht geben darf "
        f"({exc.strerror or exc}). Die Kolleginnen und Kollegen verlören sonst den Zugriff; es wurde "
        "nichts geändert. Bitte den Befehl als Besitzer der Datei ausführen oder die Datei kopieren."
    )


def _create_like(target: Path, path: Path, before: os.stat_result) -> int:
    """Create `target` empty with the owner, group, mode (and POSIX ACL) of the original.

    Done before a byte is written: when the file could not get the same owner or group, the
    run is refused (a colleague's replaced file would lock the team out) with nothing written.
    """
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        if hasattr(os, "fchown") and (before.st_uid, before.st_gid) != _owner_of(fd):
            os.fchown(fd, before.st_uid, before.st_gid)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, stat.S_IMODE(before.st_mode))  # after chown, which clears set-id bits
        else:
            os.chmod(target, stat.S_IMODE(before.st_mode))
        acl = _acl(path)
        if acl is not None:
            os.setxattr(fd, _ACL, acl)
        if hasattr(os, "fchown") and _owner_of(fd) != (before.st_uid, before.st_gid):
            raise PermissionError(1, "Besitzer nicht übernommen")
    except OSError as exc:
        os.close(fd)
        with contextlib.suppress(OSError):
            target.unlink()
        raise _owner_refusal(path, before, exc) from exc
    return fd


_ACL = "system.posix_acl_access"


def _owner_of(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_uid, st.st_gid


def _acl(path: Path) -> bytes | None:
    try:
        return os.getxattr(path, _ACL)
    except (OSError, AttributeError):
        return None


def _write_fd(fd: int, write: Callable[[BinaryIO], None]) -> None:
    with os.fdopen(fd, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())


def _commit(path: Path, z: RawZip, parts: Mapping[str, bytes], added: Mapping[str, bytes],
            before: os.stat_result, now: dt.datetime) -> Path:
    """Temp file → fsync → check → backup (the same way) → atomic replace.

    The original survives any failure, and whatever was started (temporary files, a backup
    not yet complete or no longer needed) is removed: a backup is complete or absent.
    """
    folder = path.parent
    tmp, backup_tmp, backup = _temp_name(path), _temp_name(path), None
    try:
        fd = _create_like(tmp, path, before)
        _write_fd(fd, lambda fh: write_zip(fh, z, parts, added))
        _verify(tmp, z, parts, added)
        now_stat = path.stat()
        if (now_stat.st_mtime_ns, now_stat.st_size) != (before.st_mtime_ns, before.st_size):
            raise WorkbookBusy(f"„{path.name}“ wurde während des Schreibens von einem anderen Programm "
                               "geändert; bitte noch einmal ausführen. Es wurde nichts geändert.")
        check_writable(path)  # Excel may have opened it meanwhile
        fd = _create_like(backup_tmp, path, before)
        _write_fd(fd, lambda fh: fh.write(z.raw))
        os.utime(backup_tmp, ns=(before.st_atime_ns, before.st_mtime_ns))
        _verify_copy(backup_tmp, z)
        backup = _publish(backup_tmp, path, now)
        os.replace(tmp, path)
    except BaseException as exc:
        for leftover in (tmp, backup_tmp, backup):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    leftover.unlink()
        if isinstance(exc, OSError):
            raise _fail(path, exc) from exc
        raise
    with contextlib.suppress(OSError, AttributeError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return backup


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
