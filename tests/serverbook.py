"""The team server in a test: started on 127.0.0.1 (uvicorn), fed the JSON the VBA client sends.

`vba_payload` builds the request body exactly as xlwings' `Remote.bas` (RunServerPython, the
pinned version) does from a workbook: every worksheet in order with its name; for the sheets
it includes, the values from A1 to the end of Excel's used range (formatted empty cells count,
as in Excel), empty cells as JSON null (VBA-Web's ConvertToJson), dates as
`yyyy-mm-ddTHH:MM:SS.000Z` (its ConvertToIso), whole numbers without a fraction (VBA's
Double), and its tables with the nine keys Remote.bas writes; an excluded sheet goes with its
name and `[[]]` only.  `Applied` replays the answer's actions the way the client applies them
(cells written, sheets added, fills), so two routes can be compared by what Excel would show.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import openpyxl
import xlwings as xw

TOKEN = "team-token-7f3a9c1e5b2d4f60"


def _json_cell(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _table(t: Any) -> dict[str, Any]:
    from openpyxl.utils.cell import range_boundaries

    c1, r1, c2, r2 = range_boundaries(t.ref)
    a = openpyxl.utils.get_column_letter

    def addr(row1: int, row2: int) -> str:
        return f"${a(c1)}${row1}:${a(c2)}${row2}"

    totals = bool(t.totalsRowCount)
    body_end = r2 - 1 if totals else r2
    return {
        "name": t.displayName, "range_address": addr(r1, r2), "header_row_range_address": addr(r1, r1),
        "data_body_range_address": addr(r1 + 1, body_end) if body_end > r1 else None,
        "total_row_range_address": addr(r2, r2) if totals else None,
        "show_headers": True, "show_totals": totals,
        "table_style": t.tableStyleInfo.name if t.tableStyleInfo else "",
        "show_autofilter": t.autoFilter is not None,
    }


def vba_payload(path: Path, include: list[str]) -> dict[str, Any]:
    """The body RunServerPython sends for the workbook at `path` with `include` (sheet names)."""
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        sent = ws.title in include
        values: list[list[Any]] = [[]]
        if sent and ws.max_row and (ws.max_row > 1 or ws.max_column > 1 or ws["A1"].value is not None):
            values = [[_json_cell(c) for c in row] for row in ws.iter_rows(min_row=1, max_row=ws.max_row,
                                                                             max_col=ws.max_column, values_only=True)]
        sheets.append({"name": ws.title, "pictures": [],
                       "tables": [_table(t) for t in ws.tables.values()] if sent else [], "values": values})
    return {
        "client": "VBA", "version": xw.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": [], "sheets": sheets,
    }


# --- replaying the answer ----------------------------------------------------------------------


@dataclass
class Applied:
    """What Excel shows after the client applied a list of actions to the sent workbook."""

    sheets: list[str]
    cells: dict[str, dict[tuple[int, int], Any]]  # sheet → (row, col) 0-based → value
    fills: dict[tuple[str, int, int], Any] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, payload: dict[str, Any], actions: list[dict[str, Any]]) -> Applied:
        state = cls([s["name"] for s in payload["sheets"]], {})
        for s in payload["sheets"]:
            state.cells[s["name"]] = {(r, c): v for r, row in enumerate(s["values"]) for c, v in enumerate(row)
                                      if v is not None}
        for a in actions:
            state.apply(a)
        return state

    def apply(self, a: dict[str, Any]) -> None:
        func, args = a["func"], a["args"]
        sheet = self.sheets[a["sheet_position"]] if a.get("sheet_position") is not None else None
        if func == "addSheet":
            self.sheets.insert(args[0], args[1])
            self.cells[args[1]] = {}
        elif func == "setValues":
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    key = (a["start_row"] + i, a["start_column"] + j)
                    if v is None or v == "":
                        self.cells[sheet].pop(key, None)
                    else:
                        self.cells[sheet][key] = v
        elif func == "sheetClearContents":
            self.cells[sheet] = {}
        elif func == "rangeClearContents":
            for i in range(a["row_count"]):
                for j in range(a["column_count"]):
                    self.cells[sheet].pop((a["start_row"] + i, a["start_column"] + j), None)
        elif func == "setRangeColors":
            for i, row in enumerate(args[0]):
                for j, color in enumerate(row):
                    if color != "keep":
                        self.fills[(sheet, a["start_row"] + i, a["start_column"] + j)] = color
        elif func == "setSheetVisibility":
            (self.hidden.add if args[0] == "Hidden" else self.hidden.discard)(sheet)
        elif func == "alert":
            self.alerts.append(args[0])
        # activateSheet, setColumnWidth, setNumberFormat, addTable: how it looks, not what it says

    def grid(self, sheet: str) -> dict[tuple[int, int], Any]:
        return self.cells[sheet]


def run_locally(payload: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The same entry point in this process, as RunPython runs it, on a Book of the same JSON."""
    import kundenliste_tools.xl as kl

    book = xw.Book(json=json.loads(json.dumps(payload)))
    getattr(kl, name)(book)
    return book.json()["actions"]


# --- the server ---------------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    log: Path
    exports: Path
    process: subprocess.Popen

    def call(self, script: str, body: bytes, token: str | None = TOKEN) -> tuple[int, Any, float]:
        """POST the body as RunServerPython does; (status, parsed answer or text, seconds)."""
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = token
        request = urllib.request.Request(f"{self.url}/xlwings/custom-scripts-call/{script}", data=body,
                                         headers=headers, method="POST")
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                answer = json.loads(response.read())
                return response.status, answer, time.perf_counter() - start
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace"), time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def team_server(folder: Path, workers: int = 1) -> Iterator[Server]:
    """`kundenliste-server` on 127.0.0.1 with the test token; its whole output goes to a log file."""
    port = free_port()
    log = folder / "server.log"
    exports = folder / "exporte"
    env = {**os.environ, "KUNDENLISTE_TOKEN": TOKEN, "XLWINGS_LICENSE_KEY": "noncommercial",
           "KUNDENLISTE_EXPORT_ORDNER": str(exports)}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", "from kundenliste_tools.server import run; run()", "--port", str(port),
             "--workers", str(workers)],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=folder,
        )
    server = Server(f"http://127.0.0.1:{port}", log, exports, process)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Der Server startet nicht:\n" + log.read_text(errors="replace"))
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
