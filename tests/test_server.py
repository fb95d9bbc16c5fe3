"""The team server (xlwings Server, issue 15): started on 127.0.0.1, fed what the VBA client sends.

The workbook is the demo workbook of a team (1,000 customers, about 8,300 entries: `kundenliste
demo`'s generator); the request body is the exact JSON of xlwings' Remote module for the sheets
our VBA includes (`BenoetigteBlaetter`, run in pyOpenVBA on this workbook).  The server's answer,
applied as the client applies it, must show what the local route shows: the same entry point run
in this process, as RunPython runs it (tests/test_use_cases_both_doors.py holds that route to
the command line).
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pyopenvba.apps.excel import ExcelApplication

from kundenliste_tools.core import model
from kundenliste_tools.core.ids import check_ok, is_own_format
from kundenliste_tools.files import xlsm
from kundenliste_tools.files.demo import write_demo

from .serverbook import TOKEN, Applied, run_locally, team_server, vba_payload
from .vbatools import MACROS, procedures, vba_modules

pytest.importorskip("xlwings_server")

CUSTOMERS = 1000


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, object]:
    path = tmp_path_factory.mktemp("demo") / "Kundenliste.xlsm"
    data = write_demo(path, n_customers=CUSTOMERS)
    return path, data


@pytest.fixture(scope="module")
def include(demo) -> list[str]:
    """The sheets our VBA sends: KundenlisteKnoepfe.BenoetigteBlaetter, run on the workbook."""
    path, _ = demo
    app = ExcelApplication.open(path, with_vba=False)
    app.add_module(vba_modules(path)["KundenlisteKnoepfe"], name="KundenlisteKnoepfe")
    app.add_module(vba_modules(path)["ThisWorkbook"], name="ThisWorkbook", kind="document")
    return str(app.run("KundenlisteKnoepfe.BenoetigteBlaetter")).split(",")


@pytest.fixture(scope="module")
def payload(demo, include) -> dict:
    return vba_payload(demo[0], include)


@pytest.fixture(scope="module")
def body(payload) -> bytes:
    return json.dumps(payload).encode("utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with team_server(tmp_path_factory.mktemp("server")) as server:
        yield server


def test_the_payload_is_what_the_vba_client_sends_for_the_demo_workbook(demo, payload, include):
    _, data = demo
    assert include == ["Kundenliste", "KundenDoku", "Listen", "Einstellungen", "Berater", "ID-Register"]
    sent = {s["name"]: s for s in payload["sheets"]}
    assert sent["xlwings.conf"]["values"] == [[]]  # not needed: its name only
    kunden = sent["Kundenliste"]["values"]
    assert kunden[0][:3] == ["ID", "Erstkontakt", "Akquise"]
    assert sum(1 for row in kunden[1:] if row[1] is not None) == len(data.kunden) >= CUSTOMERS
    assert len(kunden) >= 2000  # Excel's used range: the template formats 2,000 rows in advance
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00\.000Z", kunden[1][1])  # a date, as ConvertToIso writes it
    assert [t["name"] for t in sent["Kundenliste"]["tables"]] == ["Kunden"]


def test_without_or_with_a_wrong_token_401_and_nothing_runs(server, body):
    before = server.log.read_text(errors="replace").count("kundenliste.server")
    for token in (None, "", "falsch", TOKEN[:-1], "Bearer " + TOKEN + "x"):
        for script in ("on_save", "ids_vergeben", "quartalsexport"):
            status, answer, _ = server.call(script, body, token=token)
            assert status == 401, (token, script)
            assert "actions" not in answer
    log = server.log.read_text(errors="replace")
    assert log.count("kundenliste.server") == before  # no script ran (each logs one line when it does)
    assert not server.exports.exists() or not any(server.exports.iterdir())  # no export written


def _masked(state: Applied) -> Applied:
    """The check's time stamp (Prüfbericht B3, "Geprüft am") differs by the seconds between runs."""
    state.cells.get(model.PRUEFBERICHT, {}).pop((2, 1), None)
    return state


@pytest.mark.parametrize("script", ["on_save", "pruefen", "faelligkeiten"])
def test_with_the_token_the_answer_shows_what_the_local_route_shows(server, payload, body, script):
    status, answer, _ = server.call(script, body)
    assert status == 200
    remote = _masked(Applied.of(payload, answer["actions"]))
    local = _masked(Applied.of(payload, run_locally(payload, script)))
    assert remote.sheets == local.sheets
    assert remote.cells == local.cells  # the due dates, the Fälligkeiten, the Prüfbericht, every cell
    assert remote.fills == local.fills and remote.hidden == local.hidden  # the marks
    assert remote.alerts == local.alerts
    if script != "faelligkeiten":
        assert remote.fills and remote.cells[model.PRUEFBERICHT][(0, 1)] > 0  # the demo has mistakes
    else:
        kl = remote.sheets.index("Kundenliste")
        due_col = next(c for (r, c), v in remote.cells["Kundenliste"].items() if r == 0 and v == model.DUE_COLUMN)
        # a date or "nicht bewertbar" for every customer not closed (the demo closes about a fifth)
        assert sum(1 for (r, c) in remote.cells[remote.sheets[kl]] if c == due_col and r > 0) >= CUSTOMERS // 2


def test_ids_from_the_server_go_where_the_local_route_puts_them(server, payload, body):
    status, answer, _ = server.call("ids_vergeben", body)
    assert status == 200
    remote = Applied.of(payload, answer["actions"])
    local = Applied.of(payload, run_locally(payload, "ids_vergeben"))
    sent = Applied.of(payload, [])

    def new_ids(state: Applied) -> dict[tuple[int, int], str]:
        return {k: v for k, v in state.cells["Kundenliste"].items() if sent.cells["Kundenliste"].get(k) != v}

    remote_ids, local_ids = new_ids(remote), new_ids(local)
    assert remote_ids.keys() == local_ids.keys() and remote_ids  # the same cells, the demo has blank IDs
    assert all(is_own_format(i) and check_ok(i) for i in remote_ids.values())
    assert len(set(remote_ids.values())) == len(remote_ids)
    assert not set(remote_ids.values()) & {str(v) for v in sent.cells["Kundenliste"].values()}
    register = sorted(v for (r, c), v in remote.cells["ID-Register"].items() if c == 0 and r > 0)
    assert set(remote_ids.values()) <= set(register)  # on record
    assert remote.alerts == local.alerts


def test_the_quarterly_export_is_written_into_the_servers_export_folder(server, body):
    status, answer, _ = server.call("quartalsexport", body)
    assert status == 200
    (export,) = list(server.exports.glob("Quartal_*_anonym.xlsx"))
    (alert,) = [a for a in answer["actions"] if a["func"] == "alert"]
    assert str(export) in alert["args"][0]


def test_twenty_concurrent_requests_are_all_answered_correctly(server, payload, body):
    expected = _masked(Applied.of(payload, run_locally(payload, "on_save")))
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: server.call("on_save", body), range(20)))
    assert [status for status, _, _ in results] == [200] * 20
    for _, answer, _ in results:
        state = _masked(Applied.of(payload, answer["actions"]))
        assert state.cells == expected.cells and state.fills == expected.fills


def test_the_server_log_holds_no_personal_data(server, demo, body):
    server.call("on_save", body)
    server.call("faelligkeiten", body)
    log = server.log.read_text(errors="replace")
    assert "on_save: " in log and "faelligkeiten: " in log  # the log is written …
    _, data = demo
    personal = set()
    for field in ("VName", "NName", "Strasse", "Telefon", "Email", "ID"):
        personal |= {str(k[field]) for k in data.kunden if k.get(field) not in (None, "") and len(str(k[field])) >= 4}
    # as whole words; a legacy ID that is a small number (1033) cannot be told from a row count
    found = sorted(p for p in personal if not p.isdigit() and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", log))
    assert len(personal) > 3 * CUSTOMERS and found == []  # … and names nobody, no address, no ID
    assert not re.search(r'"POST /xlwings', log)  # no access log (it would hold the counsellors' addresses)


# --- the VBA client can apply every answer --------------------------------------------------


def test_every_change_the_server_sends_has_a_procedure_in_the_workbooks_vba(payload):
    """RunServerPython calls Application.Run action("func") for each change: every func the door
    records must be a procedure of xlwings' Remote module or of our KundenlisteServer."""
    remote = procedures((xlsm.xlwings_dir() / "addin" / "Remote.bas").read_text(encoding="utf-8"))
    ours = procedures((MACROS / "KundenlisteServer.bas").read_text(encoding="utf-8"))
    funcs = {a["func"] for script in ("on_save", "pruefen", "ids_vergeben", "faelligkeiten")
             for a in run_locally(payload, script)}
    assert funcs <= set(remote) | set(ours), funcs - set(remote) - set(ours)
    assert set(ours) == {"setRangeColors", "setSheetVisibility", "setColumnWidth"}
    assert not set(ours) & set(remote)  # none replaces one of xlwings'


def test_the_server_refuses_to_start_without_a_team_token_or_licence_key(monkeypatch):
    from kundenliste_tools.server import environment, problems, run

    assert problems({"KUNDENLISTE_TOKEN": TOKEN, "XLWINGS_LICENSE_KEY": "noncommercial"}) == []
    found = problems({"KUNDENLISTE_TOKEN": "kurz"})
    assert len(found) == 2 and "KUNDENLISTE_TOKEN" in found[0] and "noncommercial" in found[1]
    env = environment({"KUNDENLISTE_TOKEN": TOKEN})
    assert env["XLWINGS_AUTH_PROVIDERS"] == '["team"]' and Path(env["XLWINGS_PROJECT_DIR"], "custom_scripts").is_dir()
    monkeypatch.delenv("KUNDENLISTE_TOKEN", raising=False)
    with pytest.raises(SystemExit) as stop:
        run(["--port", "1"])
    assert "Der Server startet nicht" in str(stop.value.code)


def test_the_invitations_from_the_server_are_those_of_the_local_route(server, payload):
    # The demo's rule set names no weekly quota; a team planning invitations uses one that does
    # (seed 001: 25 Beratungsgespräche per week and full-time position).
    planned = json.loads(json.dumps(payload))
    settings = next(s for s in planned["sheets"] if s["name"] == "Einstellungen")
    row = next(r for r in settings["values"] if r and str(r[0]).strip() == "Regelwerk")
    row[1] = "lichtenberg-2013"
    status, answer, _ = server.call("einladungen", json.dumps(planned).encode("utf-8"))
    assert status == 200
    remote = _masked(Applied.of(planned, answer["actions"]))
    local = _masked(Applied.of(planned, run_locally(planned, "einladungen")))
    assert remote.sheets == local.sheets and "Einladungen" in remote.sheets
    assert remote.cells == local.cells and remote.alerts == local.alerts
    assert any(str(v).startswith("Einzuladen (") for v in remote.cells["Einladungen"].values())
