"""Reading a team's workbook fast (python-calamine) and failing clearly on anything else.

The file is looked at before it is parsed, so that a CSV, an old `.xls`, a corrupt zip or an
encrypted workbook each gets its own German message instead of a parser's traceback.  An
encrypted workbook is decrypted in memory only, never written to disk.
"""

from __future__ import annotations

import contextlib
import gc
import io
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import python_calamine as pc

from ..core.book import AUX_SHEETS, WorkbookData, workbook_from_grids
from ..core.errors import PasswordRequired, WorkbookUnreadable
from ..core.model import canonical_sheet, normalize_key

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}


def sniff(path: Path) -> str:
    """`ooxml`, `encrypted`, `xls`, `csv`/`text`, or `unknown`, from the first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(8)
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


def open_bytes(path: Path, password: str | None = None) -> BinaryIO | Path:
    """The workbook's bytes ready for calamine: the path itself, or a decrypted in-memory copy."""
    path = Path(path)
    if not path.exists():
        raise WorkbookUnreadable(f"Die Datei „{path}“ gibt es nicht.")
    if path.is_dir():
        raise WorkbookUnreadable(f"„{path}“ ist ein Ordner, keine Arbeitsmappe.")
    kind = sniff(path)
    if kind == "encrypted":
        return decrypt(path, password)
    if kind == "xls":
        raise WorkbookUnreadable(
            f"„{path.name}“ ist eine alte Excel-Datei (.xls). Bitte in Excel öffnen und als "
            "„Excel-Arbeitsmappe mit Makros (*.xlsm)“ oder „(*.xlsx)“ speichern."
        )
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
    if bad is not None or "xl/workbook.xml" not in names:
        raise WorkbookUnreadable(
            f"„{path.name}“ ist beschädigt oder keine Excel-Arbeitsmappe (Teil „{bad or 'xl/workbook.xml'}“). "
            "Bitte eine Sicherungskopie verwenden."
        )
    return path


def decrypt(path: Path, password: str | None) -> BinaryIO:
    """Decrypt a password-protected workbook into memory; nothing decrypted touches the disk."""
    if not password:
        raise PasswordRequired(
            f"„{path.name}“ ist mit einem Kennwort verschlüsselt. Bitte mit --passwort angeben."
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


def read_grids(source: BinaryIO | Path, wanted: set[str] | None = None, name: str = "") -> dict[str, list[list[Any]]]:
    """Raw cell grids (from A1) of the sheets the model uses, keyed by sheet name."""
    try:
        if isinstance(source, Path):
            wb = pc.CalamineWorkbook.from_path(str(source))
        else:
            wb = pc.CalamineWorkbook.from_filelike(source)
    except Exception as exc:  # calamine's errors are not one family
        raise WorkbookUnreadable(
            f"„{name}“ ist beschädigt und kann nicht gelesen werden ({exc}). Bitte eine Sicherungskopie verwenden."
        ) from exc
    grids: dict[str, list[list[Any]]] = {}
    with_aux = {normalize_key(s) for s in AUX_SHEETS}
    for sheet in wb.sheet_names:
        if wanted is None and not (canonical_sheet(sheet) or normalize_key(sheet) in with_aux):
            grids[sheet] = []  # listed, so a "missing sheet" message can name it, but not read
            continue
        if wanted is not None and sheet not in wanted:
            grids[sheet] = []
            continue
        try:
            grids[sheet] = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:
            raise WorkbookUnreadable(
                f"Das Blatt „{sheet}“ in „{name}“ ist beschädigt ({exc})."
            ) from exc
    return grids


def read_workbook(path: str | Path, password: str | None = None) -> WorkbookData:
    """Read a Kundenliste workbook into the model. Raises `WorkbookUnreadable` with a German message."""
    path = Path(path)
    source = open_bytes(path, password)
    with _collector_paused():
        grids = read_grids(source, name=path.name)
        return workbook_from_grids(grids, source=path.name)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading creates millions of cell objects, none of them in a reference cycle; Python's
    cyclic collector would walk them again and again for nothing (a tenth of the read time
    at 300,000 entries).  Plain reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
