"""The Excel door: RunPython entry points, the on-save hook and UDFs (thin xlwings adapters).

The VBA calls e.g. ``RunPython "import kundenliste_tools.xl as kl; kl.pruefen()"``.  Each name
here imports its module only when called, so that a click in Excel does not pay for pandas and
the whole package before it is needed.  Each adapter module has a `Book`-taking function (what
the tests call with a remote-engine `xw.Book`) beside the caller-taking entry point.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: RunPython name → "module:function" (the function takes an `xw.Book`).
ENTRY_POINTS: dict[str, str] = {
    "ids_vergeben": "ids:ids_vergeben",
    "pruefen": "checks:pruefen",
    "on_save": "checks:on_save",
    "on_autosave": "checks:on_autosave",
    "beim_oeffnen": "checks:warm_up",
    "faelligkeiten": "due:faelligkeiten",
    "quartalsexport": "export:quartalsexport",
    "einladungen": "invite:einladungen",
    "auskunft": "privacy:auskunft",
    "loeschen": "privacy:loeschen",
}


def _run(name: str, book: Any = None, **options: Any) -> Any:
    module, func = ENTRY_POINTS[name].split(":")
    from .common import caller_book, report_errors

    target = getattr(import_module(f"{__name__}.{module}"), func)
    book = book if book is not None else caller_book()
    with report_errors(book):
        return target(book, **options)


def __getattr__(name: str) -> Any:
    if name in ENTRY_POINTS:
        # `options` for other doors onto this one (the team server's export folder)
        return lambda book=None, **options: _run(name, book, **options)
    raise AttributeError(name)
