"""The VBA of the built workbook: read back with oletools, compiled and run in pyOpenVBA.

What is checked here is the workbook a counsellor gets: the VBA is read from the built file's
vbaProject.bin (not from xl_macros/), every RunPython command is real Python naming a real
entry point, our modules compile, and Workbook_BeforeSave behaves as SPEC §7 says, run in
pyOpenVBA's Excel. Only Python itself is replaced there (a VBA `RunPython` that records the
command and plays the part of `kl.on_save`), since no Excel or Python server runs in a test.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import re
import tomllib
from importlib import import_module

import pytest
import xlwings
from pyopenvba.apps.excel import ExcelApplication
from pyopenvba.apps.excel._model import Application as ExcelApplicationObject
from pyopenvba.apps.excel._model import Workbook as ExcelWorkbook
from pyopenvba.interpreter import Interpreter
from pyopenvba.interpreter._objects import member, method
from pyopenvba.interpreter._runtime import Slot
from pyopenvba.interpreter._values import MISSING
from pyopenvba.interpreter._values import error as vba_error

from kundenliste_tools.core import model
from kundenliste_tools.core.errors import KundenlisteError
from kundenliste_tools.files import xlsm
from kundenliste_tools.files.template import BUTTONS, write_workbook

from .vbatools import MACROS, REPO, procedures, runpython_commands, vba_modules

OURS = ("ThisWorkbook", "KundenlisteKnoepfe")
#: What each button and the save hook hand to Python (issue 8: the RunPython targets), plus the
#: quiet check on an automatic save and the warm-up on opening (issue 15).
EXPECTED_TARGETS = {
    "pruefen", "on_save", "ids_vergeben", "faelligkeiten", "quartalsexport", "einladungen", "on_autosave",
    "beim_oeffnen", "auskunft", "loeschen",
}
#: xlwings' standalone module, its Dictionary, and the xlwings Server client (issue 15).
XLWINGS_VBA = {"xlwings", "Dictionary", "Remote", "IWebAuthenticator", "WebClient", "WebRequest", "WebResponse",
               "WebHelpers"}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("vba") / "Kundenliste.xlsm"
    write_workbook(path)
    return path


@pytest.fixture(scope="module")
def modules(book):
    return vba_modules(book)


def test_the_workbook_holds_our_modules_and_the_standalone_xlwings(modules):
    assert {"ThisWorkbook", "KundenlisteKnoepfe"} | XLWINGS_VBA <= set(modules)
    assert "xlwings_udfs" not in modules  # made by xlwings' "Import Functions" on Windows, never built in
    # one document module per sheet, as Excel has them
    assert sum(1 for name in modules if re.fullmatch(r"Sheet\d+", name)) == 7


def test_before_save_and_every_button_macro_are_in_the_built_vba(modules):
    this = procedures(modules["ThisWorkbook"])
    assert this["Workbook_BeforeSave"] == ("Private", "ByVal SaveAsUI As Boolean, Cancel As Boolean")
    buttons = procedures(modules["KundenlisteKnoepfe"])
    for _label, macro in BUTTONS:
        assert buttons[macro] == ("Public", ""), macro  # a button can only run a Public Sub without arguments


def test_every_ribbon_button_is_dispatched_to_a_button_macro(modules):
    ui = (MACROS / "customUI14.xml").read_text(encoding="utf-8")
    actions = set(re.findall(r'onAction="(\w+)"', ui))
    ids = re.findall(r'<button id="(\w+)"', ui)
    assert actions == {"KnopfImMenueband"}
    scope, params = procedures(modules["KundenlisteKnoepfe"])["KnopfImMenueband"]
    assert (scope, params) == ("Public", "control As IRibbonControl")  # the signature Office calls
    assert sorted(ids) == sorted(f"kl{macro}" for _label, macro in BUTTONS)
    for i in ids:
        assert f'Case "{i}"' in modules["KundenlisteKnoepfe"]


def test_the_vba_in_the_workbook_is_the_source_in_xl_macros(modules):
    for m in xlsm.our_modules():
        assert modules[m.name] == m.source.strip("\n"), m.name


def test_our_vba_is_ascii_so_every_excel_reads_it_alike():
    for path in MACROS.glob("*.*"):
        if path.suffix in (".bas", ".cls"):
            path.read_bytes().decode("ascii")


# --- RunPython ------------------------------------------------------------------------------


def _commands(modules):
    return [cmd for name in OURS for cmd in runpython_commands(modules[name])]


def _target(command: str) -> str:
    """The entry point a RunPython command calls; it must be valid Python of the agreed form."""
    tree = ast.parse(command)  # a SyntaxError here is a command Python would refuse in Excel
    imp, call = tree.body
    assert isinstance(imp, ast.Import) and [(a.name, a.asname) for a in imp.names] == [("kundenliste_tools.xl", "kl")]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call) and not call.value.args
    func = call.value.func
    assert isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "kl"
    return func.attr


def test_runpython_commands_name_the_agreed_entry_points(modules):
    commands = _commands(modules)
    assert {_target(c) for c in commands} == EXPECTED_TARGETS
    # on_save twice: the save the user starts, and before closing when AutoSave saved quietly
    assert sorted(_target(c) for c in commands if _target(c) == "on_save") == ["on_save"] * 2


@pytest.mark.parametrize("name", sorted(EXPECTED_TARGETS))
def test_every_runpython_command_is_imported_and_its_function_found(modules, name):
    """Resolve each command the way xlwings will: import the package, find the entry point."""
    assert name in {_target(c) for c in _commands(modules)}
    xl = import_module("kundenliste_tools.xl")
    assert name in xl.ENTRY_POINTS, f"kundenliste_tools.xl.ENTRY_POINTS hat keinen Eintrag {name!r}"
    module_name, func_name = xl.ENTRY_POINTS[name].split(":")
    func = getattr(import_module(f"kundenliste_tools.xl.{module_name}"), func_name)
    inspect.signature(func).bind(object())  # it takes the calling Book
    assert callable(getattr(xl, name))  # what `kl.<name>()` looks up


# --- xlwings' own VBA -----------------------------------------------------------------------


def test_xlwings_vba_is_the_standalone_module_of_the_pinned_version(modules):
    pinned = next(
        d.split("==")[1]
        for d in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
        if d.startswith("xlwings==")
    )
    assert xlwings.__version__ == xlsm.xlwings_version() == pinned
    assert xlsm.xlwings_vba_version(modules["xlwings"]) == pinned
    installed = (xlsm.xlwings_dir() / "xlwings.bas").read_text(encoding="utf-8").replace("\r\n", "\n")
    body = "\n".join(line for line in installed.split("\n") if not line.startswith("Attribute VB_"))
    assert modules["xlwings"] == body.strip("\n")
    assert modules["xlwings"].startswith('#Const App = "Microsoft Excel"')  # what the standalone module needs
    assert (
        "Drop-in replacement for Scripting.Dictionary on Mac"
        in (xlsm.xlwings_dir() / "addin/Dictionary.cls").read_text()
    )
    assert "Private dict_pKeyValues As Collection" in modules["Dictionary"]  # GetConfigFromSheet on macOS needs it


@pytest.mark.parametrize("name", sorted(XLWINGS_VBA - {"xlwings", "Dictionary"}))
def test_the_server_client_modules_are_those_of_the_installed_xlwings(modules, name):
    """RunServerPython and the VBA-Web classes it sends with, as `xlwings release` imports them."""
    installed = xlsm.xlwings_dir() / xlsm.XLWINGS_MODULES[name]
    lines = installed.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
    if lines[0].startswith("VERSION "):
        lines = lines[lines.index("END") + 1 :]
    body = "\n".join(line for line in lines if not line.startswith("Attribute VB_"))
    assert modules[name] == body.strip("\n")
    if name == "Remote":
        assert procedures(modules[name])["RunServerPython"][0] == "Public"


def test_a_mismatched_xlwings_vba_module_is_refused(monkeypatch):
    real = xlwings.__version__
    monkeypatch.setattr(xlsm, "xlwings_version", lambda: "0.0.1")
    with pytest.raises(KundenlisteError, match=f"Version {re.escape(real)}.*0[.]0[.]1"):
        xlsm.xlwings_modules()


# --- our VBA compiles and runs --------------------------------------------------------------


@pytest.mark.parametrize("name", OURS)
def test_our_vba_compiles_in_pyopenvba(modules, name):
    kind = "class" if name == "ThisWorkbook" else "standard"
    runtime = Interpreter().add_module(modules[name], name=name, kind=kind)
    assert runtime.name == name


class _Workbook(ExcelWorkbook):
    """pyOpenVBA's workbook as a given Excel has it: `autosave` None is an Excel without the
    property AutoSaveOn (2016 and older: error 438), else its value.  Save fires
    Workbook_BeforeSave (SaveAsUI False) as Excel's Workbook.Save does; a cancelled save writes
    nothing, and nothing is written to disk here anyway."""

    autosave: bool | None = None

    @member
    def AutoSaveOn(self) -> object:
        if self.autosave is None:
            raise vba_error(438, "Object doesn't support this property or method")
        return self.autosave

    @method
    def Save(self) -> object:
        _save_through(self.application_view, save_as_ui=False)
        return None


class _Application(ExcelApplicationObject):
    """pyOpenVBA's Application with Excel's OnKey (recorded: key → procedure, None = reset)."""

    keys: dict[str, str | None]

    @method
    def OnKey(self, Key: object = None, Procedure: object = None) -> object:
        self.keys[str(Key)] = None if Procedure in (None, MISSING) else str(Procedure)
        return None


def _excel(book, errors_found: int = 0, settings: dict[str, object] | None = None,
           autosave: bool | None = None) -> ExcelApplication:
    """pyOpenVBA's Excel with the built workbook and our modules; Python played by a VBA stub.

    The stub records each command in Einstellungen!Z1 and, like kl.on_save, writes the number
    of errors it "found" into Prüfbericht!B1 (kl.on_autosave writes no cell; the stub does the
    same for it).  RunServerPython (xlwings' Remote module) records its URL, token and sheets.
    """
    app = ExcelApplication.open(book, with_vba=False)
    app.workbook.__class__ = _Workbook
    app.workbook.autosave = autosave
    app.workbook.application_view = app
    app.application.__class__ = _Application
    app.application.keys = {}
    mods = vba_modules(book)
    app.add_module(mods["KundenlisteKnoepfe"], name="KundenlisteKnoepfe")  # ThisWorkbook calls it by name
    app.add_module(mods["ThisWorkbook"], name="ThisWorkbook", kind="document")
    app.add_module(
        f"""
Public Function RunPython(PythonCommand As String)
    With ThisWorkbook.Worksheets("Einstellungen").Range("Z1")
        .Value = .Value & PythonCommand & "|"
    End With
    If InStr(PythonCommand, "on_autosave") > 0 Then Exit Function
    Dim s As Worksheet, da As Boolean
    For Each s In ThisWorkbook.Worksheets
        If s.Name = "Pr" & ChrW(252) & "fbericht" Then da = True
    Next s
    If Not da Then
        Set s = ThisWorkbook.Worksheets.Add
        s.Name = "Pr" & ChrW(252) & "fbericht"
    End If
    ThisWorkbook.Worksheets("Pr" & ChrW(252) & "fbericht").Range("B1").Value = {int(errors_found)}
End Function

Public Function RunServerPython(url As String, Optional auth As String, Optional apiKey As String, _
                                Optional include As String)
    With ThisWorkbook.Worksheets("Einstellungen").Range("Z2")
        .Value = .Value & url & " " & auth & " " & include & "|"
    End With
End Function
""",
        name="xlwings",
    )
    sheet = app.sheet(model.EINSTELLUNGEN)
    rows = sheet.rows()
    for key, value in (settings or {}).items():
        row = next(
            (
                i
                for i, r in enumerate(rows, start=1)
                if r and model.normalize_key(r[0] or "") == model.normalize_key(key)
            ),
            len(rows) + 1,
        )
        sheet.set_value(f"A{row}", key)  # written as the test spells it
        sheet.set_value(f"B{row}", value)
    return app


def _save_through(app, save_as_ui: bool = False) -> bool:
    """Run Workbook_BeforeSave as Excel does on a save; True when it cancels the save."""
    runtime = app.interpreter.module("ThisWorkbook")
    cancel = Slot(False, "Boolean")
    app.interpreter.call(
        runtime.procedure("Workbook_BeforeSave"), runtime, [save_as_ui, cancel], {}, me=runtime.document
    )
    return bool(cancel.value)


def _save(app, save_as_ui: bool = False) -> bool:
    """A save as Excel starts it on its own (or the user from the Save button); True = cancelled."""
    return _save_through(app, save_as_ui)


def _event(app, name: str, *args) -> list:
    """Run a workbook event of ThisWorkbook (Open, Activate, BeforeClose …); its arguments back."""
    runtime = app.interpreter.module("ThisWorkbook")
    slots = [Slot(a, "Boolean") for a in args]
    app.interpreter.call(runtime.procedure(name), runtime, slots, {}, me=runtime.document)
    return [slot.value for slot in slots]


def _calls(app) -> list[str]:
    return [c for c in str(app.sheet(model.EINSTELLUNGEN).value("Z1") or "").split("|") if c]


def _server_calls(app) -> list[list[str]]:
    return [c.split(" ") for c in str(app.sheet(model.EINSTELLUNGEN).value("Z2") or "").split("|") if c]


ON_SAVE = "import kundenliste_tools.xl as kl; kl.on_save()"


def test_save_runs_the_check_and_saves_despite_errors_by_default(book):
    app = _excel(book, errors_found=5)
    assert _save(app) is False
    assert _calls(app) == [ON_SAVE]
    assert app.dialogs == []


def test_the_setting_blocks_a_save_with_errors_and_says_why(book):
    app = _excel(book, errors_found=5, settings={"Speichern bei Fehlern verhindern": "ja"})
    assert _save(app) is True
    assert _calls(app) == [ON_SAVE]
    (dialog,) = app.dialogs
    assert "Nicht gespeichert" in dialog[1] and "5 Fehler" in dialog[1]


def test_the_setting_lets_a_clean_save_through(book):
    app = _excel(book, errors_found=0, settings={"Speichern bei Fehlern verhindern": "ja"})
    assert _save(app) is False


def test_setting_keys_and_values_are_matched_forgivingly(book):
    app = _excel(book, errors_found=2, settings={"Speichern bei Fehlern verhindern": "  Ja "})
    assert _save(app) is True
    app = _excel(book, errors_found=2, settings={"SPEICHERN BEI FEHLERN VERHINDERN": True})
    assert _save(app) is True


def test_no_check_on_save_means_python_is_not_started(book):
    app = _excel(
        book, errors_found=5, settings={"Beim Speichern prüfen": "nein", "Speichern bei Fehlern verhindern": "ja"}
    )
    assert _save(app) is False
    assert _calls(app) == []


def test_a_failing_python_never_stops_the_save_even_with_an_old_error_count(book):
    app = _excel(book, errors_found=3, settings={"Speichern bei Fehlern verhindern": "ja"})
    assert _save(app) is True  # a first save leaves Prüfbericht!B1 = 3
    app.add_module(
        """
Public Function RunPython(PythonCommand As String)
    Err.Raise 1004, , "Python nicht gefunden"
End Function
""",
        name="xlwings",
    )  # now Python is gone
    assert _save(app) is False
    assert app.sheet("Prüfbericht").value("B1") in (None, "")  # the stale count was cleared first
    assert "trotzdem gespeichert" in str(app.application.vba_get("StatusBar"))


@pytest.mark.parametrize(("label", "macro"), BUTTONS)
def test_each_button_macro_hands_its_entry_point_to_python(book, label, macro):
    app = _excel(book)
    app.run(macro)
    (command,) = _calls(app)
    assert _target(command) in EXPECTED_TARGETS - {"on_save"}


def test_the_ribbon_callback_runs_the_button_of_its_id(book):
    app = _excel(book)
    app.add_module("Public Id As String\n", name="FakeControl", kind="class")
    app.add_module(
        """
Sub Klick(ByVal Was As String)
    Dim c As FakeControl
    Set c = New FakeControl
    c.Id = Was
    KnopfImMenueband c
End Sub
""",
        name="Menueband",
    )
    for _label, macro in BUTTONS:
        app.run("Menueband.Klick", f"kl{macro}")
    expected = [runpython_commands(vba_modules(book)["KundenlisteKnoepfe"])[i] for i in range(len(BUTTONS))]
    assert _calls(app) == expected


# --- AutoSave (issue 15) ---------------------------------------------------------------------

ON_AUTOSAVE = "import kundenliste_tools.xl as kl; kl.on_autosave()"
INTERVAL = "Prüfen bei automatischem Speichern (Minuten)"
BLOCKING = {"Speichern bei Fehlern verhindern": "ja"}


def _pruefbericht_b1(app):
    names = [s.name for s in app.sheets()]
    return app.sheet("Prüfbericht").value("B1") if "Prüfbericht" in names else "(kein Blatt)"


def test_an_automatic_save_with_errors_and_blocking_is_never_cancelled_and_python_runs_once_per_interval(book):
    app = _excel(book, errors_found=5, settings=BLOCKING, autosave=True)
    start = dt.datetime(2026, 12, 2, 9, 0, 0)
    app.freeze_clock(start)
    before = _pruefbericht_b1(app)
    # AutoSave fires every few seconds: 12 saves in the first 4 minutes (every 20 s)
    for i in range(12):
        app.freeze_clock(start + dt.timedelta(seconds=20 * i))
        assert _save(app) is False  # never cancelled, although 5 errors and blocking on
    assert _calls(app) == [ON_AUTOSAVE]  # the quiet check once; interval 5 minutes (the default)
    assert _pruefbericht_b1(app) == before  # no cell touched: the stale count was not cleared either
    assert app.dialogs == []
    # 5 minutes after the first quiet check (9:00): the next one; 9:04:59 was still too early
    app.freeze_clock(start + dt.timedelta(minutes=4, seconds=59))
    assert _save(app) is False
    app.freeze_clock(start + dt.timedelta(minutes=5))
    assert _save(app) is False
    assert _calls(app) == [ON_AUTOSAVE, ON_AUTOSAVE]


def test_the_interval_is_a_setting_and_zero_means_no_python_on_automatic_saves(book):
    app = _excel(book, errors_found=2, settings={**BLOCKING, INTERVAL: 0}, autosave=True)
    for _ in range(5):
        assert _save(app) is False
    assert _calls(app) == []
    app = _excel(book, errors_found=2, settings={INTERVAL: 1}, autosave=True)
    start = dt.datetime(2026, 12, 2, 9, 0, 0)
    for seconds in (0, 30, 59, 60, 90, 120):  # interval 1 minute: at 0, 60 and 120 s
        app.freeze_clock(start + dt.timedelta(seconds=seconds))
        _save(app)
    assert _calls(app) == [ON_AUTOSAVE] * 3


def test_with_autosave_on_a_save_the_user_starts_still_checks_and_may_block(book):
    app = _excel(book, errors_found=5, settings=BLOCKING, autosave=True)
    _event(app, "Workbook_Activate")
    assert app.application.keys == {"^s": "KundenlisteKnoepfe.StrgS"}  # Strg+S is caught while active
    app.run("KundenlisteKnoepfe.StrgS")  # the user presses Strg+S: Me.Save with the flag set
    assert _calls(app) == [ON_SAVE]
    (dialog,) = app.dialogs
    assert "Nicht gespeichert" in dialog[1] and "5 Fehler" in dialog[1]
    assert _save(app) is False  # the next automatic save is quiet again and not cancelled
    assert _calls(app) == [ON_SAVE, ON_AUTOSAVE]
    assert _save(app, save_as_ui=True) is True  # "Speichern unter" is the user's too
    assert _calls(app)[-1] == ON_SAVE
    _event(app, "Workbook_Deactivate")
    assert app.application.keys == {"^s": None}  # other workbooks get their Strg+S back


def test_with_autosave_the_full_check_runs_before_closing_and_never_keeps_the_workbook_open(book):
    app = _excel(book, errors_found=5, settings=BLOCKING, autosave=True)
    assert _event(app, "Workbook_BeforeClose", False) == [False]
    assert _calls(app) == [ON_SAVE]
    assert app.application.keys == {"^s": None}
    # without AutoSave every save was checked already: closing starts no Python
    app = _excel(book, errors_found=5, settings=BLOCKING, autosave=False)
    assert _event(app, "Workbook_BeforeClose", False) == [False]
    assert _calls(app) == []


def test_autosave_off_and_an_excel_without_autosaveon_check_every_save(book):
    for autosave in (False, None):  # None: Excel 2016 and older, error 438 on AutoSaveOn
        app = _excel(book, errors_found=1, settings=BLOCKING, autosave=autosave)
        assert _save(app) is True and _save(app) is True
        assert _calls(app) == [ON_SAVE, ON_SAVE]


# --- Workbook_Open (issue 15) ----------------------------------------------------------------

MACHINE = '''
Public Function Environ(ByVal Name As Variant) As String
    If UCase(Name) = "USERPROFILE" Then Environ = "C:\\Users\\berater"
End Function
Public Function Dir(Optional ByVal Pfad As Variant) As String
    If Pfad = "{existing}" Then Dir = "python.exe"
End Function
'''


def test_opening_starts_python_and_recalculates_when_python_is_there(book):
    app = _excel(book)
    app.add_module(MACHINE.format(existing=r"C:\Users\berater\kundenliste-tools\.venv\Scripts\python.exe"),
                   name="Maschine")  # the PC: the interpreter of xlwings.conf exists
    _event(app, "Workbook_Open")
    assert _calls(app) == ["import kundenliste_tools.xl as kl; kl.beim_oeffnen()"]
    assert app.dialogs == []


def test_opening_without_python_shows_no_error_box_only_a_german_hint(book):
    app = _excel(book)
    app.add_module(MACHINE.format(existing="nichts"), name="Maschine")  # no Python on this PC
    _event(app, "Workbook_Open")
    assert _calls(app) == [] and app.dialogs == []
    hint = str(app.application.vba_get("StatusBar"))
    assert "Python mit kundenliste-tools wurde nicht gefunden" in hint and "kundenliste einrichten" in hint


# --- the team server (issue 15) --------------------------------------------------------------

SERVER = {"Server": "https://kundenliste.example.org/", "Server-Token": "team-geheim"}


@pytest.mark.parametrize(("label", "macro"), BUTTONS)
def test_with_a_server_every_button_calls_it_instead_of_python(book, label, macro):
    app = _excel(book, settings=SERVER)
    app.answer_dialogs(6)  # Löschen asks first: yes
    app.run(macro)
    assert _calls(app) == []
    if macro == "Auskunft":  # its file holds personal data: never made on the server (no call)
        assert _server_calls(app) == [] and "nicht auf dem Team-Server" in app.dialogs[-1][1]
        return
    ((url, token, include),) = _server_calls(app)
    script = url.rsplit("/", 1)[1]
    assert url == f"https://kundenliste.example.org/xlwings/custom-scripts-call/{script}"
    assert script in EXPECTED_TARGETS - {"on_save", "on_autosave", "beim_oeffnen"}
    assert token == "team-geheim"
    assert include.split(",") == NEEDED_SHEETS


def test_with_a_server_the_check_on_save_runs_there_and_opening_starts_nothing(book):
    app = _excel(book, errors_found=0, settings=SERVER)
    assert _save(app) is False
    (call,) = _server_calls(app)
    assert call[0].endswith("/custom-scripts-call/on_save") and _calls(app) == []
    _event(app, "Workbook_Open")
    assert len(_server_calls(app)) == 1 and _calls(app) == []


#: The sheets of the built workbook the tool reads or writes; the rest (xlwings.conf) is not sent.
NEEDED_SHEETS = ["Kundenliste", "KundenDoku", "Listen", "Einstellungen", "Berater", "ID-Register"]


def test_the_sheets_sent_to_the_server_cover_every_sheet_python_reads(book):
    app = _excel(book)
    names = [s.name for s in app.sheets()]
    assert set(names) - set(NEEDED_SHEETS) == {"xlwings.conf"}
    for extra in ("Kundenliste 2025", "Prüfmarken", "Fälligkeiten", "Beratungsgespräche", "Einladungen",
                  "Löschprotokoll", "Regelwerk", "Notizen"):
        app.workbook.Sheets().vba_call("Add").vba_set("Name", extra)
    sent = str(app.run("KundenlisteKnoepfe.BenoetigteBlaetter")).split(",")
    assert "Notizen" not in sent and "xlwings.conf" not in sent
    read = {n for n in sent + ["Notizen", "xlwings.conf"]
            if model.canonical_sheet(n) or model.normalize_key(n) in {model.normalize_key(a) for a in model.AUX_SHEETS}}
    assert read <= set(sent)  # every sheet Python's workbook_data reads goes out
    # and those it rewrites or appends to
    assert {"Prüfmarken", "Fälligkeiten", "Beratungsgespräche", "Einladungen", "Löschprotokoll"} <= set(sent)


def test_our_procedures_apply_the_server_changes_remote_bas_lacks(book):
    """KundenlisteServer: setRangeColors, setSheetVisibility, setColumnWidth, called as
    RunServerPython calls them (Application.Run func, wb, action) with the action as VBA-Web
    parses the server's JSON (objects as Dictionary, arrays as Collection, null as Null)."""
    mods = vba_modules(book)
    app = ExcelApplication.open(book, with_vba=False)
    app.add_module(mods["Remote"], name="Remote")  # GetRange, HexToRgb
    app.add_module(mods["KundenlisteServer"], name="KundenlisteServer")
    app.add_module(
        """
Private Function Liste(ParamArray Werte() As Variant) As Collection
    Dim c As New Collection, i As Long
    For i = LBound(Werte) To UBound(Werte)
        c.Add Werte(i)
    Next i
    Set Liste = c
End Function

Private Function Aktion(ByVal Blatt As Long, ByVal Zeile As Long, ByVal Spalte As Long, args As Collection) As Object
    Dim a As Object
    Set a = CreateObject("Scripting.Dictionary")
    a.Add "args", args
    a.Add "sheet_position", Blatt
    a.Add "start_row", Zeile
    a.Add "start_column", Spalte
    a.Add "row_count", 1
    a.Add "column_count", 1
    Set Aktion = a
End Function

Public Sub Anwenden()
    With ThisWorkbook.Worksheets(1)
        .Range("C3").Interior.Color = RGB(1, 2, 3)  ' the tool's old mark: cleared (null)
        .Range("D2").Interior.Color = RGB(4, 5, 6)  ' the user's fill: "keep"
    End With
    Dim Farben As Collection
    Set Farben = Liste(Liste(Liste("#ffc7ce", "keep"), Liste(Null, "#ffeb9c")))
    Application.Run "setRangeColors", ThisWorkbook, Aktion(0, 1, 2, Farben)
    Application.Run "setSheetVisibility", ThisWorkbook, Aktion(2, 0, 0, Liste("Hidden"))
    Application.Run "setColumnWidth", ThisWorkbook, Aktion(1, 0, 3, Liste(33))
End Sub

Public Function Farbe(ByVal Zelle As String) As Variant
    Farbe = ThisWorkbook.Worksheets(1).Range(Zelle).Interior.Color
End Function

Public Function Sichtbar(ByVal Blatt As Long) As Variant
    Sichtbar = ThisWorkbook.Worksheets(Blatt).Visible
End Function

Public Function Breite() As Variant
    Breite = ThisWorkbook.Worksheets(2).Range("D1").ColumnWidth
End Function
""",
        name="Antwort",
    )
    app.run("Antwort.Anwenden")
    # Excel's colour numbers are R + 256·G + 65536·B: #ffc7ce = 255 + 199·256 + 206·65536 = 13551615
    assert app.run("Antwort.Farbe", "C2") == 255 + 199 * 256 + 206 * 65536
    assert app.run("Antwort.Farbe", "D2") == 4 + 5 * 256 + 6 * 65536  # kept
    assert app.run("Antwort.Farbe", "C3") == 16777215  # no fill (Excel reads white)
    assert app.run("Antwort.Farbe", "D3") == 255 + 235 * 256 + 156 * 65536  # #ffeb9c
    assert app.run("Antwort.Sichtbar", 3) == 0  # xlSheetHidden
    assert app.run("Antwort.Sichtbar", 1) == -1  # xlSheetVisible
    assert app.run("Antwort.Breite") == 33
@pytest.mark.parametrize(("answer", "calls"), [(6, ["import kundenliste_tools.xl as kl; kl.loeschen()"]), (7, [])])
def test_loeschen_asks_first_and_no_is_the_default(book, answer, calls):
    app = _excel(book)
    app.answer_dialogs(answer)  # 6 = vbYes, 7 = vbNo
    app.run("Loeschen")
    (dialog,) = app.dialogs
    assert dialog[0] == "MsgBox" and "Jetzt löschen?" in dialog[1] and "nicht rückgängig" in dialog[1]
    assert dialog[3] & 0x0F == 4 and dialog[3] & 0x300 == 0x100  # vbYesNo, vbDefaultButton2: No
    assert _calls(app) == calls
