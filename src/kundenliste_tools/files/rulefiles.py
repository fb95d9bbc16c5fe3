"""Loading rule sets: the built-in files, a team's own TOML file, or the `Regelwerk` sheet.

The parsing of both forms is pure and lives in `core.ruleforms`; here the texts are found.

Decision on precedence (`load_ruleset`): an explicitly named rule set wins; otherwise a rule
table in the workbook's `Regelwerk` sheet wins over the `Regelwerk` setting (a team that wrote
its own table into its workbook means it); otherwise the setting (a built-in name or a file
path); otherwise `vamv` (SPEC: the team of seed 000 is the default user).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..core import model
from ..core.book import WorkbookData
from ..core.errors import RuleSetError
from ..core.model import ValueLists, normalize_key
from ..core.ruleforms import grid_has_rules, ruleset_from_grid, ruleset_from_toml, sheet_name
from ..core.rules import RuleSet

DEFAULT_RULESET = "vamv"
PACKAGE = "kundenliste_tools"
FOLDER = "regelwerke"  # package data (pyproject: regelwerke/*.toml), not a Python package


def _folder():
    return resources.files(PACKAGE).joinpath(FOLDER)


def builtin_names() -> list[str]:
    """The names of the shipped rule sets (file names without `.toml`), sorted."""
    return sorted(p.name[:-5] for p in _folder().iterdir() if p.name.endswith(".toml"))


def builtin_text(name: str) -> str:
    """The TOML text of a built-in rule set (what a team copies to start its own)."""
    key = name.strip().lower()
    if key.endswith(".toml"):
        key = key[:-5]
    if key not in builtin_names():
        raise RuleSetError(
            f"Ein Regelwerk „{name}“ gibt es nicht. Eingebaut sind: {', '.join(builtin_names())}; "
            "oder den Pfad einer eigenen .toml-Datei angeben."
        )
    return _folder().joinpath(f"{key}.toml").read_text(encoding="utf-8")


def load_builtin(name: str, lists: ValueLists | None = None) -> RuleSet:
    """A rule set shipped with the package, by name (`aa90`, with or without `.toml`)."""
    key = name.strip().lower().removesuffix(".toml")
    return ruleset_from_toml(builtin_text(key), f"„{key}“ (eingebaut)", lists)


def load_file(path: str | Path, lists: ValueLists | None = None) -> RuleSet:
    """A team's own rule set from a `.toml` file."""
    path = Path(path)
    if not path.is_file():
        raise RuleSetError(f"Die Regelwerk-Datei „{path}“ gibt es nicht.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RuleSetError(f"„{path}“ ist keine Textdatei in UTF-8. Bitte als UTF-8 speichern.") from None
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        raise RuleSetError(f"„{path}“ ist eine Arbeitsmappe; ein Regelwerk aus Excel gehört ins Blatt „Regelwerk“.")
    return ruleset_from_toml(text, f"„{path.name}“", lists)


# ----------------------------------------------------------------------------- choosing


def load_ruleset(name_or_path: str | None, data: WorkbookData | None) -> RuleSet:
    """The rule set to use: explicit name/file > `Regelwerk` sheet > setting > `vamv`.

    `name_or_path` is a built-in name (`ba-2010`), a path to a `.toml` file, or the name written
    in the workbook's `Regelwerk` sheet.
    """
    lists = data.lists if data is not None else None
    sheet = data.regelwerk if data is not None and grid_has_rules(data.regelwerk) else None
    if name_or_path and name_or_path.strip():
        choice = name_or_path.strip()
        if sheet is not None and normalize_key(choice) in {"blatt", "regelwerk", "blattregelwerk",
                                                          normalize_key(sheet_name(sheet))}:
            return ruleset_from_grid(sheet, lists=lists)
        return _named(choice, lists)
    if sheet is not None:
        return ruleset_from_grid(sheet, lists=lists)
    setting = data.setting("Regelwerk") if data is not None else ""
    return _named(setting or DEFAULT_RULESET, lists)


def _named(choice: str, lists: ValueLists | None) -> RuleSet:
    key = choice.lower().removesuffix(".toml")
    if key in builtin_names():
        return load_builtin(key, lists)
    if choice.lower().endswith(".toml") or "/" in choice or "\\" in choice or Path(choice).is_file():
        return load_file(choice, lists)
    near = model.closest(choice, builtin_names())
    hint = f" Meinten Sie „{near}“?" if near else ""
    raise RuleSetError(
        f"Ein Regelwerk „{choice}“ gibt es nicht.{hint} Eingebaut sind: {', '.join(builtin_names())}; "
        "oder den Pfad einer eigenen .toml-Datei angeben."
    )
