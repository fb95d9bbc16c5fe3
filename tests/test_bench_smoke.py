"""The benchmark scripts still run (not a timed test: no figure is asserted).

`bench/generate.py` and `bench/run.py` are not part of the package and nothing else imports
them, so without this they would rot unnoticed.  A tiny size keeps it to a few seconds.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

import pandas as pd

from kundenliste_tools.core import model
from kundenliste_tools.core.values import id_texts
from kundenliste_tools.files.reader import read_workbook

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load(name: str):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


def test_generator_writes_the_sizes_asked_for_with_its_mistakes_and_caches(tmp_path):
    generate = _load("generate")
    assert generate.parse_sizes("1000, 30k,100_000") == [1000, 30000, 100000]
    path, meta = generate.ensure(40, tmp_path, today=dt.date(2026, 6, 15))
    data = read_workbook(path)
    # 40 customers plus the demo's extra new ones (a future Erstkontakt, blank and doubled IDs)
    assert len(data.kunden) == meta["customers"] > 40
    assert len(data.doku) == meta["entries"] >= 400
    assert set(data.lists.get("Berater")) == {name for name, _ in generate.demo_data.BERATER}
    ids = id_texts(data.kunden["ID"])
    assert (ids == "").sum() == 3  # the demo's three customers still waiting for an ID
    german = [tuple(m) for m in meta["mistakes"] if m[2] == "Erstkontakt"]
    for _sheet, row, _ in german:
        value = data.kunden.loc[data.kunden[model.ROW] == row, "Erstkontakt"].iloc[0]
        assert isinstance(value, str) or pd.Timestamp(value).date() > dt.date(2026, 6, 15)
    stamp = path.stat().st_mtime_ns
    again, _ = generate.ensure(40, tmp_path)
    assert again == path and path.stat().st_mtime_ns == stamp  # reused, not rebuilt


def test_runner_measures_floor_commands_and_on_save_and_prints_a_table(tmp_path, capsys):
    run = _load("run")
    out = tmp_path / "bench.json"
    code = run.main(["--groesse", "40", "--out", str(tmp_path), "--nur", "pruefen,ids",
                     "--json", str(out)])
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))[0]
    names = [r["name"] for r in report["results"]]
    assert names[:2] == ["Boden: read_excel", "Start (--help)"]
    for r in report["results"]:
        assert r["exit"] in (0, 1), r
        assert r["seconds"] > 0 and r["peak_mb"] > 0 and r["ratio"] is not None
    assert report["floor_inner"]["rows"][model.KUNDENDOKU] == report["entries"]
    assert report["on_save"]["warm_s"] > 0 and report["on_save"]["rows"] == [report["customers"], report["entries"]]
    printed = capsys.readouterr().out
    assert "| Boden: read_excel |" in printed and "Beim Speichern" in printed
