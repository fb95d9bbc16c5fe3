"""Use case "which period": the quarter or Stichtag window a user asks for, checked at once.

Kept apart from `app.quarter` (which loads pandas, the overdue engine and the export) so
that a door can refuse `--quartal 2026-Q5` before the workbook is read, and the read can
start before those imports (they are made while calamine parses).
"""

from __future__ import annotations

import datetime as dt

from ..core.periods import Period, resolve_period


def choose_period(quartal: str | None = None, bis: str | None = None, today: dt.date | None = None) -> Period:
    """A calendar quarter (`2026-Q3`), a Stichtag window ending `bis`, or the latest window."""
    return resolve_period(quartal, bis, today or dt.date.today())
