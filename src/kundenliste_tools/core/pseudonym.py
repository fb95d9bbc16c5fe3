"""Export pseudonyms for IDs that are no IDs (issue 13, SPEC §6 decision).

An ID column may hold anything a team once typed: `Hasenbein-S`, `Müller, Anna` (a KundenDoku
headed `Kunde`).  Only IDs that are IDs leave the workbook: the tool's own format (core/ids.py)
and plain numbers, both meaningless outside the workbook.  Every other value becomes
`P-` and ten symbols of the ID alphabet, an HMAC-SHA-256 of the value under a key that only the
workbook knows, so that

* the same customer gets the same pseudonym in every quarter (the analyst can follow a case
  from one export to the next), in the Kundenliste and the KundenDoku alike;
* nobody without the key can test a guess ("is P-… Anna Müller?"), as they could with a
  plain hash of a name;
* ten symbols of 31 (about 50 bits) make a collision among a job centre's customers
  practically impossible (below 10⁻⁵ at 100,000 customers).

The key (64 hex digits from `secrets`) is kept in cell C1 of the hidden `ID-Register` sheet,
labelled `Export-Schlüssel` in B1, beside the register of issued IDs in column A: whoever writes the
register writes it once (`kundenliste ids`, the IDs button).  The export only reads it: it
is a read-only command on the workbook.  A workbook without a key gets a fresh one per export
from the door (pseudonyms then hold within that file only), and the Info sheet says so.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from .ids import ALPHABET, is_own_format, normalize

KEY_CELL = "C1"  # beside its label in B1: row 1 only, the register below stays as it is
PREFIX = "P-"
LENGTH = 10


def new_key() -> str:
    """A fresh key: 32 random bytes as 64 hex digits (text survives any spreadsheet program)."""
    return secrets.token_hex(32)


#: Longest plain number that goes out as an ID (decision): a team's running numbers stay far
#: below; a longer number in the ID column is more likely a phone, tax or insurance number.
MAX_NUMBER_DIGITS = 8


def is_exportable(id_text: str) -> bool:
    """An ID that may leave the workbook as it is: the tool's format or a plain number of at
    most `MAX_NUMBER_DIGITS` digits."""
    return (id_text.isascii() and id_text.isdigit() and len(id_text) <= MAX_NUMBER_DIGITS) or is_own_format(id_text)


def pseudonym(id_text: str, key: str) -> str:
    """The stable export pseudonym of one ID text under `key`."""
    mac = hmac.new(key.encode("utf-8"), normalize(id_text).encode("utf-8"), hashlib.sha256).digest()
    n = int.from_bytes(mac, "big")
    symbols = []
    for _ in range(LENGTH):
        n, r = divmod(n, len(ALPHABET))
        symbols.append(ALPHABET[r])
    return PREFIX + "".join(symbols)
