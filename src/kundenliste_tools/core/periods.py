"""Which days a quarterly export covers: a calendar quarter or a Stichtag window.

Seed 000: "Am 28. März, Juni, September und Dezember gehen die Daten des abgelaufenen Quartals"
to the analyst.  So the team's natural period is the Stichtag window, from the day after one
Stichtag up to the next; an analyst comparing with other statistics may want the calendar
quarter instead.  Both are three months long and tile the year without gaps or overlaps.

Decision: the end of a Stichtag window must be a Stichtag.  Accepting any date would make consecutive exports
overlap or leave gaps (29 Jun–30 Sep, then 29 Sep–28 Dec), which silently double-counts
conversations in the analysis; an error that names the nearest Stichtage costs one retype.

`today` is always a parameter, never read from the clock here, so the default is testable.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .errors import InvalidInput

#: Seed 000: the data go out on the 28th of these months.
STICHTAG_MONTHS: tuple[int, ...] = (3, 6, 9, 12)
STICHTAG_DAY = 28

_QUARTER_FORMS = (
    re.compile(r"^\s*(\d{4})\s*[-/ ]?\s*[Qq]\s*([1-4])\s*$"),  # 2026-Q3, 2026Q3, 2026 q3
    re.compile(r"^\s*[Qq]\s*([1-4])\s*[-/ ]?\s*(\d{4})\s*$"),  # Q3/2026, Q3 2026
    re.compile(r"^\s*([1-4])\s*\.\s*(?:Quartal|Q)\s*(\d{4})\s*$", re.IGNORECASE),  # 3. Quartal 2026
)


class PeriodError(InvalidInput):
    """A period the tool cannot use (input `quartal` or `bis`); the message says what would work."""


@dataclass(frozen=True)
class Period:
    """An inclusive range of days with the label the export file and `Info` sheet show."""

    kind: str  # "quartal" | "stichtag"
    start: dt.date
    end: dt.date  # inclusive
    label: str  # "2026-Q3" or "2026-06-29_bis_2026-09-28" (safe in a file name)

    @property
    def description(self) -> str:
        """German one-liner for the `Info` sheet and messages."""
        what = "Kalenderquartal" if self.kind == "quartal" else "Stichtag-Zeitraum"
        return f"{what} {self.start.isoformat()} bis {self.end.isoformat()}"

    def months(self) -> list[str]:
        """The calendar months the period touches, as `JJJJ-MM`, in order."""
        out: list[str] = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def length_in_months(self) -> float:
        """How many months long the period is (3 for every quarter and Stichtag window).

        Counted from `start` to the day after `end` in calendar months, so 29 Jun–28 Sep is
        exactly 3 like 1 Jul–30 Sep; expectations "per month" scale by this.
        """
        after = self.end + dt.timedelta(days=1)
        whole = (after.year - self.start.year) * 12 + after.month - self.start.month
        if after.day == self.start.day:
            return float(whole)
        return round((after - self.start).days / (365.25 / 12), 2)

    def contains(self, day: dt.date) -> bool:
        """Whether `day` lies in the period (both ends included)."""
        return self.start <= day <= self.end


#: Years a period may lie in (dates are computed as pandas timestamps, which end in 2262).
YEAR_MIN, YEAR_MAX = 1900, 2250


def quarter(year: int, q: int) -> Period:
    """Calendar quarter `q` (1–4) of `year`."""
    if q not in (1, 2, 3, 4):
        raise PeriodError("quartal", f"Ein Quartal ist 1, 2, 3 oder 4, nicht {q}.")
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise PeriodError("quartal", f"Das Jahr {year} liegt außerhalb des Bereichs, den das Werkzeug rechnen "
                          f"kann; bitte ein Jahr zwischen {YEAR_MIN} und {YEAR_MAX} angeben.")
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return Period("quartal", start, end, f"{year:04d}-Q{q}")


def parse_quarter(text: str) -> Period:
    """`2026-Q3` (also `2026Q3`, `Q3/2026`, `3. Quartal 2026`) → that calendar quarter."""
    for i, form in enumerate(_QUARTER_FORMS):
        m = form.match(text or "")
        if m:
            year, q = (m.group(2), m.group(1)) if i else (m.group(1), m.group(2))
            return quarter(int(year), int(q))
    raise PeriodError(
        "quartal", f"„{text}“ ist keine Quartalsangabe. Bitte so schreiben: 2026-Q3 "
        "(Jahr, Bindestrich, Q und die Nummer des Quartals 1–4)."
    )


def is_stichtag(day: dt.date) -> bool:
    """Whether `day` is one of the four Stichtage (28 March, June, September, December)."""
    return day.day == STICHTAG_DAY and day.month in STICHTAG_MONTHS


def stichtag_on_or_before(day: dt.date) -> dt.date:
    """The latest Stichtag not after `day` (28 Dec of the previous year in early January)."""
    for month in reversed(STICHTAG_MONTHS):
        candidate = dt.date(day.year, month, STICHTAG_DAY)
        if candidate <= day:
            return candidate
    return dt.date(day.year - 1, STICHTAG_MONTHS[-1], STICHTAG_DAY)


def stichtag_after(day: dt.date) -> dt.date:
    """The first Stichtag strictly after `day`."""
    for month in STICHTAG_MONTHS:
        candidate = dt.date(day.year, month, STICHTAG_DAY)
        if candidate > day:
            return candidate
    return dt.date(day.year + 1, STICHTAG_MONTHS[0], STICHTAG_DAY)


def stichtag_window(end: dt.date) -> Period:
    """The window ending on Stichtag `end`: from the day after the previous Stichtag."""
    if not is_stichtag(end):
        before, after = stichtag_on_or_before(end), stichtag_after(end)
        raise PeriodError(
            "bis", f"{end.isoformat()} ist kein Stichtag. Stichtage sind der 28. März, Juni, September "
            f"und Dezember. Gemeint ist wohl der Stichtag {before.isoformat()} (oder "
            f"{after.isoformat()}); für ein Kalenderquartal {end.year}-Q{(end.month - 1) // 3 + 1}."
        )
    previous = stichtag_on_or_before(end - dt.timedelta(days=1))
    start = previous + dt.timedelta(days=1)
    return Period("stichtag", start, end, f"{start.isoformat()}_bis_{end.isoformat()}")


def parse_bis(text: str) -> Period:
    """`2026-09-28` → the Stichtag window ending that day (ISO date, a Stichtag)."""
    from .values import parse_date  # here: a door checks the period before pandas is loaded

    parsed = parse_date(text)
    if parsed is None or parsed.date is None:
        hint = ""
        if parsed is not None and parsed.suggestion:
            hint = f" Gemeint ist wohl {parsed.suggestion}."
        raise PeriodError("bis", f"„{text}“ ist kein Datum im Format JJJJ-MM-TT.{hint}")
    if not YEAR_MIN <= parsed.date.year <= YEAR_MAX:
        raise PeriodError("bis", f"{parsed.date.isoformat()} liegt außerhalb des Bereichs, den das Werkzeug "
                          f"rechnen kann; bitte ein Datum zwischen {YEAR_MIN} und {YEAR_MAX} angeben.")
    return stichtag_window(parsed.date)


def default_period(today: dt.date) -> Period:
    """No option given: the latest Stichtag window that has ended on or before `today`."""
    return stichtag_window(stichtag_on_or_before(today))


def resolve_period(quartal: str | None, bis: str | None, today: dt.date) -> Period:
    """What the command line or a button asked for; at most one of the two options."""
    if quartal and bis:
        raise PeriodError("quartal", "Bitte entweder ein Quartal oder einen Stichtag angeben, nicht beides.")
    if quartal:
        return parse_quarter(quartal)
    if bis:
        return parse_bis(bis)
    return default_period(today)
