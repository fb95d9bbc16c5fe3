"""One XML part of a workbook package, edited as bytes but understood as XML.

Every writer of workbooks spells the same XML differently: Excel and LibreOffice declare the
namespaces on the root element; openpyxl with lxml declares the relationships namespace on each
`<sheet>`; the Open XML SDK writes `x:`-prefixed elements; some write `<dimension …></dimension>`
where others write `<dimension …/>`.  Parsing a part into a tree and serialising it again would
change every byte, so edits are spliced into the original bytes; to know *where*, this module
finds elements by namespace URI and local name, the way an XML parser sees them, never by the
prefix a writer happened to choose.

How it stays both exact and fast:

* the part is parsed once by expat (the C parser under `xml.etree`), strictly: ill-formed XML,
  a DOCTYPE (entities could inject content; no Office program writes one) or an encoding other
  than UTF-8 is refused with a German message;
* when every namespace declaration sits on the root element and there is no comment, CDATA
  section or processing instruction after it (what Excel, LibreOffice, openpyxl without lxml and
  xlsxwriter write), a prefix means the same thing everywhere and every ``<`` in the body starts
  a tag, so a regular expression over the tags (quoted attribute values respected) finds
  elements exactly, at C speed — this matters for a sheet of 30,000 customers;
* otherwise (namespaces declared on inner elements, comments …) expat reports every element
  with its byte position and the namespaces in scope, which is slower but exact too;
* new elements are written with a prefix that is declared where they go (`prefix_in`), or carry
  their own declaration; `prove` parses a rewritten part strictly, namespace-aware, before it may
  be written, so a part a strict parser rejects never leaves this package.
"""

from __future__ import annotations

import bisect
import re
import xml.parsers.expat as expat
from dataclasses import dataclass
from typing import Iterator, Sequence

from ..core.errors import WorkbookBusy

__all__ = ["Element", "XmlPart", "attr", "prove", "splice", "start_tag", "unescape"]

_ATTRS = rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*"
_ANY_TAG = re.compile(rb"<([^\s/>!?]+)" + _ATTRS + rb"(/?)>")
_XMLNS = re.compile(rb"\sxmlns(?::([^\s=/>]+))?\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)[\"']")
_ATTR_CACHE: dict[bytes, re.Pattern[bytes]] = {}
_ENTITIES = {b"&lt;": b"<", b"&gt;": b">", b"&quot;": b'"', b"&apos;": b"'"}


def attr(attrs: bytes, name: bytes) -> bytes | None:
    """The raw value of attribute `name` (e.g. ``b"r"`` or ``b"r:id"``) in a start tag's attributes."""
    pattern = _ATTR_CACHE.get(name)
    if pattern is None:
        pattern = _ATTR_CACHE[name] = re.compile(
            rb"\s" + re.escape(name) + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
    m = pattern.search(attrs)
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def unescape(raw: bytes) -> bytes:
    """An attribute value as the parser sees it (the five entities and character references)."""
    if b"&" not in raw:
        return raw

    def one(m: re.Match[bytes]) -> bytes:
        ent = m.group(0)
        if ent in _ENTITIES:
            return _ENTITIES[ent]
        if ent == b"&amp;":
            return b"&"
        num = ent[2:-1]
        code = int(num[1:], 16) if num[:1] in (b"x", b"X") else int(num)
        return chr(code).encode("utf-8")

    return re.sub(rb"&(?:lt|gt|quot|apos|amp|#x?[0-9A-Fa-f]+);", one, raw)


def set_attr(attrs: bytes, name: bytes, value: bytes) -> bytes:
    """`attrs` with attribute `name` set to `value` (already escaped), in place or appended."""
    pattern = re.compile(rb"(\s" + re.escape(name) + rb"\s*=\s*)(?:\"[^\"]*\"|'[^']*')")
    if pattern.search(attrs):
        return pattern.sub(lambda m: m.group(1) + b'"' + value + b'"', attrs, count=1)
    return attrs + b" " + name + b'="' + value + b'"'


@dataclass(frozen=True)
class Element:
    """An element's start tag as found in the bytes; `end`/`inner_end` come from `XmlPart`."""

    start: int  # of "<"
    tag_end: int  # after the start tag's ">"
    qname: bytes  # as written, e.g. b"x:row"
    attrs: bytes  # the raw attribute text of the start tag
    empty: bool  # written as <…/>

    @property
    def prefix(self) -> bytes:
        """``b"x:"`` for ``<x:row>``, ``b""`` for ``<row>``: ready to put before a local name."""
        head, sep, _ = self.qname.rpartition(b":")
        return head + sep

    def get(self, name: bytes) -> bytes | None:
        """The raw value of attribute `name`, or None."""
        return attr(self.attrs, name)


def start_tag(el: Element, attrs: bytes | None = None, *, empty: bool | None = None) -> bytes:
    """`el`'s start tag rewritten with other attributes, keeping its form unless told."""
    closed = el.empty if empty is None else empty
    return b"<" + el.qname + (el.attrs if attrs is None else attrs) + (b"/>" if closed else b">")


def _refuse(label: str, what: str) -> WorkbookBusy:
    return WorkbookBusy(f"„{label}“: {what} Das Werkzeug ändert die Mappe deshalb nicht; es wurde "
                        "nichts geändert.")


def _check_encoding(data: bytes, label: str) -> None:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00<\x00?", b"<\x00?\x00"):
        raise _refuse(label, "ein Teil der Arbeitsmappe ist in UTF-16 gespeichert; so etwas schreibt "
                             "Excel nicht.")
    m = _ENCODING.match(data)
    if m and m.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise _refuse(label, f"ein Teil der Arbeitsmappe ist in der Zeichenkodierung "
                             f"„{m.group(1).decode('ascii', 'replace')}“ gespeichert, nicht in UTF-8.")


def prove(data: bytes, label: str) -> None:
    """Parse `data` strictly (well-formed, every prefix bound, no DOCTYPE); refuse otherwise.

    Run on every part before it is written: a part that a strict parser rejects would make
    Excel "repair" the file and LibreOffice or openpyxl refuse it.
    """
    _check_encoding(data, label)
    parser = expat.ParserCreate(namespace_separator=" ")

    def doctype(*_: object) -> None:
        raise _refuse(label, "ein Teil der Arbeitsmappe enthält eine DOCTYPE-Deklaration; so etwas "
                             "schreibt Excel nicht.")

    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise _refuse(label, f"ein Teil der Arbeitsmappe ist kein gültiges XML ({exc}).") from exc


class XmlPart:
    """A part's bytes with namespace-aware lookup of elements by byte position."""

    def __init__(self, data: bytes, label: str):
        self.data = data
        self.label = label
        _check_encoding(data, label)
        decls: list[int] = []
        irregular: list[int] = []
        root: list[int] = []
        parser = expat.ParserCreate(namespace_separator=" ")

        def on_root(_name: str, _attrs: object) -> None:
            root.append(parser.CurrentByteIndex)
            parser.StartElementHandler = None  # the body runs at C speed

        def on_decl(_prefix: str | None, _uri: str | None) -> None:
            decls.append(parser.CurrentByteIndex)

        def on_irregular(*_: object) -> None:
            irregular.append(parser.CurrentByteIndex)

        def doctype(*_: object) -> None:
            raise _refuse(label, "ein Teil der Arbeitsmappe enthält eine DOCTYPE-Deklaration; so "
                                 "etwas schreibt Excel nicht.")

        parser.StartElementHandler = on_root
        parser.StartNamespaceDeclHandler = on_decl
        parser.CommentHandler = on_irregular
        parser.ProcessingInstructionHandler = on_irregular
        parser.StartCdataSectionHandler = on_irregular
        parser.StartDoctypeDeclHandler = doctype
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise _refuse(label, f"ein Teil der Arbeitsmappe ist kein gültiges XML ({exc}).") from exc
        self.root_start = root[0]
        m = _ANY_TAG.match(data, self.root_start)
        assert m is not None  # expat accepted it, so the root start tag is there
        self.root = Element(m.start(), m.end(), m.group(1), m.group(2), bool(m.group(3)))
        #: True when one prefix map holds everywhere and every "<" in the body starts a tag
        self.uniform = all(p == self.root_start for p in decls) and all(p < self.root_start for p in irregular)
        self._root_map = self._declared(self.root.attrs, {})
        self._walk: _Walk | None = None
        self._patterns: dict[tuple[str, str], re.Pattern[bytes]] = {}
        self._nesting: dict[bytes, re.Pattern[bytes]] = {}

    # -- namespaces ----------------------------------------------------------------------------

    @staticmethod
    def _declared(attrs: bytes, outer: dict[bytes, str]) -> dict[bytes, str]:
        """The prefix map inside a start tag with `attrs`, given the map outside it."""
        found = _XMLNS.findall(attrs)
        if not found:
            return outer
        inner = dict(outer)
        for prefix, dq, sq in found:
            inner[prefix + b":" if prefix else b""] = unescape(dq if dq or not sq else sq).decode("utf-8")
        return inner

    def _scope(self, el: Element) -> dict[bytes, str]:
        if self.uniform:
            return self._root_map
        return self._walked().scope_of(el)

    def uri_of(self, el: Element) -> str:
        """The namespace URI of `el`'s name ("" for none)."""
        return self._scope(el).get(el.prefix, "")

    def prefix_in(self, el: Element, uri: str) -> bytes | None:
        """A prefix bound to `uri` inside `el` (its own first), e.g. for a new child; None if none."""
        scope = self._scope(el)
        if scope.get(el.prefix) == uri:
            return el.prefix
        return next((prefix for prefix, bound in scope.items() if bound == uri), None)

    # -- finding elements ----------------------------------------------------------------------

    def elements(self, uri: str, local: str, start: int = 0, end: int | None = None) -> Iterator[Element]:
        """Elements {uri}local whose start tag begins in [start, end), in document order."""
        end = len(self.data) if end is None else end
        if not self.uniform:
            yield from self._walked().find(uri, local, start, end)
            return
        pattern = self._pattern(uri, local)
        if pattern is None:
            return
        for m in pattern.finditer(self.data, start, end):
            yield Element(m.start(), m.end(), m.group(1), m.group(2), bool(m.group(3)))

    def first(self, uri: str, local: str, start: int = 0, end: int | None = None) -> Element | None:
        """The first element `{uri}local` starting in [start, end), or None."""
        return next(self.elements(uri, local, start, end), None)

    def _pattern(self, uri: str, local: str) -> re.Pattern[bytes] | None:
        key = (uri, local)
        if key not in self._patterns:
            prefixes = [p for p, u in self._root_map.items() if u == uri]
            if not prefixes:
                self._patterns[key] = None  # type: ignore[assignment]
            else:
                names = b"|".join(re.escape(p + local.encode()) for p in sorted(prefixes, key=len, reverse=True))
                self._patterns[key] = re.compile(rb"<(" + names + rb")(?=[\s/>])" + _ATTRS + rb"(/?)>")
        return self._patterns[key]

    def inner_end(self, el: Element) -> int:
        """Where `el`'s end tag starts (= `tag_end` for an empty element): the place for new children."""
        if el.empty:
            return el.tag_end
        if not self.uniform:
            return self._walked().inner_end(el)
        pattern = self._nesting.get(el.qname)
        if pattern is None:
            pattern = self._nesting[el.qname] = re.compile(
                rb"<(/?)" + re.escape(el.qname) + rb"(?=[\s/>])" + _ATTRS + rb"(/?)>")
        depth = 0
        for m in pattern.finditer(self.data, el.tag_end):
            if m.group(1):
                if depth == 0:
                    return m.start()
                depth -= 1
            elif not m.group(3):
                depth += 1
        raise _refuse(self.label, "ein Teil der Arbeitsmappe ist unvollständig.")

    def end(self, el: Element) -> int:
        """Where `el` ends (after its end tag, or after ``/>``)."""
        if el.empty:
            return el.tag_end
        inner = self.inner_end(el)
        return self.data.index(b">", inner) + 1

    def _walked(self) -> _Walk:
        if self._walk is None:
            self._walk = _Walk(self)
        return self._walk


class _Walk:
    """Every element of a part with its namespaces: the exact way, for irregular parts."""

    def __init__(self, part: XmlPart):
        data = part.data
        self.starts: list[int] = []
        self.items: list[tuple[str, str, Element, dict[bytes, str]]] = []  # uri, local, element, scope
        self.ends: dict[int, int] = {}  # start → inner end
        stack: list[tuple[int, dict[bytes, str]]] = []
        parser = expat.ParserCreate()  # no namespace processing: names as written

        def on_start(name: str, _attrs: object) -> None:
            pos = parser.CurrentByteIndex
            m = _ANY_TAG.match(data, pos)
            assert m is not None
            el = Element(pos, m.end(), m.group(1), m.group(2), bool(m.group(3)))
            scope = XmlPart._declared(el.attrs, stack[-1][1] if stack else {})
            prefix, _, local = name.rpartition(":")
            uri = scope.get(prefix.encode() + b":" if prefix else b"", "")
            self.starts.append(pos)
            self.items.append((uri, local, el, scope))
            stack.append((pos, scope))

        def on_end(_name: str) -> None:
            pos, _ = stack.pop()
            self.ends[pos] = parser.CurrentByteIndex

        parser.StartElementHandler = on_start
        parser.EndElementHandler = on_end
        parser.Parse(data, True)
        self.index = {it[2].start: it for it in self.items}

    def find(self, uri: str, local: str, start: int, end: int) -> Iterator[Element]:
        i = bisect.bisect_left(self.starts, start)
        while i < len(self.starts) and self.starts[i] < end:
            u, loc, el, _ = self.items[i]
            if u == uri and loc == local:
                yield el
            i += 1

    def scope_of(self, el: Element) -> dict[bytes, str]:
        return self.index[el.start][3]

    def inner_end(self, el: Element) -> int:
        return self.ends[el.start]


def splice(data: bytes, ops: Sequence[tuple[int, int, bytes]]) -> bytes:
    """Replace the spans [start, end) by new bytes; spans must not overlap.

    Several insertions at one position keep the order in which they are listed.
    """
    out: list[bytes] = []
    cursor = 0
    for start, end, new in sorted(ops, key=lambda op: (op[0], op[1])):
        if start < cursor:  # two edits on one span: a bug, never write a broken part
            raise AssertionError("overlapping XML edits")
        out += [data[cursor:start], new]
        cursor = end
    out.append(data[cursor:])
    return b"".join(out)
