"""Writing the demo workbook, and the demo's own folder, which never costs a user a file.

`kundenliste demo .` or `kundenliste demo ~` must not wipe anything.  So the demo writes a
marker file into the folder it makes its own, listing every file it wrote there.  It uses a
folder that is new or empty, or one that carries its marker; in such a folder it replaces only
files the marker lists.  Any other file in the folder stays untouched, and a non-empty folder
without the marker is refused.  Nothing of the demo ever deletes a file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..core.demo_data import DemoData, generate
from ..core.errors import KundenlisteError
from .template import write_workbook

DEMO_NAME = "Kundenliste-Demo.xlsm"
#: The demo team works in Berlin: its holidays (Frauentag, 8 March) shorten the planned weeks.
DEMO_SETTINGS = {"Bundesland": "BE"}
MARKER = ".kundenliste-demo"
_MARKER_HEAD = ("# Dieser Ordner wurde von „kundenliste demo“ angelegt. Die folgenden Dateien hat die "
                "Demo geschrieben\n# und darf sie beim nächsten Lauf ersetzen; alle anderen Dateien "
                "rührt sie nicht an.\n")


def write_demo(path: str | Path, today: dt.date | None = None, n_customers: int = 300) -> DemoData:
    """Build the demo workbook at `path`; returns the data (with its deliberate mistakes)."""
    data = generate(n_customers=n_customers, today=today)
    write_workbook(path, data.kunden, data.doku, berater=data.berater, settings=DEMO_SETTINGS)
    return data


class DemoFolderRefused(KundenlisteError):
    """The folder holds files that are not the demo's: nothing is written there."""


@dataclass
class DemoFolder:
    """A folder the demo may write into, and the files it owns there."""

    path: Path
    own: set[str] = field(default_factory=set)
    before: set[str] = field(default_factory=set)

    def record(self) -> None:
        """Note every file the demo added in this run (the workbook's backups too) in the marker."""
        now = {p.name for p in self.path.iterdir() if p.is_file() and p.name != MARKER}
        self.own |= now - self.before
        (self.path / MARKER).write_text(_MARKER_HEAD + "".join(f"{n}\n" for n in sorted(self.own)),
                                        encoding="utf-8")


def _listed(marker: Path) -> set[str]:
    lines = marker.read_text(encoding="utf-8", errors="replace").splitlines()
    return {line for line in lines if line and not line.startswith("#") and "/" not in line}


def prepare_demo_folder(folder: str | Path, writes: Iterable[str]) -> DemoFolder:
    """Make `folder` the demo's (new, empty, or its own marker) before anything is written.

    `writes` are the names the demo is about to write; one that exists and is not the demo's
    own is refused, as is a non-empty folder without the marker (German message, nothing written).
    """
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise DemoFolderRefused(f"„{path}“ ist eine Datei, kein Ordner. Bitte einen neuen Ordner für "
                                "die Demo angeben; es wurde nichts geändert.")
    if not path.exists():
        path.mkdir(parents=True)
    present = {p.name for p in path.iterdir()}
    marker = path / MARKER
    if not present:
        folder_info = DemoFolder(path)
    elif MARKER in present and marker.is_file():
        folder_info = DemoFolder(path, own=_listed(marker))
    else:
        raise DemoFolderRefused(
            f"Der Ordner „{path}“ ist nicht leer und wurde nicht von der Demo angelegt. Die Demo "
            "schreibt nur in einen neuen oder leeren Ordner, damit keine Datei verloren geht. Bitte "
            "einen anderen Ordner angeben, z. B. „kundenliste demo kundenliste-demo“. Es wurde nichts "
            "geändert."
        )
    foreign = sorted(n for n in writes if n in present and n not in folder_info.own)
    if foreign:
        raise DemoFolderRefused(
            f"Im Demo-Ordner „{path}“ liegt „{foreign[0]}“, das die Demo nicht selbst geschrieben hat. "
            "Die Demo überschreibt keine fremden Dateien; bitte die Datei umbenennen oder einen anderen "
            "Ordner angeben. Es wurde nichts geändert."
        )
    folder_info.before = {p.name for p in path.iterdir() if p.is_file()} - folder_info.own
    return folder_info
