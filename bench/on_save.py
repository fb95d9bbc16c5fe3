"""The on-save path on one workbook, as the remote engine sees it; prints a JSON report.

Run by `bench/run.py` in its own process so that the first call really pays for its imports.
The workbook's sheets become the JSON a VBA client sends (`tests/xlbook.py`, made in a
separate process); from that, a genuine `xw.Book`.  Timed (Python only): reading it through
the xl door (`workbook_data`), and the whole on-save hook (read, validate, write marks), once
cold (importing xlwings, which brings pandas, and the package, then the first call: a save
that has to start Python, as on macOS) and then warm, each time on a fresh `Book` (what a
save costs with xlwings' persistent COM server on Windows), wall and CPU time.  Making the
`Book` from the JSON is the client's side and not timed.

The package's bytecode is compiled first (`compileall`, as `pip install` does): an installed
package does not compile its sources at each start, and this machine's environment
(PYTHONDONTWRITEBYTECODE=1) would otherwise make every cold run pay for it (0.02–0.03 s).
`ours_cold_*` is the package's own cold part, its import plus the first call (issue 18's
limit); the CPU figures are `time.process_time()`, less disturbed by other load than wall time.

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


def write_payload(path: str, target: str) -> int:
    """The JSON a VBA client would send for this workbook (`tests/xlbook.payload`)."""
    from kundenliste_tools.files.reader import read_grids
    from tests.xlbook import payload

    grids = read_grids(Path(path), name=Path(path).name)
    sheets = {name: [[None if c == "" else c for c in row] for row in grid]
              for name, grid in grids.items() if len(grid)}
    Path(target).write_text(json.dumps(payload(sheets, name=Path(path).name), default=str), encoding="utf-8")
    return 0


def main(path: str) -> int:
    """Time the hook in this fresh process; the payload is made in another one first, so
    that "cold" really starts without xlwings, pandas or the package imported."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "payload.json"
        subprocess.run([sys.executable, __file__, "--payload", path, str(target)], check=True)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "kundenliste_tools")],
                       check=True)
        sent = json.loads(target.read_text(encoding="utf-8"))

    t, c = time.perf_counter(), time.process_time()
    import xlwings as xw  # noqa: F401  (imports pandas too, as in Excel's Python process)

    imports_xlwings, imports_xlwings_cpu = time.perf_counter() - t, time.process_time() - c

    def book() -> "xw.Book":
        return xw.Book(json=json.loads(json.dumps(sent)))  # a fresh copy: the hook writes into it

    b = book()
    t, c = time.perf_counter(), time.process_time()
    from kundenliste_tools.xl import checks  # the validation helper's on-save hook

    imported, imported_cpu = time.perf_counter() - t, time.process_time() - c
    hook = checks.on_save
    t, c = time.perf_counter(), time.process_time()
    hook(b)
    first, first_cpu = time.perf_counter() - t, time.process_time() - c
    report: dict[str, object] = {
        "import_xlwings_s": imports_xlwings, "import_s": imported, "first_s": first,
        "cold_s": imports_xlwings + imported + first,
        "import_xlwings_cpu_s": imports_xlwings_cpu, "import_cpu_s": imported_cpu, "first_cpu_s": first_cpu,
        # the package's own cold part (what issue 18 limits): its import and the first call
        "ours_cold_s": imported + first, "ours_cold_cpu_s": imported_cpu + first_cpu,
        "actions": len(b.json()["actions"]),
    }

    from kundenliste_tools.xl.common import workbook_data

    reads = []
    for _ in range(RUNS):
        b = book()
        t = time.perf_counter()
        data = workbook_data(b)
        reads.append(time.perf_counter() - t)
    report["read_s"] = min(reads)
    report["rows"] = [len(data.kunden), len(data.doku)]

    warm, warm_cpu = [], []
    for _ in range(RUNS):
        b = book()
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
    if sys.argv[1] == "--payload":
        sys.exit(write_payload(sys.argv[2], sys.argv[3]))
    sys.exit(main(sys.argv[1]))
