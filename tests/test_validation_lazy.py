"""The value checks decide the common values without importing phonenumbers or email-validator
(issue 18, the on-save path cold: the two imports cost 0.03 s of every save that starts
Python), and decide them exactly as the libraries would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kundenliste_tools.core import phoneplan
from kundenliste_tools.core.value_checks import check_email, check_phone, plain_email_bad, plain_email_ok
from kundenliste_tools.core.values import to_text

ROOT = Path(__file__).resolve().parent.parent


def test_the_copied_numbering_plan_is_the_library_s() -> None:
    """`core.phoneplan` is libphonenumber's DE plan of the pinned version, and exactly what its
    generator writes (after an upgrade of phonenumbers: run the command in its docstring)."""
    import phonenumbers

    assert phoneplan.VERSION == phonenumbers.__version__
    assert phoneplan.DE == phoneplan.from_library()
    assert Path(phoneplan.__file__).read_text(encoding="utf-8") == phoneplan.render()


def test_plain_values_are_checked_without_the_libraries() -> None:
    """A workbook of plainly written numbers and addresses, with the two commonest slips of each
    (`bitte erfragen`, a number too short for its area code; no @, no dot after the @), is
    checked with neither library imported: and the slips are still found."""
    code = (
        "import sys\n"
        "from tests.test_validation import found, kunde\n"
        "rows = [kunde(1), kunde(2, Telefon='bitte erfragen', Email='julia.keller@web'),\n"
        "        kunde(3, Telefon='0351 12', Email='anna.mueller3 web.de'),\n"
        "        kunde(4, Telefon='+49 176 23456789', Email='Anna.Mueller4@posteo.de')]\n"
        "print(sorted(f[2] + ':' + f[3] for f in found(rows) if f[2] in ('Telefon', 'Email')))\n"
        "print(sorted(m for m in ('phonenumbers', 'email_validator') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    codes, loaded = out.stdout.strip().splitlines()
    assert codes == str(["Email:email-ungueltig", "Email:email-ungueltig",
                         "Telefon:telefon-ungueltig", "Telefon:telefon-ungueltig"])
    assert loaded == "[]"


def _library_accepts(text: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(text, check_deliverability=False)
    except (EmailNotValidError, ValueError, TypeError):
        return False
    return True


EMAILISH = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"[A-Za-z0-9_+.\-]{1,20}@[A-Za-z0-9\-]{0,12}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_+.\-]{1,20}[@ ,(\[]{1,2}[A-Za-z0-9\-]{1,12}(\.[A-Za-z0-9\-]{1,8}){0,2}", fullmatch=True),
    st.from_regex(r"[^@]{0,20}@[^.]{0,20}", fullmatch=True),
)


@settings(max_examples=600, deadline=None)
@given(EMAILISH)
def test_fast_email_rejection_never_rejects_what_the_library_accepts(text: str) -> None:
    if plain_email_bad(text):
        assert not _library_accepts(text), text
    cell = to_text(text)  # what `check_email` judges: the cell's text, stripped
    assert (check_email(text) is None) == (plain_email_ok(cell) or _library_accepts(cell)), text


NO_DIGIT = st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=30)


@settings(max_examples=400, deadline=None)
@given(NO_DIGIT)
def test_a_text_without_a_digit_is_no_number_for_the_library_either(text: str) -> None:
    import phonenumbers as pn

    try:
        pn.parse(text, "DE")
    except pn.NumberParseException:
        pass
    else:  # pragma: no cover - the assertion explains
        raise AssertionError(f"{text!r} has no digit, yet libphonenumber parsed it")
    issue = check_phone(text)
    assert issue is None or (issue.code, issue.params) == ("telefon-ungueltig", {"reason": "keine Rufnummer erkennbar"})
