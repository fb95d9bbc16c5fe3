"""Reading a team's workbook fast (python-calamine) and failing clearly on anything else.

The file is looked at before it is parsed, so that a CSV, an old `.xls`, a corrupt zip or an
encrypted workbook each gets its own German message instead of a parser's traceback.  An
encrypted workbook is decrypted in memory only, never written to disk.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import sys
import threading
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterator
from zlib import error as zlib_error

import python_calamine as pc

from ..core.collector import collector_paused
from ..core.errors import PasswordRequired, WorkbookUnreadable
from ..core.model import AUX_SHEETS, KUNDENDOKU, canonical_sheet, normalize_key, resolve_sheets
from ..core.records import SheetFacts
from .package import sheet_parts

if TYPE_CHECKING:
    from ..core.book import KundenPart, WorkbookData

#: `read_grids(ready=)`: every sheet but the KundenDoku read and settled, with the sheets' facts.
Ready = Callable[[dict[str, Any], dict[str, SheetFacts]], None]

# pandas (and `core.book`, which needs it) is imported only while calamine parses, in
# `_read_sheets`: an import here would cost 0.3 s before the parse could start.

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
#: What the in-place writers can change without loss; the other formats are read only.
WRITABLE_SUFFIXES = {".xlsx", ".xlsm"}
#: A cell grid wider than the header by this many cells (rows × extra columns) is cut first.
STRAY_CELLS = 1_000_000


def sniff(path: Path) -> str:
    """`ooxml`, `encrypted`, `xls`, `csv`/`text`, or `unknown`, from the first bytes."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except PermissionError as exc:
        raise WorkbookUnreadable(f"„{path.name}“ darf nicht gelesen werden (keine Leserechte); "
                                 "bitte die Berechtigung der Datei prüfen.") from exc
    except OSError as exc:
        raise WorkbookUnreadable(f"„{path.name}“ kann nicht gelesen werden ({exc.strerror or exc}).") from exc
    if head.startswith(ZIP_MAGIC):
        return "ooxml"
    if head == OLE_MAGIC:
        import olefile

        try:
            with olefile.OleFileIO(str(path)) as ole:
                if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
                    return "encrypted"
        except OSError:
            return "unknown"
        return "xls"
    if path.suffix.lower() in {".csv", ".txt"}:
        return "csv"
    return "text" if head and all(32 <= b < 127 or b in b"\t\r\n" for b in head) else "unknown"


def require_file(path: Path) -> None:
    """Refuse, in German, a path that is missing or a folder."""
    if not path.exists():
        raise WorkbookUnreadable(f"Die Datei „{path}“ gibt es nicht.")
    if path.is_dir():
        raise WorkbookUnreadable(f"„{path}“ ist ein Ordner, keine Arbeitsmappe.")


def open_bytes(path: Path, password: str | None = None) -> BinaryIO | Path:
    """The workbook's bytes ready for calamine: the path itself, or a decrypted in-memory copy."""
    path = Path(path)
    require_file(path)
    kind = sniff(path)
    if kind == "encrypted":
        return decrypt(path, password)
    if kind == "xls":
        return path  # an old .xls: calamine reads it (the writers refuse it, `require_writable`)
    if kind in ("csv", "text"):
        raise WorkbookUnreadable(
            f"„{path.name}“ ist eine Textdatei (CSV), keine Arbeitsmappe. Die Kundenliste muss "
            "eine Excel-Arbeitsmappe (.xlsx/.xlsm) mit den Blättern Kundenliste und KundenDoku sein."
        )
    if kind != "ooxml":
        raise WorkbookUnreadable(f"„{path.name}“ ist keine Excel-Arbeitsmappe (.xlsx/.xlsm).")
    # Only the directory is looked at here: a CRC check of every part (`testzip`) would
    # inflate the whole file once more before calamine does (0.5 s at 300,000 entries), and
    # calamine refuses a damaged part it reads anyway (read_grids turns that into the same
    # "beschädigt" message).
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            bad = None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise WorkbookUnreadable(
            f"„{path.name}“ ist beschädigt und kann nicht gelesen werden ({exc.__class__.__name__}). "
            "Bitte eine Sicherungskopie verwenden."
        ) from exc
    if "xl/workbook.bin" in names or ("mimetype" in names and "content.xml" in names):
        return path  # .xlsb or .ods: calamine reads them
    if bad is not None or "xl/workbook.xml" not in names:
        raise WorkbookUnreadable(
            f"„{path.name}“ ist beschädigt oder keine Excel-Arbeitsmappe (Teil „{bad or 'xl/workbook.xml'}“). "
            "Bitte eine Sicherungskopie verwenden."
        )
    return path


def require_writable(path: str | Path) -> None:
    """Refuse, before anything is read, to write into a format the tool only reads."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in WRITABLE_SUFFIXES:
        return
    if suffix in {".ods", ".xlsb", ".xls", ".xltx", ".xltm"} or (path.exists() and sniff(path) == "xls"):
        raise WorkbookUnreadable(
            f"In „{path.name}“ kann nur gelesen, nicht geschrieben werden; bitte in Excel oder "
            "LibreOffice als .xlsx oder .xlsm speichern und diese Datei verwenden."
        )


def decrypt(path: Path, password: str | None) -> BinaryIO:
    """Decrypt a password-protected workbook into memory; nothing decrypted touches the disk."""
    if not password:
        raise PasswordRequired(
            f"„{path.name}“ ist mit einem Kennwort verschlüsselt. Bitte das Kennwort angeben."
        )
    import msoffcrypto

    out = io.BytesIO()
    try:
        with open(path, "rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            office.load_key(password=password)
            office.decrypt(out)
    except Exception as exc:  # msoffcrypto raises its own family plus ValueError
        raise PasswordRequired(
            f"„{path.name}“ konnte mit diesem Kennwort nicht entschlüsselt werden."
        ) from exc
    out.seek(0)
    return out


def read_grids(source: BinaryIO | Path, wanted: set[str] | None = None, name: str = "",
               facts: dict[str, SheetFacts] | None = None,
               meanwhile: Callable[[], Any] | None = None,
               ready: Ready | None = None) -> dict[str, list[list[Any]]]:
    """Raw cell grids (from A1) of the sheets the model uses, keyed by sheet name.

    For an .xlsx/.xlsm, the two record sheets are scanned first (`files.sheetfacts`): their
    formula cells, totals rows and merged ranges go into `facts` (when given), their error
    cells into the grid as text (`#N/A`, so validation reports `zellfehler`), and a stray cell
    far right of the header (or far down) is cut away before calamine sees it: such a sheet
    alone is parsed from a small package of its cut XML (`_plan`), the others from `source`.
    `meanwhile` is work for the next step (imports, tables), done in this thread while
    calamine parses.  `ready(grids, facts)` is called in this thread as soon as every sheet
    but the KundenDoku is read and settled (its errors in the grid, its facts known), while
    the KundenDoku, the longest parse, still runs: the Kundenliste's own work can start
    then.  `grids` lists every sheet (those not read yet as empty grids).
    """
    second = _second_opener(source)
    started: list[tuple[str, threading.Thread, dict[str, Any]]] = []

    def decided(sheets: list[str], to_cut: set[str]) -> None:
        doku = next((sheet for sheet in sheets if canonical_sheet(sheet) == KUNDENDOKU), None)
        if doku is not None and doku not in to_cut:  # a cut KundenDoku waits for its package
            parse = _start_doku(doku, wanted, second, name, {})
            if parse is not None:
                started.append(parse)

    try:
        plan, cut = _plan(source, name, decided)
    except BaseException:
        for _, thread, _ in started:  # a sheet that cannot be cut: no parse left running
            thread.join()
        raise
    early = started[0] if started else None
    scans: dict[str, Any] = {}
    scanned_now = {sheet: threading.Event() for _, sheet, _, _ in plan}
    # started by `_read_sheets` once pandas is imported; decompressing the sheet XML then
    # overlaps calamine's parse
    scanner = threading.Thread(target=_scan_all, args=(plan, scans, scanned_now), daemon=True) if plan else None
    try:
        if isinstance(source, Path):
            wb = pc.CalamineWorkbook.from_path(str(source))
        else:
            wb = pc.CalamineWorkbook.from_filelike(source)
    except Exception as exc:  # calamine's errors are not one family
        if early:
            early[1].join()
        raise WorkbookUnreadable(
            f"„{name}“ ist beschädigt und kann nicht gelesen werden ({exc}). Bitte eine Sicherungskopie verwenden."
        ) from exc
    # the first handle may be closed early when every record sheet it reads was scanned
    # (nothing asks it for merged cells afterwards); the fallback then opens a new one
    scanned = {sheet for _, sheet, _, _ in plan}
    release = second is not None and bool(plan) and all(
        sheet in scanned for sheet in wb.sheet_names if canonical_sheet(sheet) and (wanted is None or sheet in wanted))
    settled: set[str] = set()
    facts = {} if facts is None else facts

    def settle(sheet: str, grid: Any) -> bool:
        """A record sheet's scan into its grid and `facts` (False: the scan failed)."""
        if sheet in scanned_now:
            scanned_now[sheet].wait()
            scan = scans.get(sheet)
            if scan is None:
                return False
            for (r, c), text in scan.errors.items():
                if r - 1 < len(grid) and c < len(grid[r - 1]) and grid[r - 1][c] in ("", None):
                    grid[r - 1][c] = text or "#N/A"
            facts[sheet] = scan.facts
        elif canonical_sheet(sheet) and len(grid):
            facts[sheet] = SheetFacts(merged=_merged(wb.get_sheet_by_name(sheet)))
        settled.add(sheet)
        return True

    def first_part(grids: dict[str, Any]) -> None:
        if all(settle(sheet, grid) for sheet, grid in grids.items() if sheet not in settled and len(grid)):
            ready(grids, facts)  # type: ignore[misc]

    try:
        grids = _read_sheets(wb, wanted, name, second, meanwhile, cut, early,
                             reopen=(lambda: _fresh_handle(source)) if release else None,
                             ready=first_part if ready is not None else None,
                             begin=scanner.start if scanner else None)
    finally:  # a failing sheet or `ready`: no scan left running behind the caller's back
        if scanner and scanner.ident is not None:
            scanner.join()
    if scanner:
        if "!" in scans:
            raise WorkbookUnreadable(
                f"„{name}“ ist beschädigt und kann nicht gelesen werden ({scans['!']}). Bitte eine "
                "Sicherungskopie verwenden.")
    for sheet, grid in grids.items():
        if sheet not in settled and (sheet in scans or len(grid)):
            settle(sheet, grid)
    return grids


def _start_doku(doku: str, wanted: set[str] | None, second: Any, name: str,
                cut: dict[str, Callable[[], Any]]) -> tuple[str, threading.Thread, dict[str, Any]] | None:
    """Start the KundenDoku's parse on its own handle at once, before any cut package is made
    and before the first handle is opened: opening a handle parses the shared strings (0.4 s
    for the 600,000 distinct notes of 300,000 entries), and the KundenDoku, the longest
    parse, should not wait for the other handle's.  Its name comes from the package
    (`_plan`); for other formats, and for a KundenDoku that had to be cut first,
    `_read_sheets` starts it once the first handle has named the sheets."""
    if second is None or (wanted is not None and doku not in wanted):
        return None
    done: dict[str, Any] = {}
    thread = threading.Thread(target=_parse_into, args=(second, [doku], name, done, cut, True), daemon=True)
    thread.start()
    return doku, thread, done


def _read_sheets(wb: Any, wanted: set[str] | None, name: str, second: Any = None,
                 meanwhile: Callable[[], Any] | None = None,
                 cut: dict[str, Callable[[], Any]] | None = None,
                 early: tuple[str, threading.Thread, dict[str, Any]] | None = None,
                 reopen: Callable[[], Any] | None = None,
                 ready: Callable[[dict[str, Any]], None] | None = None,
                 begin: Callable[[], None] | None = None) -> dict[str, list[list[Any]]]:
    """The grids of the sheets to read, parsed in two threads; this one imports pandas first.

    calamine lets go of the GIL while it parses, so on two cores the KundenDoku (the largest
    sheet, on a second workbook handle that `second` opens, or already started by
    `_start_doku`) and the other sheets are parsed side by side.  pandas, which the next step
    needs anyway, is imported first, while the KundenDoku alone parses (0.15 s): started
    beside the other sheets' conversion to Python values and the scan (`begin`), which all
    want the GIL too, the import took three times as long and held up every later step.
    Then `begin` (the scan), the other sheets, and `meanwhile`.  A sheet in `cut` is parsed on its own
    handle (`_plan`'s small package without the stray cells).  With `reopen` (an .xlsx, whose
    record sheets are all scanned) the first handle is closed as soon as its sheets are done;
    `reopen` gives a new one should the KundenDoku's handle fail.  `ready` gets every sheet
    read so far (the others as empty grids) once the first handle's sheets are done, while
    the KundenDoku may still parse."""
    todo: list[str] = []
    grids: dict[str, list[list[Any]]] = {}
    with_aux = {normalize_key(s) for s in AUX_SHEETS}
    for sheet in wb.sheet_names:
        grids[sheet] = []  # listed, so a "missing sheet" message can name it, but not read
        if wanted is None and not (canonical_sheet(sheet) or normalize_key(sheet) in with_aux):
            continue
        if wanted is not None and sheet not in wanted:
            continue
        todo.append(sheet)
    if early is not None and early[0] not in todo:  # the package named a sheet calamine has not
        early[1].join()
        early = None
    cut = cut or {}
    if early is None:  # not started before the first handle: another format, or a cut KundenDoku
        doku = next((s for s in todo if canonical_sheet(s) == KUNDENDOKU), None)
        early = _start_doku(doku, None, second, name, cut) if doku else None
    rest = [s for s in todo if early is None or s != early[0]]
    done: dict[str, Any] = {}
    threads = [threading.Thread(target=_parse_into, args=(lambda: wb, rest, name, done, cut, False, early is not None),
                                daemon=True)]
    if early is not None:
        threads.append(early[1])
    # the first handle is closed once its sheets are done while the KundenDoku still parses:
    # its copy of the shared strings (90 MB with 600,000 different notes) goes before that
    # parse peaks.  An .xlsx's sheets are all scanned, so nothing asks it for merged cells.
    release = reopen is not None and len(threads) > 1
    closed = False
    try:
        from ..core import book  # noqa: F401  (pandas: the frames are built from these grids next)
        if begin is not None:
            begin()
        threads[0].start()
        if meanwhile is not None:
            meanwhile()
        threads[0].join()
        if release:
            wb.close()
            closed = True
        if ready is not None and "!" not in done:
            ready({**grids, **done})
    finally:
        if threads[0].ident is not None:
            threads[0].join()
        if release and not closed:
            wb.close()
        for thread in threads[1:]:
            thread.join()
    if early is not None:
        early_failed = early[2].pop("!", None)
        if early_failed is not None:
            done.setdefault("!", early_failed)  # a failure of the other sheets comes first
        done.update(early[2])
    failed = done.pop("!", None)
    if failed is not None and failed[0] in rest:
        raise failed[1]
    if failed is not None:
        # the second handle failed: the first one (or, closed, a new one) reads the sheet
        # and says what is wrong
        sheet = failed[0]
        handle = cut[sheet]() if sheet in cut else _reopen(reopen, sheet, name) if release and reopen else wb
        done[sheet] = _parse(handle, sheet, name)
    grids.update(done)
    return grids


def _parse_into(opener: Any, sheets: list[str], name: str, out: dict[str, Any],
                cut: dict[str, Callable[[], Any]], own: bool = False, side: bool = False) -> None:
    """A thread's share of `_read_sheets`: the first failure goes into `out["!"]`.  The handle
    from `opener` is opened only for a sheet that is not cut (a cut KundenDoku needs none);
    a handle of its `own` is closed as soon as its last sheet is parsed, before that sheet's
    cells become Python values (its shared strings are not needed for that).  `side`: these
    sheets are not the KundenDoku, which parses in a thread of its own (`_side_work`)."""
    sheet = ""
    wb = None
    if side:
        _side_work()
    try:
        for i, sheet in enumerate(sheets):
            if sheet in cut:
                out[sheet] = _parse(cut[sheet](), sheet, name)
                continue
            wb = opener() if wb is None else wb
            out[sheet] = _parse(wb, sheet, name, close=own and i == len(sheets) - 1)
    except BaseException as exc:  # re-raised (or the sheet re-read) by the calling thread
        out.setdefault("!", (sheet or sheets[0], exc))


def _parse(wb: Any, sheet: str, name: str, close: bool = False) -> Any:
    try:
        ws = wb.get_sheet_by_name(sheet)
        if close:
            wb.close()
        if canonical_sheet(sheet):
            return record_cells(ws)
        return ws.to_python(skip_empty_area=False)
    except Exception as exc:
        raise WorkbookUnreadable(
            f"Das Blatt „{sheet}“ in „{name}“ ist beschädigt ({exc})."
        ) from exc


#: Texts up to this length are kept once (IDs, names, list values, short notes); longer ones
#: are a team's free text, nearly every one different, where keeping them would only cost.
SHORT_TEXT = 48


class _Distinct(dict):  # type: ignore[type-arg]
    """Each distinct cell value once: a look-up returns the first object equal to the key.

    Only values that cannot stand for another type are kept: short text, dates, and
    fractional numbers.  1, 1.0 and True are equal in Python, so an integral number or a bool
    kept here would come back for a cell of another type; those are passed through as they
    are, and so are long texts (`SHORT_TEXT`): with 600,000 different notes the table and
    its growth cost 0.3 s and 30 MB for nothing."""

    __slots__ = ()

    def __missing__(self, value: Any) -> Any:
        kind = value.__class__
        if kind is str:
            if len(value) <= SHORT_TEXT:
                self[value] = value
        elif kind is dt.date or kind is dt.datetime or (kind is float and not value.is_integer()):
            self[value] = value
        return value


def record_cells(ws: Any) -> Any:
    """A record sheet's cells from A1 as an (rows, columns) object array, each distinct short
    value one object.

    `to_python` makes a new object for every cell and a list for every row while calamine
    still holds its own copy of the sheet, though a KundenDoku repeats the same IDs, dates,
    Kontaktarten and Berater over and over.  Here the rows are read one by one, each cell is
    swapped for the first equal value at once (`_Distinct`), and the cells go straight into
    one array.  The values are the same; at 300,000 entries the peak of the conversion falls
    from 536 to 390 MB when every note differs (from 420 to 237 MB on the benchmark's
    workbook, whose notes repeat), and every later look-up of a value (factorising a column)
    finds its hash already computed."""
    import itertools

    import numpy as np

    height, width = ws.height, ws.width
    if tuple(ws.start or ()) != (0, 0) or not height or not width:
        # a sheet whose first row or column is empty: `iter_rows` then starts at the first
        # used column but at row 1, so its rows are not the grid from A1; rare, read as before
        return ws.to_python(skip_empty_area=False)
    distinct = _Distinct()
    return np.fromiter(map(distinct.__getitem__, itertools.chain.from_iterable(ws.iter_rows())),
                       dtype=object, count=height * width).reshape(height, width)


def _second_opener(source: BinaryIO | Path) -> Any:
    """How to open a second calamine handle on the same bytes (its own file position)."""
    if isinstance(source, (Path, io.BytesIO)):
        return lambda: _fresh_handle(source)
    return None


def _fresh_handle(source: io.BytesIO | Path) -> Any:
    """A new calamine handle on the workbook's bytes (a file, or an in-memory copy)."""
    if isinstance(source, Path):
        return pc.CalamineWorkbook.from_path(str(source))
    return pc.CalamineWorkbook.from_filelike(io.BytesIO(source.getvalue()))


def _reopen(opener: Callable[[], Any], sheet: str, name: str) -> Any:
    """A handle for the fallback read of `sheet` after the first one was closed."""
    try:
        return opener()
    except Exception as exc:  # calamine's errors are not one family
        raise WorkbookUnreadable(f"Das Blatt „{sheet}“ in „{name}“ ist beschädigt ({exc}).") from exc


def _merged(ws: Any) -> tuple[tuple[int, int, int, int], ...]:
    """Merged ranges calamine knows (.xls), as (first row, first col, last row, last col)."""
    try:
        ranges = ws.merged_cell_ranges or []
    except Exception:
        return ()
    return tuple((r0 + 1, c0, r1 + 1, c1) for (r0, c0), (r1, c1) in ranges)


def _plan(source: BinaryIO | Path, name: str,
          decided: Callable[[list[str], set[str]], None] | None = None,
          ) -> tuple[list[tuple[Any, str, str, dict[int, int]]], dict[str, Callable[[], Any]]]:
    """Which record sheets of an .xlsx/.xlsm to scan (a zip opener, sheet name, part), and how
    to open each sheet that has a stray cell far right of the header (or far down): a calamine
    handle on a small in-memory package of that sheet's cut XML and the few parts calamine
    needs beside it (`sheetfacts.cut_package`).  The rest of the workbook is parsed from
    `source` as it is, so only the cut sheet is ever held in memory.  Other formats: nothing
    to scan, nothing to cut.  `decided(record sheets, sheets to cut)` is told as soon as that
    is known, before the cut packages are made (0.15 s for a 30,000-customer sheet): the
    KundenDoku's parse can start meanwhile."""
    from . import sheetfacts

    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        _rewind(source)
        return [], {}
    cut: dict[str, Callable[[], Any]] = {}
    packages: dict[str, bytes] = {}
    with zf:
        try:
            parts = sheet_parts(zf)
        except WorkbookUnreadable:  # calamine gives its own message for a broken workbook part
            parts = {}
        found, _ = resolve_sheets(list(parts))
        moved: dict[str, dict[int, int]] = {}
        todo = [(sheet, parts[sheet]) for sheet in found.values()
                if parts.get(sheet) and parts[sheet] in zf.NameToInfo]
        cuts: list[tuple[str, str, int, bool, bool]] = []
        for sheet, part in todo:
            with _damaged(sheet, name):
                dimension, width = sheetfacts.head(zf, part)
                if not (dimension and width):
                    continue
                rows, cols = dimension[0], dimension[1] + 1
                # a dense grid of the used range far larger than the cells in the file: a stray
                # cell far right (XFD) or far down (row 1,048,576) spans it
                far_right = (cols - width) * rows > STRAY_CELLS
                sparse = rows * width > STRAY_CELLS and zf.getinfo(part).file_size < rows * width
                if far_right or sparse:
                    cuts.append((sheet, part, width, far_right, sparse))
        if decided is not None:
            decided([sheet for sheet, _ in todo], {sheet for sheet, *_ in cuts})
        for sheet, part, width, far_right, sparse in cuts:
            with _damaged(sheet, name):
                xml, row_map = sheetfacts.trimmed_sheet(sheetfacts.member_bytes(zf, part), width,
                                                        far_right, sparse)
                package = sheetfacts.cut_package(zf, part, xml, set(parts.values()))
                del xml
                cut[sheet] = _package_opener(package)
                packages[sheet] = package
                if row_map:
                    moved[sheet] = row_map
    _rewind(source)
    if isinstance(source, Path):
        opener: Any = lambda: zipfile.ZipFile(source)  # noqa: E731
    else:
        view = source.getbuffer() if isinstance(source, io.BytesIO) else source.read()
        _rewind(source)
        opener = lambda: zipfile.ZipFile(io.BytesIO(view))  # noqa: E731  (own position)
    # a cut sheet is scanned in its package, as calamine sees it: moved rows under the
    # numbers of the grid (`row_map` gives their real ones), the cells beyond the header gone
    return [(_zip_opener(packages[sheet]) if sheet in packages else opener, sheet, part,
             moved.get(sheet, {})) for sheet, part in todo], cut


@contextlib.contextmanager
def _damaged(sheet: str, name: str) -> Iterator[None]:
    """A sheet whose part cannot be unpacked: the German "beschädigt" message."""
    try:
        yield
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib_error) as exc:
        raise WorkbookUnreadable(
            f"Das Blatt „{sheet}“ in „{name}“ ist beschädigt ({exc}). Bitte eine "
            "Sicherungskopie verwenden.") from exc


def _zip_opener(package: bytes) -> Callable[[], zipfile.ZipFile]:
    return lambda: zipfile.ZipFile(io.BytesIO(package))


def _package_opener(package: bytes) -> Callable[[], Any]:
    """A calamine handle on `package`, opened once, when its sheet is parsed."""
    handle: list[Any] = []

    def opener() -> Any:
        if not handle:
            handle.append(pc.CalamineWorkbook.from_filelike(io.BytesIO(package)))
        return handle[0]

    return opener


def _scan_all(plan: list[tuple[Any, str, str, dict[int, int]]], out: dict[str, Any],
              done: dict[str, threading.Event]) -> None:
    """The background half of reading: each record sheet's facts into `out` (errors under `!`),
    each sheet's event in `done` set as soon as its facts are there (all of them on a failure)."""
    from . import sheetfacts

    _side_work()
    try:
        for opener, sheet, part, row_map in plan:
            with opener() as zf:
                out[sheet] = sheetfacts.scan_sheet(zf, part, row_map)
            done[sheet].set()
    except Exception as exc:  # reported by the reading thread, in German
        out["!"] = f"{exc.__class__.__name__}: {exc}"
    finally:
        for event in done.values():
            event.set()


#: How much less urgent (nice levels, Linux) the read's side work is: the scan and the other
#: sheets' parse beside the KundenDoku's.
SIDE_WORK_NICE = 10


def _side_work() -> None:
    """Lower the calling thread's priority (Linux only, where a thread has a nice value of its
    own; never raised, failures ignored).

    The KundenDoku's parse is the read's longest path and the main thread's work (imports,
    the Kundenliste's checks) the next; with four threads on two cores the scheduler gave
    each a like share, and the KundenDoku took 1.5 s instead of 1.2 s at 30,000 customers.
    With the scan and the other sheets' parse a little less urgent, `pruefen` and `faellig`
    took 4–8 % less time there (bench/README.md); the side work still gets every idle core."""
    if not sys.platform.startswith("linux"):
        return  # elsewhere PRIO_PROCESS would name a process, not this thread
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + SIDE_WORK_NICE))
    except (OSError, AttributeError):
        pass


def _rewind(source: BinaryIO | Path) -> None:
    if not isinstance(source, Path):
        source.seek(0)


def read_workbook(path: str | Path, password: str | None = None,
                  meanwhile: Callable[[], Any] | None = None,
                  first: Callable[[KundenPart], Any] | None = None) -> WorkbookData:
    """Read a Kundenliste workbook into the model. Raises `WorkbookUnreadable` with a German message.

    `meanwhile`: what the command will need next (its imports), done while calamine parses.
    `first`: the command's work on the Kundenliste alone, given its share of the model
    (`core.book.kunden_part`) while the KundenDoku is still parsed; the model returned holds
    that very share.  Not called when the Kundenliste's share cannot be built (a record sheet
    missing or ambiguous, a Kundenliste without a header: the model's own message follows); a
    KundenDoku the model refuses is found only after the call, and its message is the same."""
    path = Path(path)
    source = open_bytes(path, password)
    part: list[KundenPart] = []

    def kunden_ready(grids: dict[str, Any], facts: dict[str, SheetFacts]) -> None:
        from ..core.book import kunden_part

        built = kunden_part(grids, facts)
        if built is not None:
            part.append(built)
            first(built)  # type: ignore[misc]

    with collector_paused():
        facts: dict[str, SheetFacts] = {}
        grids = read_grids(source, name=path.name, facts=facts, meanwhile=meanwhile,
                           ready=kunden_ready if first is not None else None)
        from ..core.book import workbook_from_grids

        return workbook_from_grids(grids, source=path.name, facts=facts, first=part[0] if part else None)


def read_named_sheets(path: str | Path, names: set[str]) -> dict[str, list[list[Any]]]:
    """The cell grids (from A1) of the sheets called `names` (forgiving keys), by their real names.

    For small sheets the model does not know, such as the configuration (`xlwings.conf`); the
    record sheets go through `read_workbook`.
    """
    path = Path(path)
    require_file(path)
    keys = {normalize_key(n) for n in names}
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
                for name in wb.sheet_names if normalize_key(name) in keys}
    except Exception as exc:  # calamine's errors are not one family
        raise WorkbookUnreadable(
            f"„{path.name}“ ist beschädigt und kann nicht gelesen werden ({exc}). Bitte eine Sicherungskopie verwenden."
        ) from exc
