"""The commands start calamine's parse before loading pandas and their use case (issue 18).

Importing a use case (pandas, the core, openpyxl for the export) takes 0.3–0.8 s; a door
that did it before `open_workbook` made the parse wait for it.  So each door reads first and
loads its use case as the read's `meanwhile`.  Checked in a fresh interpreter per command:
when the read starts, pandas is not loaded yet, and the command still gives its result.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kundenliste_tools.files.demo import write_demo

PROBE = """
import json, sys
from kundenliste_tools.files import reader
seen = []
real = reader.read_workbook
def spy(*args, **kwargs):
    seen.append("pandas" in sys.modules)
    return real(*args, **kwargs)
reader.read_workbook = spy  # every door's read goes through it (`ids` without app.workbook)
from kundenliste_tools.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "pandas_before_read": seen}), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "Demo.xlsm"
    write_demo(path)
    return path


@pytest.mark.parametrize("args", [["faellig"], ["einladen", "--regelwerk", "lichtenberg-2013"],
                                  ["quartal", "--quartal", "2026-Q2", "--out", "{tmp}/q.xlsx"],
                                  ["pruefen"], ["ids"]])
def test_the_read_starts_before_pandas_is_loaded(demo: Path, tmp_path: Path, args: list[str]) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    book = tmp_path / demo.name  # `ids` writes into the workbook: each test its own copy
    shutil.copy(demo, book)
    done = subprocess.run([sys.executable, "-c", PROBE, argv[0], str(book), *argv[1:]],
                          capture_output=True, text=True, timeout=300)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, 1), done.stderr
    assert report["pandas_before_read"] == [False], done.stderr
