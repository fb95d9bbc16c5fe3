"""The catalogue of validation's findings: each code with its severity, title and German
template (`core.findings.FindingType`), and the order findings are sorted in.

A module of its own because the catalogue is data that the demo workbook, the Excel door and
the tests name by code, and `core.validation` is long enough with the checks alone.

Codes (the demo workbook and the Excel door rely on them; keep them stable):

==========================  ========  ==========================================================
code                        severity  when
==========================  ========  ==========================================================
pflichtfeld-leer            error     a required value is blank (Kundenliste: Erstkontakt,
                                      Akquise, Status, Berater, VName, NName; KundenDoku:
                                      Datum, Berater)
zellfehler                  error     the cell holds an Excel error such as #NV or #WERT!
id-fehlt                    error     ID blank (Kundenliste or KundenDoku)
id-doppelt                  error     the same ID on two or more Kundenliste rows (IDs compare
                                      as text and ignore case: 101, 101.0, "101"); every row
                                      of the group is flagged
id-pruefzeichen             error     an ID in the tool's own format whose check character is
                                      wrong (legacy IDs such as numbers are never flagged)
id-ungueltig                error     the ID cell holds a date or a time (Excel converted it)
id-unbekannt                error     KundenDoku ID not in the Kundenliste
id-schreibweise             warning   KundenDoku ID linked to its customer, but written another
                                      way (case, spaces, hyphens: `k7m4q3` for `K7M4Q3`);
                                      suggestion = the Kundenliste's spelling (`core.idkey`)
datum-uhrzeit               error     a time of day, or a date before 1900 (Excel stores none;
                                      it arrives as 00:00:00), where a date belongs
folgetermin-weit            warning   Folgetermin more than two years after its entry's Datum
                                      (a typo such as 2062 for 2026 would silence the rules)
stellenanteil-ungueltig     error     Berater sheet: Stellenanteil not a number in (0, 1] or a
                                      percentage (`halbe Stelle`, `-1`, `0`, `150 %`)
kunde-noch-neu              warning   KundenDoku entry (its ID cell) for a customer whose Status
                                      is still `neu`
datum-ungueltig             error     not a date at all (`morgen`, `31.02.2026`, `2026-13-01`)
datum-format                error     a date written as text, but not as JJJJ-MM-TT (e.g.
                                      `05.01.2026`); suggestion = the ISO form
datum-als-zahl              warning   a plain number where a date belongs (a date cell that
                                      lost its format); suggestion = the ISO form
datum-zukunft               error     Erstkontakt, Datum or Geburtsdatum after `today`
                                      (a Folgetermin or `Elternzeit bis` in the future is normal)
datum-unplausibel           warning   Erstkontakt/Datum/Folgetermin before 2000, a Folgetermin
                                      more than two years ahead, an age outside 14–100 years
folgetermin-vor-datum       error     Folgetermin earlier than the entry's Datum
folgetermin-fehlt           warning   latest entry of a customer `in Beratung` has no Folgetermin
                                      (seeds 000, 003, 004: keep the Einladungskette going)
vor-erstkontakt             warning   KundenDoku Datum earlier than the customer's Erstkontakt
nicht-in-liste              error     a value missing from its list in sheet `Listen` (Status,
                                      Berater when the team keeps that list, Kundenstatus,
                                      Profillage, Bereich, ja/nein fields, Kontaktart,
                                      Vermerkart); an empty list is not checked
nicht-in-liste-offen        warning   the same for an open list (Akquise: the seed says "z.B."; Ergebnis)
listenwert-schreibweise     warning   the value is in the list but spelled differently (case,
                                      spaces, ae/ä); the analysis would count it apart;
                                      suggestion = the list's spelling
name-unplausibel            warning   VName/NName contains digits or an @ (shifted columns)
plz-fuehrende-null          error     a four-digit PLZ: the leading 0 got lost (number cell);
                                      suggestion = the five-digit text
plz-ungueltig               error     anything else that is not five digits (or starts with 00)
plz-fehlt                   warning   Strasse or Stadt given but no PLZ
stadt-fehlt                 error     PLZ given but no Stadt
telefon-ungueltig           error     not a German or international number (phonenumbers,
                                      region DE: unparseable, too short/long, no such range)
telefon-fuehrende-null      error     a number cell that lost its leading 0 (`1701234567`);
                                      suggestion = the number with 0, as text
email-ungueltig             error     not a syntactically valid e-mail address; a suggestion
                                      when an obvious repair (spaces, comma, mailto:) helps
eintrag-doppelt             warning   a KundenDoku entry identical to an earlier row (flagged at
                                      the later row's Datum); it would count twice as a contact
kunde-doppelt               warning   same VName, NName and Geburtsdatum as an earlier customer
                                      (flagged at the later row's NName)
loeschfrist-abgelaufen      warning   closed, and last seen (latest entry, else Erstkontakt)
                                      longer ago than the Löschfrist of Einstellungen (at Status;
                                      core/retention.py); no Löschfrist set, no check
==========================  ========  ==========================================================
"""

from __future__ import annotations

from .findings import ERROR, WARNING, FindingType
from .model import KUNDENDOKU, KUNDENLISTE

CODES: dict[str, FindingType] = {}


def _code(code: str, severity: str, title: str, template: str) -> None:
    CODES[code] = FindingType(code, severity, title, template)  # type: ignore[arg-type]


_code("pflichtfeld-leer", ERROR, "Pflichtfeld leer",
      "„{field}“ ist leer, muss aber ausgefüllt sein.")
_code("zellfehler", ERROR, "Excel-Fehler in der Zelle",
      "Die Zelle enthält den Excel-Fehler {value} statt eines Werts.")
_code("id-fehlt", ERROR, "ID fehlt", "Die ID fehlt.{hint}")
_code("id-doppelt", ERROR, "ID doppelt",
      "Die ID „{value}“ steht mehrfach in der Kundenliste (Zeilen {rows}). Jede Kundin und "
      "jeder Kunde braucht eine eigene ID.")
_code("id-pruefzeichen", ERROR, "Prüfzeichen der ID falsch",
      "Das Prüfzeichen der ID „{value}“ stimmt nicht: vermutlich ein Tippfehler beim "
      "Abschreiben.")
_code("id-ungueltig", ERROR, "ID unbrauchbar",
      "„{value}“ ist als ID nicht brauchbar: Excel hat die Eingabe in ein Datum oder eine "
      "Uhrzeit umgewandelt. Die Spalte als Text formatieren und die ID neu eingeben.")
_code("id-unbekannt", ERROR, "ID nicht in der Kundenliste",
      "Die ID „{value}“ gibt es in der Kundenliste nicht.{hint}")
_code("id-schreibweise", WARNING, "ID anders geschrieben",
      "„{value}“ ist anders geschrieben als die ID „{suggestion}“ in der Kundenliste (Zeile "
      "{krow}); der Eintrag wird ihr zugeordnet. Bitte einheitlich schreiben.")
_code("datum-uhrzeit", ERROR, "Uhrzeit oder Datum vor 1900",
      "Die Zelle enthält kein Datum, sondern eine Uhrzeit ({value}) oder ein Datum vor 1900, "
      "das Excel nicht speichern kann. Bitte das Datum als JJJJ-MM-TT eingeben.")
_code("folgetermin-weit", WARNING, "Folgetermin sehr weit nach dem Gespräch",
      "Der Folgetermin {value} liegt mehr als zwei Jahre nach dem Gespräch am {datum}. "
      "Tippfehler beim Jahr? Für die Fälligkeit zählt er nicht.")
_code("stellenanteil-ungueltig", ERROR, "Stellenanteil ungültig",
      "„{value}“ ist kein Stellenanteil für „{name}“: erwartet wird eine Zahl über 0 bis 1 "
      "(z. B. 0,5) oder ein Prozentwert (z. B. 50 %). Bis dahin zählt eine volle Stelle.")
_code("kunde-noch-neu", WARNING, "Status noch „neu“",
      "Zu ID „{value}“ gibt es ein Gespräch, aber in der Kundenliste (Zeile {krow}) steht der "
      "Status noch auf „neu“; passt jetzt „in Beratung“?")
_code("datum-ungueltig", ERROR, "kein Datum",
      "„{value}“ ist kein gültiges Datum. Bitte als JJJJ-MM-TT eingeben, z. B. 2026-01-05.")
_code("datum-format", ERROR, "Datum nicht im Format JJJJ-MM-TT",
      "„{value}“ ist nicht im Format JJJJ-MM-TT. Richtig: {suggestion}.")
_code("datum-als-zahl", WARNING, "Datum als Zahl",
      "Die Zelle zeigt die Zahl {value} statt eines Datums ({suggestion}). Bitte als Datum "
      "(JJJJ-MM-TT) formatieren.")
_code("datum-zukunft", ERROR, "Datum in der Zukunft",
      "{field} {value} liegt in der Zukunft (heute ist {today}).")
_code("datum-unplausibel", WARNING, "Datum unwahrscheinlich",
      "{field} {value} ist unwahrscheinlich: {reason}. Tippfehler beim Jahr?")
_code("folgetermin-vor-datum", ERROR, "Folgetermin vor dem Gespräch",
      "Der Folgetermin {value} liegt vor dem Gesprächsdatum {datum}.")
_code("folgetermin-fehlt", WARNING, "kein Folgetermin vereinbart",
      "Der letzte Eintrag zu ID „{value}“ (in Beratung) hat keinen Folgetermin. Bitte den nächsten "
      "Termin vereinbaren und eintragen, damit die Einladungskette nicht abreißt.")
_code("vor-erstkontakt", WARNING, "Gespräch vor dem Erstkontakt",
      "Das Gespräch am {value} liegt vor dem Erstkontakt am {erst} (Kundenliste Zeile {krow}).")
_code("nicht-in-liste", ERROR, "Wert nicht in der Liste",
      "„{value}“ steht nicht in der Liste „{liste}“ (Blatt Listen).{hint}")
_code("nicht-in-liste-offen", WARNING, "neuer Wert in offener Liste",
      "„{value}“ steht (noch) nicht in der Liste „{liste}“. Ist es {was}, bitte im "
      "Blatt Listen ergänzen.{hint}")
_code("listenwert-schreibweise", WARNING, "Listenwert anders geschrieben",
      "„{value}“ ist anders geschrieben als in der Liste „{liste}“ („{suggestion}“); "
      "einheitlich geschrieben zählt die Auswertung richtig.")
_code("name-unplausibel", WARNING, "Name unwahrscheinlich",
      "{field} „{value}“ enthält {what}. Steht hier wirklich ein Name (Spalten verrutscht?)")
_code("plz-fuehrende-null", ERROR, "PLZ ohne führende Null",
      "Die PLZ {value} hat ihre führende Null verloren (Excel hat sie als Zahl gespeichert). "
      "Richtig: {suggestion}; die Spalte PLZ als Text formatieren.")
_code("plz-ungueltig", ERROR, "PLZ ungültig",
      "„{value}“ ist keine Postleitzahl: erwartet werden genau fünf Ziffern.")
_code("plz-fehlt", WARNING, "PLZ fehlt", "Die PLZ fehlt, obwohl eine Anschrift eingetragen ist.")
_code("stadt-fehlt", ERROR, "Ort fehlt", "Zur PLZ {plz} fehlt der Ort.")
_code("telefon-ungueltig", ERROR, "Telefonnummer ungültig",
      "„{value}“ ist keine gültige Telefonnummer ({reason}).")
_code("telefon-fuehrende-null", ERROR, "Telefonnummer ohne führende 0",
      "Die Telefonnummer {value} hat ihre führende 0 verloren (als Zahl gespeichert). "
      "Richtig: {suggestion}; die Spalte als Text formatieren.")
_code("email-ungueltig", ERROR, "E-Mail-Adresse ungültig",
      "„{value}“ ist keine gültige E-Mail-Adresse ({reason}).{hint}")
_code("eintrag-doppelt", WARNING, "Eintrag doppelt",
      "Dieser Eintrag steht genau so schon in Zeile {first}; doppelt zählt er als zwei Kontakte.")
_code("loeschfrist-abgelaufen", WARNING, "Löschfrist abgelaufen",
      "Abgeschlossen und zuletzt am {value} gesehen: die Löschfrist von {years} Jahren ist "
      "abgelaufen. Bitte die Daten löschen (Knopf „Löschen“, oder „kundenliste loeschen“ für alle "
      "abgeschlossen vor {cutoff}).")
_code("kunde-doppelt", WARNING, "Kunde doppelt angelegt?",
      "{name}, geboren {geb}, steht schon in Zeile {first} (ID „{other}“). Doppelt angelegt?")


#: Sort order of the findings: sheets, then codes alphabetically (a tie-breaker within a cell).
SHEET_ORDER = {KUNDENLISTE: 0, KUNDENDOKU: 1}
CODE_RANK = {code: i for i, code in enumerate(sorted(CODES))}
