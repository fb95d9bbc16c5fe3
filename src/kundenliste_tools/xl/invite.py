"""The "Einladungen" button: next week's invitations per counsellor in the sheet `Einladungen`.

A thin adapter: the use case `app.plan` plans (rule set from the workbook: `Regelwerk` sheet,
else the setting; Bundesland from the setting; the ISO week after today); here we only write.
The sheet (created after the KundenDoku if missing, rewritten otherwise) holds a title line,
the figures per counsellor (quota, working days, agreed appointments, no-show rate, places,
invitations) and below them the customers to invite with name and Kundenliste row, longest
overdue first.  One range write for all values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..app.plan import INVITE_COLUMNS, InvitationResult, invitations
from ..core.book import column_letter
from ..core.model import KUNDENDOKU
from .common import find_sheet, quietly, status, tell, workbook_data

SHEET = "Einladungen"
DATE_FORMAT = "yyyy-mm-dd"
WIDTHS = (20, 12, 22, 12, 16, 32, 10, 14, 12)


def einladungen(book: Any, today: dt.date | None = None) -> InvitationResult:
    """Plan next week and write the sheet; returns the plan."""
    status(book, "Einladungen werden geplant …")
    data = workbook_data(book)
    result = invitations(data, today=today)
    write_sheet(book, result, data.layouts[KUNDENDOKU].name)
    status(book, None)
    tell(
        book,
        f"Einladungen für {result.label}: zusammen {result.total} bei {len(result.advisors)} Beraterinnen "
        f"(Arbeitstage {result.advisors[0].working_days if result.advisors else 5} von 5). "
        f"Die Liste steht im Blatt „{SHEET}“.",
    )
    return result


def sheet_block(result: InvitationResult) -> list[list[Any]]:
    """Title, the figures per counsellor, an empty row, the invitations: one rectangle."""
    summary, invite = result.summary_table(), result.invite_table()
    width = max(len(summary[0]), len(invite[0]))
    rows = [[result.title()], [], *summary, [], [f"Einzuladen ({result.total})"], *invite]
    return [r + [None] * (width - len(r)) for r in rows]


def write_sheet(book: Any, result: InvitationResult, after_name: str) -> Any:
    """(Re)write the `Einladungen` sheet in one range write."""
    block = sheet_block(result)
    sheet = find_sheet(book, SHEET)
    if sheet is None:
        after = find_sheet(book, after_name) or book.sheets[len(book.sheets) - 1]
        sheet = book.sheets.add(name=SHEET, after=after)
        for i, width in enumerate(WIDTHS, start=1):
            quietly(lambda i=i, width=width: setattr(sheet.range((1, i)), "column_width", width))
    else:
        sheet.used_range.clear_contents()
    sheet.range((1, 1), (len(block), len(block[0]))).value = block
    first = len(block) - len(result.invite_table()) + 2  # first invitation row (1-based)
    if first <= len(block):
        letter = column_letter(INVITE_COLUMNS.index("Fällig am"))
        sheet.range(f"{letter}{first}:{letter}{len(block)}").number_format = DATE_FORMAT
    sheet.activate()
    return sheet
