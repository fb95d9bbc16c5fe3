"""The VBA of the built workbook: read back with oletools, compiled and run in pyOpenVBA.

What is checked here is the workbook a counsellor gets: the VBA is read from the built file's
vbaProject.bin (not from xl_macros/), every RunPython command is real Python naming a real
entry point, our modules compile, and Workbook_BeforeSave behaves as SPEC §7 says, run in
pyOpenVBA's Excel. Only Python itself is replaced there (a VBA `RunPython` that records the
command and plays the part of `kl.on_save`), since no Excel or Python server runs in a test.
"""

from __future__ import annotations

import ast
import inspect
import re
import tomllib
from importlib import import_module

import pytest
import xlwings
from pyopenvba.apps.excel import ExcelApplication
from pyopenvba.interpreter import Interpreter
from pyopenvba.interpreter._runtime import Slot

from kundenliste_tools.core import model
from kundenliste_tools.core.errors import KundenlisteError
from kundenliste_tools.files import xlsm
from kundenliste_tools.files.template import BUTTONS, write_workbook

from .vbatools import MACROS, REPO, procedures, runpython_commands, vba_modules

OURS = ("ThisWorkbook", "KundenlisteKnoepfe")
#: What each button and the save hook hand to Python (issue 8: the RunPython targets).
EXPECTED_TARGETS = {"pruefen", "on_save", "ids_vergeben", "faelligkeiten", "quartalsexport", "auskunft", "loeschen"}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("vba") / "Kundenliste.xlsm"
    write_workbook(path)
    return path


@pytest.fixture(scope="module")
def modules(book):
    return vba_modules(book)


def test_the_workbook_holds_our_modules_and_the_standalone_xlwings(modules):
    assert {"ThisWorkbook", "KundenlisteKnoepfe", "xlwings", "Dictionary"} <= set(modules)
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
    assert sorted(_target(c) for c in commands) == sorted(EXPECTED_TARGETS)


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


def _excel(book, errors_found: int = 0, settings: dict[str, object] | None = None) -> ExcelApplication:
    """pyOpenVBA's Excel with the built workbook and our modules; Python played by a VBA stub.

    The stub records each command in Einstellungen!Z1 and, like kl.on_save, writes the number
    of errors it "found" into Prüfbericht!B1.
    """
    app = ExcelApplication.open(book, with_vba=False)
    mods = vba_modules(book)
    app.add_module(mods["ThisWorkbook"], name="ThisWorkbook", kind="document")
    app.add_module(mods["KundenlisteKnoepfe"], name="KundenlisteKnoepfe")
    app.add_module(
        f"""
Public Function RunPython(PythonCommand As String)
    With ThisWorkbook.Worksheets("Einstellungen").Range("Z1")
        .Value = .Value & PythonCommand & "|"
    End With
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


def _save(app) -> bool:
    """Run Workbook_BeforeSave as Excel does on a save; True when it cancels the save."""
    runtime = app.interpreter.module("ThisWorkbook")
    cancel = Slot(False, "Boolean")
    app.interpreter.call(runtime.procedure("Workbook_BeforeSave"), runtime, [False, cancel], {}, me=runtime.document)
    return bool(cancel.value)


def _calls(app) -> list[str]:
    return [c for c in str(app.sheet(model.EINSTELLUNGEN).value("Z1") or "").split("|") if c]


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


@pytest.mark.parametrize(("answer", "calls"), [(6, ["import kundenliste_tools.xl as kl; kl.loeschen()"]), (7, [])])
def test_loeschen_asks_first_and_no_is_the_default(book, answer, calls):
    app = _excel(book)
    app.answer_dialogs(answer)  # 6 = vbYes, 7 = vbNo
    app.run("Loeschen")
    (dialog,) = app.dialogs
    assert dialog[0] == "MsgBox" and "Jetzt löschen?" in dialog[1] and "nicht rückgängig" in dialog[1]
    assert dialog[3] & 0x0F == 4 and dialog[3] & 0x300 == 0x100  # vbYesNo, vbDefaultButton2: No
    assert _calls(app) == calls
