"""Writing the anonymised quarterly export file (SPEC §6) with openpyxl.

The file is built from nothing, never copied from the workbook, so nothing of the source can
ride along: no document properties (creator and title are set to neutral values, the rest
left empty), no comments, no hidden sheets, no defined names, no VBA.  openpyxl's write-only
mode streams the rows, so a quarter of a job centre's KundenDoku is written in seconds.

Speed: openpyxl spends some 40 µs on every cell it writes, which for a quarter of a job
centre's KundenDoku (60,000 entries × 8 columns) is half a minute.  So openpyxl builds the
package (styles, the Auswertung with its charts, Info, properties) with only the header rows
of the two data sheets, and their rows are then streamed as plain sheet XML (`_rows_xml`),
each distinct value's XML made once and the rows glued by numpy, with the style indices
openpyxl registered for them.

Text that starts with `=`, `+`, `-` or `@` is written as a text cell (`t="inlineStr"`, never
`<f>`) and flagged with Excel's quote prefix, so it stays text even when someone edits the
cell: openpyxl would otherwise turn a string starting with `=` into a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import SeriesLabel, StrRef
from openpyxl.chart.series_factory import SeriesFactory as Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.pagebreak import Break

from ..core.errors import KundenlisteError, WorkbookBusy
from ..core.quarterly import QuarterlyExport, Table
from .package import column_letter, escape, excel_serial, lock_files, lock_program, sheet_parts, write_atomically

DATE_FORMAT = "yyyy-mm-dd"
RISKY_START = ("=", "+", "-", "@")
CREATOR = "kundenliste-tools"
TITLE = "Anonymisierter Quartalsexport"

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TITLE_FONT = Font(bold=True, size=13)
_NOTE_FONT = Font(italic=True, color="595959")
_WRAP = Alignment(wrap_text=True, vertical="top")  # the Auswertung's headers are longer than its columns
_CHART_ROWS = 17  # rows a chart of the default size covers
_BLOCKS_PER_PAGE = 3
_CHART_COLUMN = 8  # charts start in column H, beside the tables (at most six columns)


def write_export(export: QuarterlyExport, path: str | Path) -> Path:
    """Write the four sheets to `path` atomically (`package.write_atomically`): a temporary
    file in the same folder, fsynced, then replaced, so a half-written export never exists."""
    return write_new_xlsx(path, lambda fh: save_export(export, fh), "Der Export", "erneut exportieren")


def write_new_xlsx(path: str | Path, save: Callable[[BinaryIO], None], what: str, again: str) -> Path:
    """A file the tool makes (export, Auskunft) written atomically, with the same refusals: not
    an .xlsx, no such folder, open in Excel (`what`: "Der Export"; `again`: what to do once it
    is closed, "erneut exportieren")."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise KundenlisteError(f"{what} ist eine .xlsx-Datei; „{path.name}“ hat eine andere Endung.")
    if not path.parent.is_dir():
        raise KundenlisteError(f"Den Ordner „{path.parent}“ gibt es nicht.")
    for lock in lock_files(path):
        raise WorkbookBusy(f"„{path.name}“ ist gerade in {lock_program(lock)} geöffnet. "
                           f"Bitte schließen und {again}.")
    try:
        write_atomically(path, save)
    except PermissionError as exc:
        raise WorkbookBusy(f"„{path}“ kann nicht geschrieben werden (geöffnet oder schreibgeschützt).") from exc
    return path


def save_export(export: QuarterlyExport, target: str | Path | BinaryIO) -> None:
    """Build the package with openpyxl, then stream the data sheets' rows into it."""
    wb, parts = build_workbook(export)
    skeleton = io.BytesIO()
    wb.save(skeleton)
    skeleton.seek(0)
    # deflate level 3: a fifth larger than the default 6 and half its time (issue 18)
    with zipfile.ZipFile(skeleton) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as out:
        paths = sheet_parts(src)
        for item in src.infolist():
            data = src.read(item.filename)
            part = next((p for p in parts if paths.get(p.title) == item.filename), None)
            if part is None:
                out.writestr(item, data)
                continue
            head, tail = data.decode("utf-8").split("</sheetData>", 1)
            last = f"{column_letter(len(part.frame.columns) - 1)}{len(part.frame) + 1}"
            head = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:{last}"/>', head)
            with out.open(item.filename, "w") as fh:
                fh.write(head.encode("utf-8"))
                _write_behind(fh, (chunk.encode("utf-8") for chunk in _rows_xml(part)))
                fh.write(("</sheetData>" + tail).encode("utf-8"))


def _write_behind(fh: BinaryIO, chunks: Iterator[bytes]) -> None:
    """Write `chunks` to `fh` (a member of the zip) in a second thread while this one makes
    the next: zlib lets go of the GIL while it compresses, so on two cores the deflating
    (a third of writing the export, issue 18) overlaps building the rows' XML.  One chunk is
    written at a time, in order, so the bytes are the same as writing them here; a failed
    write is raised here, at the next chunk or at the end."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as writer:
        pending = None
        for chunk in chunks:
            if pending is not None:
                pending.result()  # the previous chunk is written before the next goes
            pending = writer.submit(fh.write, chunk)
        if pending is not None:
            pending.result()


@dataclass
class _DataPart:
    """A data sheet whose rows (below the header) are streamed into the package."""

    title: str
    frame: pd.DataFrame
    date_style: int
    text_style: int  # quote prefix: stays text when edited in Excel


def build_workbook(export: QuarterlyExport) -> tuple[Workbook, list[_DataPart]]:
    """The export as openpyxl builds it (neutral properties, the data sheets' headers only), and
    the data sheets whose rows `save_export` streams in afterwards."""
    wb = Workbook(write_only=True)
    props = wb.properties
    for name in ("title", "subject", "description", "keywords", "category", "lastModifiedBy",
                 "identifier", "language", "contentStatus", "version", "revision"):
        setattr(props, name, None)
    props.creator = CREATOR
    props.title = f"{TITLE} {export.period.label}"
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    props.created = props.modified = now
    props.lastPrinted = None

    parts = [
        _data_sheet(wb, "Kundenliste", export.kunden, widths={"ID": 12, "Erstkontakt": 12, "Akquise": 30,
                                                              "Status": 15, "Berater": 22}),
        _data_sheet(wb, "KundenDoku", export.doku, widths={"Datum": 12, "ID": 12, "Berater": 22,
                                                           "Zusammenfassung": 70, "Vereinbarungen": 50,
                                                           "Folgetermin": 12, "Kontaktart": 14,
                                                           "Vermerkart": 20}),
    ]
    _auswertung(wb, export.tables)
    _info(wb, export.info)
    wb.active = 2  # open on the Auswertung
    return wb, parts


# ----------------------------------------------------------------------------- cells


def _text(ws: Any, value: str, **style: Any) -> Any:
    """A text cell that stays text: explicit type `s`, quote prefix for = + - @."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(ws, value)
    cell.data_type = "s"
    if value.startswith(RISKY_START):
        cell.quotePrefix = True
    for k, v in style.items():
        setattr(cell, k, v)
    return cell


def _value(ws: Any, value: Any) -> Any:
    """A data cell: text stays text, dates get the ISO format, blanks stay empty."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str):
        if not value:
            return None
        if value.startswith(RISKY_START) or ILLEGAL_CHARACTERS_RE.search(value):
            return _text(ws, value)
        return value
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = DATE_FORMAT
        return cell
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _header(ws: Any, names: list[str]) -> list[Any]:
    return [_text(ws, n, font=_HEADER_FONT, fill=_HEADER_FILL) for n in names]


def _data_sheet(wb: Workbook, title: str, frame: pd.DataFrame, widths: dict[str, float]) -> _DataPart:
    ws = wb.create_sheet(title)
    columns = list(frame.columns)
    for i, name in enumerate(columns, start=1):
        ws.column_dimensions[column_letter(i - 1)].width = widths.get(name, 14)
    ws.freeze_panes = "A2"
    ws.append(_header(ws, columns))
    date_cell = WriteOnlyCell(ws, dt.date(2000, 1, 1))
    date_cell.number_format = DATE_FORMAT
    text_cell = WriteOnlyCell(ws, "x")
    text_cell.quotePrefix = True
    return _DataPart(title, frame, date_cell.style_id, text_cell.style_id)


def _rows_xml(part: _DataPart) -> Iterator[str]:
    """`<row>` elements for every record, from row 2: inline strings, dates as day numbers.

    Each column is turned into the tail of its cells' XML once per distinct value
    (`_column_xml`); the pieces of a chunk of rows stand in one table (row × piece) that is
    joined at once, so that no Python statement runs per cell (issue 18).
    """
    frame = part.frame
    n, width = len(frame), len(frame.columns)
    tails = [_column_xml(frame[name], part) for name in frame.columns]
    letters = [f'<c r="{column_letter(i)}' for i in range(width)]
    for start in range(0, max(n, 1), _ROWS_PER_CHUNK):
        stop = min(n, start + _ROWS_PER_CHUNK)
        numbers = np.array([str(r) for r in range(start + 2, stop + 2)], dtype=object)
        pieces = np.full((stop - start, 3 * width + 4), "", dtype=object)
        pieces[:, 0], pieces[:, 1], pieces[:, 2], pieces[:, -1] = '<row r="', numbers, '">', "</row>"
        for i, column_tails in enumerate(tails):
            mine = column_tails[start:stop]
            filled = mine != ""
            column = pieces[:, 3 + 3 * i: 6 + 3 * i]
            column[filled, 0] = letters[i]
            column[filled, 1] = numbers[filled]
            column[filled, 2] = '"' + mine[filled]
        yield "".join(pieces.ravel().tolist())


_ROWS_PER_CHUNK = 10_000
#: Values that compare equal only to values written alike (text; dates: a Timestamp equals the
#: datetime of the same instant).  True, 1 and 1.0 are equal too but written differently, and
#: None, NaN and NaT are all "missing": such cells are written one by one.
_BY_VALUE = (str, dt.date)


def _column_xml(values: pd.Series, part: _DataPart) -> np.ndarray:
    """Per cell the XML after `<c r="…"`; "" for an empty cell.

    Each distinct value is written once (a column has few: Berater, Kontaktart, dates; or is
    written by the fast path: free texts); text takes the fast path unless it needs more
    (quote prefix, edge spaces, illegal characters in the column), then `_one_xml`.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    by_value = np.fromiter((isinstance(u, _BY_VALUE) for u in uniques), dtype=bool, count=len(uniques))
    texts = [u for u in uniques[by_value] if isinstance(u, str)]
    dirty = bool(ILLEGAL_CHARACTERS_RE.search("\n".join(texts)))
    head, tail = ' t="inlineStr"><is><t>', "</t></is></c>"
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [
        (head + escape(u) + tail if u and not dirty and u[0] not in "=+-@" and not u[0].isspace()
         and not u[-1].isspace() else _one_xml(u, part)) if type(u) is str else _one_xml(u, part)
        for u in uniques
    ]
    table[-1] = ""
    out = table[codes]
    redo = (codes < 0) | ~np.append(by_value, True)[codes]
    if redo.any():
        out[redo] = [_one_xml(v, part) for v in values.to_numpy(dtype=object)[redo]]
    return out


def _one_xml(value: Any, part: _DataPart) -> str:
    """One cell the fast path above does not cover."""
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not text:
            return ""
        text = escape(text)
        style = f' s="{part.text_style}"' if value.startswith(RISKY_START) else ""
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        return f'{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    return _other_xml(value, part)


def _other_xml(value: Any, part: _DataPart) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        value = value.date()
    if isinstance(value, dt.date):
        return f' s="{part.date_style}"><v>{excel_serial(value)}</v></c>'
    if isinstance(value, bool):
        return f' t="b"><v>{int(value)}</v></c>'
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (int, float)):
        return f"><v>{value!r}</v></c>"
    return _one_xml(str(value), part)


# ----------------------------------------------------------------------------- Auswertung


def _auswertung(wb: Workbook, tables: list[Table]) -> None:
    ws = wb.create_sheet("Auswertung")
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    widths = {"A": 40, "B": 14, "C": 14, "D": 14, "E": 14, "F": 36, "G": 14}  # F: "Grundlage"
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    rows: list[list[Any]] = []
    charts: list[tuple[Any, int]] = []
    for number, table in enumerate(tables):
        top = len(rows) + 1
        if number and number % _BLOCKS_PER_PAGE == 0:  # printed: no chart cut in half
            ws.row_breaks.append(Break(id=top - 1))
        rows.append([_text(ws, table.title, font=_TITLE_FONT)])
        if table.note:
            rows.append([_text(ws, table.note, font=_NOTE_FONT)])
        header_row = len(rows) + 1
        frame = table.frame
        rows.append([_text(ws, str(c), font=_HEADER_FONT, fill=_HEADER_FILL, alignment=_WRAP)
                     for c in frame.columns])
        # spreadsheet programs do not grow a row for wrapped text written by a program
        lines = max(math.ceil(len(str(c)) / (widths.get(column_letter(i), 14) - 2))
                    for i, c in enumerate(frame.columns))
        ws.row_dimensions[header_row].height = 15 * max(lines, 1)
        for rec in frame.itertuples(index=False, name=None):
            rows.append([_table_cell(ws, c, v, table) for c, v in zip(frame.columns, rec)])
        last_row = len(rows)
        chart = _chart(ws, table, header_row, last_row) if len(frame) else None
        if chart is not None:
            charts.append((chart, top))
            while len(rows) < top - 1 + _CHART_ROWS:
                rows.append([])
        rows.append([])
        rows.append([])
    for row in rows:
        ws.append(row)
    for chart, top in charts:
        ws.add_chart(chart, f"{column_letter(_CHART_COLUMN - 1)}{top}")


def _table_cell(ws: Any, column: str, value: Any, table: Table) -> Any:
    if column in table.percent_columns and isinstance(value, (int, float)) and not isinstance(value, bool):
        cell = WriteOnlyCell(ws, float(value))
        cell.number_format = "0.0 %"
        return cell
    return _value(ws, value)


def _chart(ws: Any, table: Table, header_row: int, last_row: int) -> Any:
    """A native Excel chart over the table's cells (Excel and LibreOffice draw it themselves)."""
    frame = table.frame
    if not table.chart or not table.chart_columns:
        return None
    col_of = {name: i + 1 for i, name in enumerate(frame.columns)}
    if table.chart_rows:  # a part of the table (e.g. without its total rows)
        first_row, stop = table.chart_rows
        cats = Reference(ws, min_col=1, min_row=header_row + 1 + first_row, max_row=header_row + stop)
    else:
        cats = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    if table.chart == "line":
        chart = _line_chart(ws, table, col_of, header_row, cats)
    elif table.chart == "pie":
        chart = PieChart()
        c = col_of[table.chart_columns[0]]
        _add_series(chart, ws, c, header_row, cats)
        chart.set_categories(cats)
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showPercent = True
        for flag in ("showVal", "showSerName", "showCatName", "showLegendKey", "showLeaderLines"):
            setattr(chart.dataLabels, flag, False)
    else:
        chart = BarChart()
        chart.type = "bar" if table.chart == "bar" else "col"
        if table.rows_are_series:  # one series per row (source), months along the axis
            first = col_of[table.chart_columns[0]]
            last = col_of[table.chart_columns[-1]]
            data = Reference(ws, min_col=1, max_col=last, min_row=header_row + 1, max_row=last_row)
            chart.add_data(data, from_rows=True, titles_from_data=True)
            chart.set_categories(Reference(ws, min_col=first, max_col=last, min_row=header_row))
        else:
            for name in table.chart_columns:
                _add_series(chart, ws, col_of[name], header_row, cats)
            chart.set_categories(cats)
        if table.chart == "stacked":
            chart.grouping = "stacked"
            chart.overlap = 100
        chart.y_axis.title = table.y_title or None
        chart.y_axis.majorGridlines = chart.y_axis.majorGridlines
        chart.x_axis.delete = False
        chart.y_axis.delete = False
    chart.title = table.title
    chart.width, chart.height = 17, 8.2
    return chart


def _add_series(chart: Any, ws: Any, column: int, header_row: int, cats: Reference) -> Any:
    """One series: its header cell as the name, the rows of `cats` as the values."""
    values = Reference(ws, min_col=column, min_row=cats.min_row, max_row=cats.max_row)
    series = Series(values)
    series.tx = SeriesLabel(strRef=StrRef(str(Reference(ws, min_col=column, min_row=header_row))))
    chart.series.append(series)
    return series


def _line_chart(ws: Any, table: Table, col_of: dict[str, int], header_row: int, cats: Reference) -> Any:
    """Counts as lines on the left axis; shares (`secondary_columns`) on a percent axis right."""
    chart = LineChart()
    for name in table.chart_columns:
        series = _add_series(chart, ws, col_of[name], header_row, cats)
        series.marker.symbol, series.smooth = "circle", False
    chart.set_categories(cats)
    chart.legend.position = "b"
    chart.y_axis.title = table.y_title or None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if table.secondary_columns:
        shares = LineChart()
        for name in table.secondary_columns:
            _add_series(shares, ws, col_of[name], header_row, cats)
        shares.set_categories(cats)
        shares.y_axis.axId = 200
        shares.y_axis.title = "Anteil"
        shares.y_axis.number_format = "0 %"
        shares.y_axis.majorGridlines = None
        shares.y_axis.crosses = "max"
        shares.y_axis.delete = False
        for series in shares.series:
            series.marker.symbol, series.smooth = "circle", False
            series.graphicalProperties.line.dashStyle = "dash"
        chart += shares
    return chart


# ----------------------------------------------------------------------------- Info


def _info(wb: Workbook, info: list[tuple[str, Any]]) -> None:
    ws = wb.create_sheet("Info")
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 44
    ws.append(_header(ws, ["Angabe", "Wert"]))
    for key, value in info:
        ws.append([_text(ws, key), _value(ws, value)])
