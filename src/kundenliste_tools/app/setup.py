"""Use cases around the workbook itself: the empty template, the demo, the shipped rule sets.

Small, but doors must not reach into the I/O ring for them: the command line, a server or a
later button all start an empty Kundenliste, a demo folder or a rule file from here.
"""

from __future__ import annotations

from pathlib import Path

from ..core.errors import InvalidInput
from ..core.rules import RuleSet
from ..files.demo import DEMO_NAME, DemoFolder, prepare_demo_folder, write_demo
from ..files.rulefiles import builtin_names, builtin_text, load_builtin
from ..files.template import write_workbook

__all__ = [
    "DEMO_NAME",
    "DemoFolder",
    "builtin_names",
    "build_demo_workbook",
    "build_template",
    "demo_folder",
    "ruleset_text",
    "rulesets",
]


def build_template(path: str | Path, overwrite: bool = False) -> Path:
    """The empty workbook (Kundenliste.xlsm) with lists, dropdowns, macros and buttons."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise InvalidInput(
            "ueberschreiben", f"„{path}“ gibt es schon; bitte ersetzen lassen oder einen anderen Namen wählen."
        )
    write_workbook(path)
    return path


def demo_folder(folder: str | Path, names: list[str]) -> DemoFolder:
    """The demo's folder: new, empty, or one the demo made; a folder with a user's files is refused."""
    return prepare_demo_folder(folder, names)


def build_demo_workbook(path: str | Path, customers: int):
    """A workbook of invented customers (with some deliberate mistakes) at `path`."""
    return write_demo(path, n_customers=customers)


def rulesets() -> list[RuleSet]:
    """The shipped rule sets, by name."""
    return [load_builtin(name) for name in builtin_names()]


def ruleset_text(name: str) -> str:
    """The TOML text of a shipped rule set (what a team copies to write its own)."""
    return builtin_text(name)
