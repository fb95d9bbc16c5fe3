"""Use case "einrichten": wire a workbook to the Python it is run in, or to a team server.

Installing becomes "install the package, run one command": the workbook's configuration says
where its macros find the tool.  Two places hold it (both plain key/value sheets the team can
read): the sheet `xlwings.conf` (xlwings' own keys `Interpreter_Win`/`Interpreter_Mac`, read by
RunPython) and the sheet `Einstellungen` (`Server`, `Server-Token`, read by our VBA: with a
server address every button and the check on save call the server instead of a local Python).

Only those configuration cells change, losslessly (`files.patch`: every other byte of the file
stays, a dated backup is kept); a key a workbook lacks is added below the keys of its sheet.
Wiring to this Python clears the server setting, so the two never compete.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence
from urllib.parse import urlsplit

from ..core.errors import InvalidInput
from ..core.model import EINSTELLUNGEN, XLWINGS_CONF, normalize_key
from ..files.patch import Append, check_writable, patch_workbook
from ..files.reader import read_named_sheets, require_writable

SERVER_KEY = "Server"
TOKEN_KEY = "Server-Token"
#: Plain http only to this computer (a test or a server started locally); elsewhere the token
#: and the customers' data must travel encrypted.
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass
class ConnectResult:
    """What `connect` wrote: per sheet, key → new value (None = cleared); where the backup is."""

    path: Path
    python: str | None
    server: str | None
    written: dict[str, dict[str, str | None]] = field(default_factory=dict)
    backup: Path | None = None

    @property
    def changed(self) -> bool:
        """True when the workbook file was written."""
        return any(self.written.values())


def interpreter_key(platform: str | None = None) -> str:
    """The xlwings.conf key of this operating system's interpreter (macOS and other systems: Mac)."""
    return "Interpreter_Win" if (platform or sys.platform).startswith("win") else "Interpreter_Mac"


def check_server(url: str, token: str | None) -> str:
    """The server address as the workbook keeps it (no trailing slash); refuses what cannot work."""
    url = (url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InvalidInput("server", f"„{url}“ ist keine Serveradresse; erwartet wird z. B. https://kundenliste.example.org.")
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        raise InvalidInput(
            "server", "Der Server muss über https erreichbar sein (nur ein Server auf diesem Rechner darf http nutzen)."
        )
    if not (token or "").strip():
        raise InvalidInput("token", "Der Team-Server verlangt ein Token; bitte das Team-Token angeben.")
    return url


def connect(
    path: str | Path,
    *,
    server: str | None = None,
    token: str | None = None,
    python: str | None = None,
    platform: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ConnectResult:
    """Write the configuration: this Python (`python`, default the running one) or `server` + `token`."""
    require_writable(path)
    check_writable(path)
    if server is not None:
        server = check_server(server, token)
        wanted = {EINSTELLUNGEN: {SERVER_KEY: server, TOKEN_KEY: token.strip()}}  # type: ignore[union-attr]
        python = None
    else:
        python = python or sys.executable
        wanted = {
            XLWINGS_CONF: {interpreter_key(platform): python},
            EINSTELLUNGEN: {SERVER_KEY: None, TOKEN_KEY: None},
        }
    grids = read_named_sheets(path, set(wanted))
    cells: dict[str, dict[str, Any]] = {}
    append: dict[str, Append] = {}
    result = ConnectResult(Path(path), python, server)
    for sheet, values in wanted.items():
        real = next((name for name in grids if normalize_key(name) == normalize_key(sheet)), None)
        if real is None:  # no such sheet yet: created, visible, with the keys that carry a value
            rows = [[k, v] for k, v in values.items() if v is not None]
            if rows:
                append[sheet] = Append(rows, state="visible")
                result.written[sheet] = {k: v for k, v in values.items() if v is not None}
            continue
        edits, changed = _edits(grids[real], values)
        if edits:
            cells[real] = edits
            result.written[real] = changed
    if not cells and not append:
        return result
    if progress:
        progress(f"Schreibe die Einrichtung in {Path(path).name} …")
    written = patch_workbook(path, cells=cells, append=append)
    result.backup = written.backup
    return result


def _edits(
    grid: Sequence[Sequence[Any]], values: dict[str, str | None]
) -> tuple[dict[str, Any], dict[str, str | None]]:
    """Cell edits (A1 → value) that make the key/value rows of `grid` say `values`.

    A key is found in column A (forgiving spelling); its value in column B is written when it
    differs.  A missing key goes into the first empty row below the block of keys that starts in
    A1 (where xlwings stops reading); a key that would only be cleared is not added.
    """
    rows = {normalize_key(row[0]): i for i, row in enumerate(grid, start=1) if row and _text(row[0])}
    free = next((i for i, row in enumerate(grid, start=1) if not row or not _text(row[0])), len(grid) + 1)
    edits: dict[str, Any] = {}
    changed: dict[str, str | None] = {}
    for key, value in values.items():
        row = rows.get(normalize_key(key))
        if row is None:
            if value is None:
                continue
            edits[f"A{free}"], edits[f"B{free}"] = key, value
            changed[key] = value
            free += 1
            while free <= len(grid) and grid[free - 1] and _text(grid[free - 1][0]):
                free += 1  # the next empty row
            continue
        current = grid[row - 1][1] if len(grid[row - 1]) > 1 else None
        if _text(current) != (value or ""):
            edits[f"B{row}"] = value
            changed[key] = value
    return edits, changed


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
