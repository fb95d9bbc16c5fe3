"""Errors that stop a run, each with a German message a counsellor can act on.

The doors turn a `KundenlisteError` into exit code 2 (CLI) or an alert (Excel); anything else
is a bug and shows a traceback only with `--debug`.
"""

from __future__ import annotations


class KundenlisteError(Exception):
    """A run could not be done; `str(error)` is the German message for the user."""


class WorkbookUnreadable(KundenlisteError):
    """The file is not a workbook we can read (corrupt, .xls, CSV, encrypted, missing parts)."""


class PasswordRequired(WorkbookUnreadable):
    """The workbook is encrypted and no (or a wrong) password was given (the input `passwort`)."""

    input = "passwort"


class WorkbookBusy(KundenlisteError):
    """The workbook is open in Excel (its `~$` lock file exists) or cannot be written."""


class RuleSetError(KundenlisteError):
    """A rule set file or sheet has a mistake; the message names the line or row."""


class InvalidInput(KundenlisteError):
    """One input of a use case is wrong; `input` names it door-neutrally (`stichtag`, `wochen`).

    The message says what is wrong with the value, never how a door spells the input: the
    command line prefixes its flag (`--stichtag: …`), Excel names its setting.
    """

    def __init__(self, input: str, message: str) -> None:
        super().__init__(message)
        self.input = input
