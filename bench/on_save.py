"""The on-save path on one workbook, as the remote engine sees it; prints a JSON report.

Run by `bench/run.py` in its own process so that the first call really pays for its imports.
The workbook's sheets become the JSON a VBA client sends (`tests/xlbook.py`); from that, a
genuine `xw.Book`.  Timed (Python only): reading it through the xl door (`workbook_data`),
and the whole on-save hook (read, validate, write marks), once cold (first call, with the
lazy imports it triggers) and then warm, each time on a fresh `Book` (what a save costs with
xlwings' persistent COM server), wall and CPU time.  Building the `Book` is Excel's side and not timed.

    python bench/on_save.py bench/out/kundenliste-1000.xlsx
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
#: Warm runs; the best counts (the one least disturbed by other load on the machine).
RUNS = 5


def main(path: str) -> int:
    from kundenliste_tools.files.reader import read_grids
    from tests.xlbook import book, payload

    grids = read_grids(Path(path), name=Path(path).name)
    sheets = {name: [[None if c == "" else c for c in row] for row in grid]
              for name, grid in grids.items() if grid}

    t = time.perf_counter()
    from kundenliste_tools.xl import checks  # the validation helper's on-save hook
    imported = time.perf_counter() - t
    hook = checks.on_save

    report: dict[str, object] = {"import_s": imported}
    b = book(sheets, name=Path(path).name)
    t = time.perf_counter()
    hook(b)
    report["cold_s"] = time.perf_counter() - t + imported
    report["actions"] = len(b.json()["actions"])

    from kundenliste_tools.xl.common import workbook_data

    reads = []
    for _ in range(RUNS):
        b = book(sheets, name=Path(path).name)
        t = time.perf_counter()
        data = workbook_data(b)
        reads.append(time.perf_counter() - t)
    report["read_s"] = min(reads)
    report["rows"] = [len(data.kunden), len(data.doku)]

    warm, warm_cpu = [], []
    for _ in range(RUNS):
        b = book(sheets, name=Path(path).name)
        t, c = time.perf_counter(), time.process_time()
        hook(b)
        warm.append(time.perf_counter() - t)
        warm_cpu.append(time.process_time() - c)
    report["warm_s"] = min(warm)
    report["warm_cpu_s"] = min(warm_cpu)
    report["warm_runs"] = warm
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
