"""libphonenumber's numbering plan for Germany, copied: what the telephone fast path asks.

`core.value_checks` decides a plainly written German number (`0351 2345678`) from the patterns
of the DE plan alone.  Taken from the library, they cost its import (0.015 s of a cold save,
on every save that starts Python); this copy costs nothing, and the library is imported only
for a value the copy cannot decide.  A test compares the copy with the installed library's
metadata, so a new version of `phonenumbers` (pinned in pyproject.toml) fails it until it is
copied again: `python -m kundenliste_tools.core.phoneplan > src/kundenliste_tools/core/phoneplan.py`.

The patterns are Google's libphonenumber metadata (Apache License 2.0), as the `phonenumbers`
package (Apache License 2.0) ships them; only the table for region DE is copied.
"""

from __future__ import annotations

#: The `phonenumbers` version the copy is from.
VERSION = "9.0.43"

#: Number type → (possible lengths of the national number, its pattern or None), region DE.
DE: dict[str, tuple[tuple[int, ...], str | None]] = {
    'general_desc': ((4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        '[2579]\\d{5,14}|49(?:[34]0|69|8\\d)\\d\\d?|49(?:37|49|60|7[089]|9\\d)\\d{1,3}|49(?:2[024-9]|3[2-'
        '689]|7[1-7])\\d{1,8}|(?:1|[368]\\d|4[0-8])\\d{3,13}|49(?:[015]\\d|2[13]|31|[46][1-8])\\d{1,9}'),
    'fixed_line': ((5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        '32\\d{9,11}|49[1-6]\\d{10}|322\\d{6}|49[0-7]\\d{3,9}|(?:[34]0|[68]9)\\d{3,13}|(?:2(?:0[1-689]|['
        '1-3569]\\d|4[0-8]|7[1-7]|8[0-7])|3(?:[3569]\\d|4[0-79]|7[1-7]|8[1-8])|4(?:1[02-9]|[2-48]\\d|5'
        '[0-6]|6[0-8]|7[0-79])|5(?:0[2-8]|[124-6]\\d|[38][0-8]|[79][0-7])|6(?:0[02-9]|[1-358]\\d|[47]'
        '[0-8]|6[1-9])|7(?:0[2-8]|1[1-9]|[27][0-7]|3\\d|[4-6][0-8]|8[0-5]|9[013-7])|8(?:0[2-9]|1[0-7'
        '9]|2\\d|3[0-46-9]|4[0-6]|5[013-9]|6[1-8]|7[0-8]|8[0-24-6])|9(?:0[6-9]|[1-4]\\d|[589][0-7]|6['
        '0-8]|7[0-467]))\\d{3,12}'),
    'mobile': ((10, 11),
        '1(?:6[023]|7\\d)\\d{7,8}|15(?:[0-25-9]\\d\\d|3(?:10|33)|410)\\d{6}'),
    'premium_rate': ((10, 11),
        '(?:137[7-9]|900(?:[135]|9\\d))\\d{6}'),
    'toll_free': ((10, 11, 12, 13, 14, 15),
        '800\\d{7,12}'),
    'shared_cost': ((7, 8, 9, 10, 11, 12, 13, 14),
        '180\\d{5,11}|13(?:7[1-6]\\d\\d|8)\\d{4}'),
    'personal_number': ((11,),
        '700\\d{8}'),
    'pager': ((4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
        '16(?:4\\d{1,10}|[89]\\d{1,11})'),
    'uan': ((8, 9, 10, 11, 12, 13, 14),
        '18(?:1\\d{5,11}|[2-9]\\d{8})'),
    'voicemail': ((12, 13),
        '1(?:6(?:013|255|399)|7(?:(?:[015]1|[69]3)3|[2-4]55|[78]99))\\d{7,8}|15(?:(?:[03-68]00|113)\\'
        'd|2\\d55|7\\d99|9\\d33)\\d{7}'),
}

#: The types, in the order the copy keeps them (the plan's, as `render` writes them).
TYPES = ("general_desc", "fixed_line", "mobile", "premium_rate", "toll_free", "shared_cost", "voip",
         "personal_number", "pager", "uan", "voicemail")


def from_library() -> dict[str, tuple[tuple[int, ...], str | None]]:
    """The same table from the installed `phonenumbers` (what the test compares)."""
    import phonenumbers as pn

    md = pn.PhoneMetadata.metadata_for_region("DE")
    out: dict[str, tuple[tuple[int, ...], str | None]] = {}
    for name in TYPES:
        desc = getattr(md, name)
        if desc is not None:
            out[name] = (tuple(desc.possible_length), desc.national_number_pattern)
    return out


def render() -> str:
    """This module's source with the table from the installed library."""
    import phonenumbers as pn

    with open(__file__, encoding="utf-8") as f:
        source = f.read()
    head, rest = source.split("DE: dict[", 1)
    _, tail = rest.split("\n}\n", 1)
    lines = ["DE: dict[str, tuple[tuple[int, ...], str | None]] = {"]
    for name, (lengths, pattern) in from_library().items():
        if pattern is None:
            lines.append(f"    {name!r}: ({lengths!r}, None),")
            continue
        chunks = [pattern[i:i + 90] for i in range(0, len(pattern), 90)]
        lines.append(f"    {name!r}: ({lengths!r},")
        lines.extend(f"        {c!r}" for c in chunks[:-1])
        lines.append(f"        {chunks[-1]!r}),")
    head = head.replace(f'VERSION = "{VERSION}"', f'VERSION = "{pn.__version__}"')
    return head + "\n".join(lines) + "\n}\n" + tail


if __name__ == "__main__":
    print(render(), end="")
