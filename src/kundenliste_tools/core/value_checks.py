"""Checks of one cell value each: list entries, names, PLZ, telephone numbers, e-mail addresses.

`core.validation` calls these once per *distinct* value of a column, so they may be as thorough
as a counsellor needs (a real numbering plan, real e-mail syntax) without costing per row.  Each
returns None for a good value or an `Issue`: the finding's code (see the catalogue in
`core.validation`), the value we would write instead, and the template fields of the message.

Libraries: `phonenumbers` (Google's libphonenumber metadata, region DE) decides whether a
telephone number exists in the numbering plan, German and international; `email-validator`
checks e-mail syntax (no DNS look-up, internationalised domains such as `müller.de` valid).
Both cost tens of microseconds a value, too much for 30,000 customers, so a plainly written
German number or ASCII address is first checked by a fast path that asks the same question of
the same metadata; the tests check that a fast path never accepts what the library rejects.
The fast paths need neither library (the DE plan is copied in `core.phoneplan`): importing
them costs 0.03 s, paid on a save only when a value needs them (the on-save path cold).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any, Callable, NamedTuple

import numpy as np

from . import model
from .values import janein, to_text


class Issue(NamedTuple):
    """What a value check says about one distinct value: code, suggestion, template fields."""

    code: str
    suggestion: str | None = None
    params: dict[str, Any] | None = None


def list_checker(list_name: str, lists: model.ValueLists) -> Callable[[Any], Issue | None]:
    """The check of one value against a list (exact, spelled differently, unknown)."""
    entries = lists.get(list_name)
    exact = set(entries)
    by_key = {model.normalize_key(e): e for e in entries}
    open_list = list_name in model.OPEN_LISTS

    def check(value: Any) -> Issue | None:
        text = to_text(value)
        if text in exact:
            return None
        key = model.normalize_key(text)
        if key in by_key:
            if list_name == "Ja/Nein":
                return None  # `Ja`/`JA` is how people write it; nothing is counted by it
            return Issue("listenwert-schreibweise", by_key[key], {"liste": list_name})
        if lists.match(list_name, text):
            return None  # a documented short form, e.g. `alo` for `arbeitslos (alo)`
        near = _closest(text, entries, list_name) or (_leading(key, by_key) if open_list else None)
        hint = f" Gemeint: „{near}“?" if near else ""
        code = "nicht-in-liste-offen" if open_list else "nicht-in-liste"
        was = OPEN_LIST_NEW.get(list_name, "ein neuer Wert")
        return Issue(code, near, {"liste": list_name, "hint": hint, "was": was})

    return check


#: What a new value of an open list is, for the warning's question.
OPEN_LIST_NEW: dict[str, str] = {"Akquise": "eine neue Quelle", "Ergebnis": "ein neues Ergebnis"}


def _leading(key: str, by_key: dict[str, str]) -> str | None:
    """The longest entry a value starts with: `Arbeitsstelle nicht angenommen: Schichtdienst`
    is that entry with its explanation (seed 000: "Erklärung warum")."""
    hits = [k for k in by_key if len(k) >= 6 and key.startswith(k)]
    return by_key[max(hits, key=len)] if hits else None


def _closest(text: str, entries: tuple[str, ...], list_name: str) -> str | None:
    if list_name == "Ja/Nein":
        truth = janein(text)
        return {"ja": model.JA, "nein": model.NEIN}.get(truth) if truth else None
    by_key = {model.normalize_key(e): e for e in entries}
    hit = difflib.get_close_matches(model.normalize_key(text), list(by_key), n=1, cutoff=0.75)
    return by_key[hit[0]] if hit else None


_NAME_ODD = re.compile(r"[0-9@]")


def check_name(value: Any) -> Issue | None:
    """A first or last name with digits or an @: most likely columns that slipped."""
    text = to_text(value)
    if not _NAME_ODD.search(text):
        return None
    what = "ein @" if "@" in text else "Ziffern"
    return Issue("name-unplausibel", None, {"what": what})


_PLZ5 = re.compile(r"\d{5}")
_PLZ4 = re.compile(r"[1-9]\d{3}")
_PLZ_DECORATED = re.compile(r"(?:D\s*-?\s*)?(\d{2})\s?(\d{3})", re.IGNORECASE)


def check_plz(value: Any) -> Issue | None:
    """Five digits as text; a number that lost its leading zero gets the fixed text."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer() and 10000 <= number <= 99999:
            return None  # a five-digit number is the right PLZ, merely stored as a number
        if number.is_integer() and 1000 <= number <= 9999:
            return Issue("plz-fuehrende-null", f"{int(number):05d}")
        return Issue("plz-ungueltig")
    text = to_text(value)
    if _PLZ5.fullmatch(text):
        return Issue("plz-ungueltig") if text.startswith("00") else None
    if _PLZ4.fullmatch(text):
        return Issue("plz-fuehrende-null", "0" + text)
    m = _PLZ_DECORATED.fullmatch(text)
    if m and not m.group(1).startswith("00") and not (m.group(1) + m.group(2)).startswith("00"):
        return Issue("plz-ungueltig", m.group(1) + m.group(2))
    return Issue("plz-ungueltig")


def prepare() -> None:
    """Load what the phone and e-mail checks need (libphonenumber's DE plan, email-validator)
    ahead of their first call: the reader does it while calamine parses, for free on two cores."""
    import email_validator  # noqa: F401
    import phonenumbers  # noqa: F401 - for the values the fast path cannot decide

    for n in _de_descs()[0][0]:  # every length a German number may have
        _de_types_of_length(n)


_PHONE_SPLIT = re.compile(r"\s*(?:;|,|\n|\boder\b|\bund\b)\s*", re.IGNORECASE)
#: libphonenumber's parse raises NOT_A_NUMBER for a text without a digit (its viable number
#: needs two, by the same `\d`), so `bitte erfragen` is decided without the library.
_ANY_DIGIT = re.compile(r"\d")


#: The verdict on a plainly written German number of no range or length the plan knows (a
#: messy list has thousands: one object for all of them).
_NO_SUCH_PHONE = Issue("telefon-ungueltig", None, {"reason": "diese Vorwahl oder Länge gibt es nicht"})


def check_phone(value: Any) -> Issue | None:
    """A German or international number (libphonenumber, region DE); several split by `;`."""
    if value.__class__ is str:
        return _check_phone_text(value.strip())
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer() and number > 0:
            digits = str(int(number))
            for candidate in ("0" + digits, "+" + digits):
                fixed = _phone_ok(candidate)
                if fixed:
                    return Issue("telefon-fuehrende-null", fixed)
        return Issue("telefon-ungueltig", None, {"reason": "eine Zahl, keine Telefonnummer"})
    return _check_phone_text(to_text(value))


def _check_phone_text(text: str) -> Issue | None:
    """`check_phone` of a cell's text."""
    verdict = plain_german_phone(text)
    if verdict is True:
        return None
    if verdict is False:
        return _NO_SUCH_PHONE
    parts = [p for p in _PHONE_SPLIT.split(text) if p]
    for part in parts:
        if plain_german_phone_ok(part):
            continue
        if not _ANY_DIGIT.search(part):
            return Issue("telefon-ungueltig", None, {"reason": "keine Rufnummer erkennbar"})
        import phonenumbers as pn

        try:
            number = pn.parse(part, "DE")
        except pn.NumberParseException:
            return Issue("telefon-ungueltig", None, {"reason": "keine Rufnummer erkennbar"})
        if pn.is_valid_number(number):
            continue
        why = pn.is_possible_number_with_reason(number)
        reason = {pn.ValidationResult.TOO_SHORT: "zu wenige Ziffern",
                  pn.ValidationResult.TOO_LONG: "zu viele Ziffern",
                  pn.ValidationResult.INVALID_COUNTRY_CODE: "unbekannte Ländervorwahl"}.get(
            why, "diese Vorwahl oder Länge gibt es nicht")
        return Issue("telefon-ungueltig", None, {"reason": reason})
    return None


_DE_PLAIN = re.compile(r"(?:\+49|0049|0)([1-9]\d{3,14})")
_PHONE_PUNCT = re.compile(r"[\s/().\-]")


@lru_cache(maxsize=1)
def _de_descs() -> tuple[tuple[frozenset[int], re.Pattern[str]], ...]:
    """The DE numbering plan of libphonenumber: general, fixed-line and mobile patterns."""
    from .phoneplan import DE

    return tuple((frozenset(DE[name][0]), re.compile(str(DE[name][1])))
                 for name in ("general_desc", "fixed_line", "mobile"))


def plain_german_phone_ok(text: str) -> bool:
    """Fast path: a plainly written German number that libphonenumber is sure to call valid.

    It is what `is_valid_number` does for DE (general pattern, then a type), asked only for
    fixed-line and mobile with patterns compiled once: some 20 times faster than parsing,
    which matters at 30,000 customers.  Anything else goes to the library (a test checks
    that this never accepts what the library rejects).
    """
    m = _DE_PLAIN.fullmatch(_PHONE_PUNCT.sub("", text))
    if not m:
        return False
    nsn = m.group(1)
    general, fixed, mobile = _de_descs()

    def hit(desc: tuple[frozenset[int], re.Pattern[str]]) -> bool:
        lengths, pattern = desc
        return (not lengths or len(nsn) in lengths) and pattern.fullmatch(nsn) is not None

    return hit(general) and (hit(fixed) or hit(mobile))


def _de_types() -> tuple[tuple[frozenset[int], str], ...]:
    """Every number type of the DE plan (what `number_type` tries): lengths and pattern."""
    from .phoneplan import DE

    names = ("fixed_line", "mobile", "premium_rate", "toll_free", "shared_cost", "voip", "personal_number",
             "pager", "uan", "voicemail")
    return tuple((frozenset(DE[n][0]), str(DE[n][1])) for n in names if n in DE and DE[n][1])


def plain_german_phone(text: str) -> bool | None:
    """Both fast paths in one: True/False for a plainly written German number (valid or not,
    exactly as libphonenumber decides for region DE), None for anything else.

    `is_valid_number` for DE needs the general pattern and one number type to match; a plain
    national number of 4–15 digits is always of a possible length, so a rejection's reason is
    "diese Vorwahl oder Länge gibt es nicht".  Asked of the same metadata; the tests check both
    directions against the library.  A messy list has thousands of distinct numbers: parsing
    each costs 50 µs, this 3 µs.
    """
    # `;`, `,` and words never survive `_DE_PLAIN`; a line break would (it is whitespace)
    m = _DE_PLAIN.fullmatch(_PHONE_PUNCT.sub("", text))
    if m is None or "\n" in text:
        return None
    nsn = m.group(1)
    n = len(nsn)
    g_len, g_pat = _de_descs()[0]
    if (g_len and n not in g_len) or not g_pat.fullmatch(nsn):
        return False
    typed = _de_types_of_length(n)
    return typed is not None and typed.fullmatch(nsn) is not None


@lru_cache(maxsize=None)
def _de_types_of_length(n: int) -> re.Pattern[str] | None:
    """One pattern for every number type (fixed line and mobile first) that allows `n` digits:
    a number matches it exactly when it matches one of them, in one call instead of ten."""
    alternatives = [pattern for lengths, pattern in _de_types() if not lengths or n in lengths]
    return re.compile("|".join(f"(?:{p})" for p in alternatives)) if alternatives else None


def plain_german_phone_invalid(text: str) -> bool:
    """A plainly written German number that libphonenumber is sure to reject."""
    return plain_german_phone(text) is False


_PHONE_WORDS = re.compile(r"\b(?:oder|und)\b", re.IGNORECASE)


def _phone_ok(text: str) -> str | None:
    """The number in international form if it is valid, else None."""
    import phonenumbers as pn

    try:
        number = pn.parse(text, "DE")
    except pn.NumberParseException:
        return None
    if not pn.is_valid_number(number):
        return None
    fmt = pn.PhoneNumberFormat.NATIONAL if number.country_code == 49 else pn.PhoneNumberFormat.INTERNATIONAL
    return pn.format_number(number, fmt)


_SPECIAL_DOMAINS: tuple[str, ...] = ("arpa", "invalid", "local", "localhost", "onion", "test")
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


def plain_email_ok(text: str) -> bool:
    """Fast path: a plain ASCII address that email-validator is sure to accept.

    Only a subset of valid addresses: anything else (umlauts, quotes, unusual characters)
    goes to the library.  Labels with `--` are left to the library (Punycode rules).
    """
    if len(text) > 254 or not _PLAIN_EMAIL.fullmatch(text) or "--" in text.split("@", 1)[1]:
        return False
    local, domain = text.split("@", 1)
    if len(local) > 64 or len(domain) > 253:
        return False
    low = domain.lower()
    return not any(low == s or low.endswith("." + s) for s in _SPECIAL_DOMAINS)


#: A plain ASCII local part, an @ and a domain of one label (`julia.keller@web`).
_DOTLESS_EMAIL = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+")


def plain_email_bad(text: str) -> bool:
    """Fast path: the two commonest slips, which email-validator is sure to reject: no @ at all
    (it splits at an @ or rejects), or a domain without a dot (`…@web`: it asks for a period
    unless told the address is for a test environment, which we never do).  Decided without
    importing the library (0.017 s, on a save that starts Python); a test checks the library
    rejects whatever this rejects."""
    return "@" not in text or _DOTLESS_EMAIL.fullmatch(text) is not None


def check_email(value: Any) -> Issue | None:
    """E-mail syntax (email-validator, no DNS look-up); international domains are valid."""
    text = to_text(value)
    if _email_ok(text):
        return None
    repaired = _repair_email(text)
    hint = f" Gemeint: {repaired}?" if repaired else ""
    return Issue("email-ungueltig", repaired, {"reason": _email_reason(text), "hint": hint})


def _email_ok(text: str) -> bool:
    if plain_email_ok(text):
        return True
    return not plain_email_bad(text) and _library_email_ok(text)


def _library_email_ok(text: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(text, check_deliverability=False)
    except (EmailNotValidError, ValueError, TypeError):
        return False
    return True


def _repair_email(text: str) -> str | None:
    candidate = re.sub(r"^\s*mailto:", "", text, flags=re.IGNORECASE)
    candidate = re.sub(r"\s+", "", candidate).replace(",", ".").strip(".;<>")
    candidate = re.sub(r"\((?:at|ät)\)|\[(?:at|ät)\]", "@", candidate, flags=re.IGNORECASE)
    if candidate and candidate != text and _email_ok(candidate):
        return candidate
    return None


def _email_reason(text: str) -> str:
    if "@" not in text:
        return "es fehlt das @"
    if text.count("@") > 1:
        return "mehr als ein @"
    local, domain = text.rsplit("@", 1)
    if not local:
        return "vor dem @ fehlt der Name"
    if re.search(r"\s", text):
        return "enthält Leerzeichen"
    if "." not in domain:
        return "nach dem @ fehlt die Endung wie .de"
    return "unzulässige Zeichen oder Form"
