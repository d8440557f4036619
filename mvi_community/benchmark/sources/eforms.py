"""eForms notice parser: the benchmark's reader for published tender notices.

A pure engine (DESIGN §2, §5): it imports neither Flask nor SQLAlchemy, takes bytes and
returns frozen dataclasses. Matching buyers to organisations and storing lots is the
importer's job; this module only reads.

Input: one eForms UBL notice document (eForms SDK 1.x): ``ContractNotice``,
``ContractAwardNotice``, ``PriorInformationNotice``, VEAT notices, … The root element's
name is not checked, only that it lives in a UBL document namespace
(``urn:oasis:names:specification:ubl:schema:xsd:<Name>-2``). Namespace prefixes do not
matter; namespace URIs do.

Security (DESIGN §8): documents are parsed by libxml2 with ``resolve_entities=False,
no_network=True, load_dtd=False, huge_tree=False`` and any document carrying a document
type declaration is refused *before* parsing (a scan of the prolog) and again after it (the
parsed tree's docinfo), so entity expansion ("billion laughs") and external entities (XXE)
raise :class:`NoticeError`. ``huge_tree=False`` keeps libxml2's size and depth limits.

What is read (relative to the notice element; ``EXT`` abbreviates
``ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension``):

========================  ===============================================================
Notice field              eForms path
========================  ===============================================================
procedure_id (BT-04)      ``cbc:ContractFolderID`` — required
notice_id (BT-701)        ``cbc:ID[@schemeName='notice-id']`` (else the first ``cbc:ID``)
version (BT-757)          ``cbc:VersionID``
issue_date (BT-05)        ``cbc:IssueDate`` → ``date``; a time-zone suffix is ignored
notice_type (BT-02)       ``cbc:NoticeTypeCode``
notice_subtype (OPP-070)  ``EXT/efac:NoticeSubType/cbc:SubTypeCode`` (or
                          ``EXT/efbc:NoticeSubTypeCode``)
document_type             the root element's local name, e.g. ``ContractNotice``
buyers (OPT-300)          ``cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID``
                          in document order, each resolved to
                          ``EXT/efac:Organizations/efac:Organization/efac:Company`` with the
                          same ``cac:PartyIdentification/cbc:ID``: name BT-500
                          ``cac:PartyName/cbc:Name``, legal identifier BT-501
                          ``cac:PartyLegalEntity/cbc:CompanyID``, country BT-514
                          ``cac:PostalAddress/cac:Country/cbc:IdentificationCode``; legal
                          type BT-11 ``cac:ContractingPartyType/cbc:PartyTypeCode
                          [@listName='buyer-legal-type']`` of the same ContractingParty.
                          Several = joint procurement; a lot counts for every buyer.
estimated_value (BT-27)   ``cac:ProcurementProject/cac:RequestedTenderTotal/
                          cbc:EstimatedOverallContractAmount`` (procedure level)
total_value (BT-161)      ``EXT/efac:NoticeResult/cbc:TotalAmount``
lots                      ``cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']``; lot
                          groups (``LotsGroup``) and PIN parts (``Part``) are not lots
========================  ===============================================================

Per lot (paths relative to the ``cac:ProcurementProjectLot``):

* codes: ``cac:ProcurementProject/cac:ProcurementAdditionalType/cbc:ProcurementTypeCode``
  grouped by ``@listName`` (see :data:`LOT_CODE_FIELDS`): BT-06 ``strategic-procurement``,
  BT-774 ``environmental-impact``, BT-775 ``social-objective``, BT-776
  ``innovative-acquisition``, BT-805 ``gpp-criteria``, BT-754 ``accessibility``. Each is a
  tuple in document order without duplicates; ``()`` means *not reported*, never "no".
* award_criterion_types (BT-539): ``cac:TenderingTerms/cac:AwardingTerms/
  cac:AwardingCriterion/cac:SubordinateAwardingCriterion/
  cbc:AwardingCriterionTypeCode[@listName='award-criterion-type']``, one entry per
  criterion (duplicates kept: two quality criteria give ``("quality", "quality")``).
* estimated_value (BT-27): ``cac:ProcurementProject/cac:RequestedTenderTotal/
  cbc:EstimatedOverallContractAmount``.
* tender_values (BT-720): for every ``EXT/efac:NoticeResult/efac:LotResult`` whose
  ``efac:TenderLot/cbc:ID`` (BT-13713) is this lot, the tenders it references
  (``efac:LotTender/cbc:ID``, OPT-320) are looked up among
  ``EXT/efac:NoticeResult/efac:LotTender`` and their
  ``cac:LegalMonetaryTotal/cbc:PayableAmount`` kept with its currency. A tender that no
  LotResult references falls back on its own ``efac:TenderLot/cbc:ID`` (BT-13714). Tenders
  without an amount are left out.

Text values are stripped of surrounding whitespace; an empty element counts as absent. A
missing optional field is ``None`` or ``()``. :class:`NoticeError` (one line) is raised for a
document that is not well-formed XML, carries a DOCTYPE, is not a notice, lacks a procedure
id, has a lot without id or a duplicated lot id, or has a malformed issue date or amount.
"""
from __future__ import annotations

import codecs
import os
import random
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import BinaryIO

from lxml import etree

__all__ = [
    "CODE_LISTS", "DEFAULT_THEME_MAP", "LOT_CODE_FIELDS", "Buyer", "Lot", "LotRecord", "Money",
    "Notice", "NoticeError", "TenderValue", "generate_notice", "iter_notices", "latest_per_lot",
    "lot_themes", "normalize_kvk", "normalize_name", "parse_eforms_date", "parse_notice",
    "parse_notice_file",
]

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
EFAC = "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1"
EFBC = "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"
EFEXT = "http://data.europa.eu/p27/eforms-ubl-extensions/1"
_NS = {"cac": CAC, "cbc": CBC, "ext": EXT, "efac": EFAC, "efbc": EFBC, "efext": EFEXT}
_UBL_DOC = "{urn:oasis:names:specification:ubl:schema:xsd:"

#: ``@listName`` of a lot's ProcurementTypeCode → :class:`Lot` attribute (BT-06, BT-774,
#: BT-775, BT-776, BT-805, BT-754).
LOT_CODE_FIELDS: Mapping[str, str] = MappingProxyType({
    "strategic-procurement": "strategic_procurement",
    "environmental-impact": "environmental_impact",
    "social-objective": "social_objective",
    "innovative-acquisition": "innovative_acquisition",
    "gpp-criteria": "gpp_criteria",
    "accessibility": "accessibility",
})

#: The codes of those lists in eForms SDK 1.15.1 (``codelists/*.gc``). The parser keeps
#: unknown codes as they are; the generator and the tests draw from these.
CODE_LISTS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "strategic-procurement": ("env-imp", "inn-pur", "none", "soc-obj"),
    "environmental-impact": ("biodiv-eco", "circ-econ", "clim-adapt", "clim-mitig", "other",
                             "pollu-prev", "water-mar"),
    "social-objective": ("acc-all", "et-eq", "gen-eq", "hum-right", "opp", "other", "work-cond"),
    "innovative-acquisition": ("mar-nov", "proc-innov", "prod-innov", "rd-act"),
    "gpp-criteria": ("eu", "national", "none", "other"),
    "accessibility": ("inc", "n-inc", "n-inc-just"),
})

#: BT-774 / BT-775 code → MVI theme code (DOMAIN.md). Read-only: pass your own mapping to
#: :func:`lot_themes` to override, e.g. ``{**DEFAULT_THEME_MAP, "other": "milieu"}``.
DEFAULT_THEME_MAP: Mapping[str, str] = MappingProxyType({
    "circ-econ": "circulair",
    "clim-mitig": "klimaat", "clim-adapt": "klimaat",
    "biodiv-eco": "milieu", "pollu-prev": "milieu", "water-mar": "milieu",
    "hum-right": "keten", "work-cond": "keten",
    "acc-all": "diversiteit", "et-eq": "diversiteit", "gen-eq": "diversiteit",
    "opp": "social-return",
})


class NoticeError(ValueError):
    """The input cannot be read as an eForms notice. ``str(exc)`` is always one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


@dataclass(frozen=True, slots=True)
class Money:
    """An amount as written (``Decimal``) with its ``@currencyID`` (ISO 4217) or ``None``."""

    amount: Decimal
    currency: str | None


@dataclass(frozen=True, slots=True)
class TenderValue:
    """BT-720 of one tender (``efac:LotTender``) linked to a lot."""

    tender_id: str
    value: Money


@dataclass(frozen=True, slots=True)
class Buyer:
    """One buyer (OPT-300) resolved to its organisation; unresolved fields are ``None``."""

    org_id: str                      # OPT-300 / OPT-200, e.g. "ORG-0001"
    name: str | None = None          # BT-500
    legal_id: str | None = None      # BT-501, a KvK number in Dutch notices (see normalize_kvk)
    country: str | None = None       # BT-514, ISO 3166-1 alpha-3, e.g. "NLD"
    legal_type: str | None = None    # BT-11, e.g. "la", "ra", "body-pl"


@dataclass(frozen=True, slots=True)
class Lot:
    """One lot of a notice; every code tuple is ``()`` when not reported."""

    lot_id: str                                   # BT-137, e.g. "LOT-0001"
    strategic_procurement: tuple[str, ...] = ()   # BT-06
    environmental_impact: tuple[str, ...] = ()    # BT-774
    social_objective: tuple[str, ...] = ()        # BT-775
    innovative_acquisition: tuple[str, ...] = ()  # BT-776
    gpp_criteria: tuple[str, ...] = ()            # BT-805
    accessibility: tuple[str, ...] = ()           # BT-754
    award_criterion_types: tuple[str, ...] = ()   # BT-539, one per criterion
    estimated_value: Money | None = None          # BT-27
    tender_values: tuple[TenderValue, ...] = ()   # BT-720 via BT-13713


@dataclass(frozen=True, slots=True)
class Notice:
    """One parsed notice. See the module docstring for the path of every field."""

    procedure_id: str
    notice_id: str | None
    version: str | None
    issue_date: date | None
    notice_type: str | None
    notice_subtype: str | None
    document_type: str
    buyers: tuple[Buyer, ...]
    lots: tuple[Lot, ...]
    estimated_value: Money | None = None
    total_value: Money | None = None


@dataclass(frozen=True, slots=True)
class LotRecord:
    """A lot as counted once by :func:`latest_per_lot`, with the notice that supplied it."""

    procedure_id: str
    lot_id: str
    notice: Notice
    lot: Lot

    @property
    def buyers(self) -> tuple[Buyer, ...]:
        return self.notice.buyers


# --------------------------------------------------------------------------- parsing

_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False,
                   "huge_tree": False, "dtd_validation": False, "remove_comments": True,
                   "remove_pis": True}
_PROLOG_SCAN_BYTES = 1 << 16
_DOCTYPE_MESSAGE = "document type declarations (DOCTYPE) are not allowed in notices"


def _new_parser() -> etree.XMLParser:
    # One parser per document: parsers are cheap and keep no state between calls.
    return etree.XMLParser(**_PARSER_OPTIONS)


def _decode_head(head: bytes) -> str:
    """The start of a document as text, enough to find markup characters in its prolog."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                       (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, "ignore")
    for start, codec in ((b"<\0\0\0", "utf-32-le"), (b"\0\0\0<", "utf-32-be"),
                         (b"<\0", "utf-16-le"), (b"\0<", "utf-16-be")):
        if head.startswith(start):
            return head.decode(codec, "ignore")
    return head.decode("latin-1")  # ASCII-compatible encodings: markup bytes are ASCII


def _scan_prolog(head: bytes) -> None:
    """Refuse a ``<!DOCTYPE`` (or any other ``<!`` declaration) before the root element.

    Skips whitespace, the XML declaration, processing instructions and comments. If the
    prolog runs past ``head`` the scan stops; the docinfo check after parsing still applies.
    """
    text = _decode_head(head)
    i, n = 0, len(text)
    while i < n:
        if text[i] in " \t\r\n":
            i += 1
        elif text.startswith("<?", i):
            end = text.find("?>", i + 2)
            if end < 0:
                return
            i = end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                return
            i = end + 3
        elif text.startswith("<!", i):
            raise NoticeError(_DOCTYPE_MESSAGE)
        else:
            return


def _check_no_doctype(element: etree._Element) -> None:
    info = element.getroottree().docinfo
    if (info.doctype or info.internalDTD is not None or info.externalDTD is not None
            or info.system_url or info.public_id):
        raise NoticeError(_DOCTYPE_MESSAGE)


def _syntax_error(exc: etree.XMLSyntaxError) -> NoticeError:
    message = (exc.msg or str(exc) or "unknown error").strip()
    return NoticeError(f"not well-formed XML: {message}")


def _is_ubl_document(element: etree._Element) -> bool:
    tag = element.tag
    return (isinstance(tag, str) and tag.startswith(_UBL_DOC)
            and not tag.startswith(_UBL_DOC + "Common"))


def _local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def _as_bytes(data: bytes | bytearray | memoryview) -> bytes:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"expected bytes, got {type(data).__name__}")
    return bytes(data)


def parse_notice(data: bytes) -> Notice:
    """Parse one notice document (the root element is the notice).

    Raises :class:`NoticeError` for anything unreadable (see the module docstring) and
    ``TypeError`` when ``data`` is not bytes (pass bytes, never ``str``: the XML declaration
    names the encoding).
    """
    return _parse_chunks([_as_bytes(data)])


def parse_notice_file(path: str | os.PathLike[str]) -> Notice:
    """:func:`parse_notice` for a file, read in chunks; errors are prefixed with the path.

    ``OSError`` (missing or unreadable file) propagates unchanged.
    """
    with open(path, "rb") as stream:
        try:
            return _parse_chunks(_chunks(stream, _PROLOG_SCAN_BYTES))
        except NoticeError as exc:
            raise NoticeError(f"{os.fspath(path)}: {exc}") from exc


def _parse_chunks(chunks: Iterable[bytes]) -> Notice:
    parser = _new_parser()
    first = True
    try:
        for chunk in chunks:
            if first:
                if not chunk.strip():
                    continue
                _scan_prolog(chunk[:_PROLOG_SCAN_BYTES])
                first = False
            parser.feed(chunk)
        if first:
            raise NoticeError("empty document")
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from exc
    _check_no_doctype(root)
    if not _is_ubl_document(root):
        raise NoticeError(f"not an eForms notice: root element <{_local_name(root)}> is not a "
                          "UBL document")
    return _extract(root)


def _chunks(source: bytes | BinaryIO, size: int) -> Iterator[bytes]:
    """Chunks of ``source``; the first one holds at least the prolog-scan window."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source)
        first = max(size, _PROLOG_SCAN_BYTES)
        yield bytes(view[:first])
        for start in range(first, len(view), size):
            yield bytes(view[start:start + size])
        return
    head = b""
    while len(head) < _PROLOG_SCAN_BYTES:
        piece = source.read(_PROLOG_SCAN_BYTES - len(head))
        if not isinstance(piece, (bytes, bytearray)):
            raise TypeError("the stream must be opened in binary mode")
        if not piece:
            break
        head += piece
    yield head
    while piece := source.read(size):
        yield piece


def iter_notices(source: bytes | BinaryIO, *, chunk_size: int = 1 << 16) -> Iterator[Notice]:
    """Stream the notices of one document, for files too large to hold as a tree.

    The document is either a notice (yields one) or a container whose root is not a UBL
    document and whose UBL-document children are notices (yields each, in order; other
    children are skipped). Each notice's subtree is discarded once read, so memory stays
    bounded by the largest notice. Raises :class:`NoticeError` as :func:`parse_notice` does,
    at the point reached (notices before the error have been yielded), and when the
    document holds no notice.
    """
    parser = etree.XMLPullParser(events=("start", "end"), **_PARSER_OPTIONS)
    root: etree._Element | None = None
    root_is_notice = False
    depth = 0
    found = 0
    first = True
    try:
        for chunk in _chunks(source, chunk_size):
            if first and chunk.strip():
                _scan_prolog(chunk[:_PROLOG_SCAN_BYTES])
                first = False
            parser.feed(chunk)
            for event, element in parser.read_events():
                if event == "start":
                    if depth == 0:
                        _check_no_doctype(element)
                        root, root_is_notice = element, _is_ubl_document(element)
                    depth += 1
                    continue
                depth -= 1
                if depth == 0 and root_is_notice:
                    found += 1
                    yield _extract(element)
                elif depth == 1 and not root_is_notice and root is not None:
                    if _is_ubl_document(element):
                        found += 1
                        yield _extract(element)
                    element.clear()
                    while element.getprevious() is not None:
                        del root[0]
        if first:
            raise NoticeError("empty document")
        parser.close()
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from exc
    if not found:
        raise NoticeError("no eForms notice found in the document")


def _xp(path: str) -> etree.XPath:
    return etree.XPath(path, namespaces=_NS)


_EFX = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
_X_NOTICE_ID = _xp("cbc:ID[@schemeName='notice-id']")
_X_ANY_ID = _xp("cbc:ID")
_X_VERSION = _xp("cbc:VersionID")
_X_PROCEDURE = _xp("cbc:ContractFolderID")
_X_ISSUE_DATE = _xp("cbc:IssueDate")
_X_TYPE = _xp("cbc:NoticeTypeCode")
_X_SUBTYPE = _xp(f"{_EFX}/efac:NoticeSubType/cbc:SubTypeCode | {_EFX}/efbc:NoticeSubTypeCode")
_X_ESTIMATED = _xp("cac:ProcurementProject/cac:RequestedTenderTotal/"
                   "cbc:EstimatedOverallContractAmount")
_X_COMPANIES = _xp(f"{_EFX}/efac:Organizations/efac:Organization/efac:Company")
_X_PARTY_ID = _xp("cac:PartyIdentification/cbc:ID")
_X_PARTY_NAME = _xp("cac:PartyName/cbc:Name")
_X_COMPANY_ID = _xp("cac:PartyLegalEntity/cbc:CompanyID")
_X_COUNTRY = _xp("cac:PostalAddress/cac:Country/cbc:IdentificationCode")
_X_CONTRACTING_PARTIES = _xp("cac:ContractingParty")
_X_BUYER_IDS = _xp("cac:Party/cac:PartyIdentification/cbc:ID")
_X_LEGAL_TYPE = _xp("cac:ContractingPartyType/cbc:PartyTypeCode[@listName='buyer-legal-type']")
_X_LOTS = _xp("cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']")
_X_LOT_ID = _xp("cbc:ID[@schemeName='Lot']")
_X_LOT_CODES = _xp("cac:ProcurementProject/cac:ProcurementAdditionalType/cbc:ProcurementTypeCode")
_X_AWARD_TYPES = _xp("cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/"
                     "cac:SubordinateAwardingCriterion/"
                     "cbc:AwardingCriterionTypeCode[@listName='award-criterion-type']")
_X_RESULTS = _xp(f"{_EFX}/efac:NoticeResult")
_X_TOTAL = _xp("cbc:TotalAmount")
_X_LOT_RESULTS = _xp("efac:LotResult")
_X_TENDER_LOT = _xp("efac:TenderLot/cbc:ID")
_X_RESULT_TENDERS = _xp("efac:LotTender/cbc:ID")
_X_TENDERS = _xp("efac:LotTender")
_X_PAYABLE = _xp("cac:LegalMonetaryTotal/cbc:PayableAmount")

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_DECIMAL_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def _text(element: etree._Element) -> str | None:
    value = element.text
    if value is None:
        return None
    return value.strip() or None


def _first_text(xpath: etree.XPath, element: etree._Element) -> str | None:
    for node in xpath(element):
        value = _text(node)
        if value is not None:
            return value
    return None


def _clip(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def parse_eforms_date(text: str) -> date:
    """An xsd:date as eForms writes it: ``2019-10-24``, ``2019-10-24+01:00``, ``2023-05-26Z``.

    The calendar date as written is returned; the time-zone suffix is ignored (a date is
    not an instant). Raises :class:`NoticeError` for anything else.
    """
    match = _DATE_RE.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise NoticeError(f"invalid date {_clip(text)}") from None


def _money(xpath: etree.XPath, element: etree._Element, where: str) -> Money | None:
    for node in xpath(element):
        raw = _text(node)
        if raw is None:
            continue
        if not _DECIMAL_RE.fullmatch(raw):
            raise NoticeError(f"invalid amount {_clip(raw)} in {where}")
        currency = (node.get("currencyID") or "").strip() or None
        return Money(Decimal(raw), currency)
    return None


def _extract(root: etree._Element) -> Notice:
    notice_id = _first_text(_X_NOTICE_ID, root) or _first_text(_X_ANY_ID, root)
    label = f"notice {notice_id}" if notice_id else "notice"
    procedure_id = _first_text(_X_PROCEDURE, root)
    if procedure_id is None:
        raise NoticeError(f"{label} has no procedure identifier (cbc:ContractFolderID)")
    try:
        raw_date = _first_text(_X_ISSUE_DATE, root)
        issue_date = parse_eforms_date(raw_date) if raw_date is not None else None
        tender_values, total_value = _tender_values(root)
        return Notice(
            procedure_id=procedure_id,
            notice_id=notice_id,
            version=_first_text(_X_VERSION, root),
            issue_date=issue_date,
            notice_type=_first_text(_X_TYPE, root),
            notice_subtype=_first_text(_X_SUBTYPE, root),
            document_type=_local_name(root),
            buyers=_buyers(root),
            lots=_lots(root, tender_values),
            estimated_value=_money(_X_ESTIMATED, root, "the procedure's estimated value"),
            total_value=total_value,
        )
    except NoticeError as exc:
        raise NoticeError(f"{label}: {exc}") from exc


def _buyers(root: etree._Element) -> tuple[Buyer, ...]:
    companies: dict[str, etree._Element] = {}
    for company in _X_COMPANIES(root):
        org_id = _first_text(_X_PARTY_ID, company)
        if org_id is not None:
            companies.setdefault(org_id, company)
    buyers: list[Buyer] = []
    seen: set[str] = set()
    for party in _X_CONTRACTING_PARTIES(root):
        legal_type = _first_text(_X_LEGAL_TYPE, party)
        for id_element in _X_BUYER_IDS(party):
            org_id = _text(id_element)
            if org_id is None or org_id in seen:
                continue
            seen.add(org_id)
            company = companies.get(org_id)
            if company is None:
                buyers.append(Buyer(org_id, legal_type=legal_type))
                continue
            buyers.append(Buyer(
                org_id,
                name=_first_text(_X_PARTY_NAME, company),
                legal_id=_first_text(_X_COMPANY_ID, company),
                country=_first_text(_X_COUNTRY, company),
                legal_type=legal_type,
            ))
    return tuple(buyers)


def _tender_values(root: etree._Element) -> tuple[dict[str, tuple[TenderValue, ...]],
                                                   Money | None]:
    """BT-720 per lot id (linked through BT-13713, see the module docstring) and BT-161."""
    total: Money | None = None
    tender_ids_by_lot: dict[str, list[str]] = {}
    referenced: set[str] = set()
    tenders: dict[str, tuple[Money | None, str | None]] = {}
    for result in _X_RESULTS(root):
        if total is None:
            total = _money(_X_TOTAL, result, "the notice value (BT-161)")
        for lot_result in _X_LOT_RESULTS(result):
            lot_id = _first_text(_X_TENDER_LOT, lot_result)
            ids = [t for t in map(_text, _X_RESULT_TENDERS(lot_result)) if t is not None]
            referenced.update(ids)
            if lot_id is not None:
                tender_ids_by_lot.setdefault(lot_id, []).extend(ids)
        for tender in _X_TENDERS(result):
            tender_id = _first_text(_X_ANY_ID, tender)
            if tender_id is None or tender_id in tenders:
                continue
            amount = _money(_X_PAYABLE, tender, f"tender {tender_id}")
            tenders[tender_id] = (amount, _first_text(_X_TENDER_LOT, tender))
    for tender_id, (_, own_lot) in tenders.items():
        if tender_id not in referenced and own_lot is not None:
            tender_ids_by_lot.setdefault(own_lot, []).append(tender_id)
    by_lot: dict[str, tuple[TenderValue, ...]] = {}
    for lot_id, ids in tender_ids_by_lot.items():
        values = []
        for tender_id in dict.fromkeys(ids):
            amount = tenders.get(tender_id, (None, None))[0]
            if amount is not None:
                values.append(TenderValue(tender_id, amount))
        by_lot[lot_id] = tuple(values)
    return by_lot, total


def _lots(root: etree._Element, tender_values: Mapping[str, tuple[TenderValue, ...]]
          ) -> tuple[Lot, ...]:
    lots: list[Lot] = []
    seen: set[str] = set()
    for lot_element in _X_LOTS(root):
        lot_id = _first_text(_X_LOT_ID, lot_element)
        if lot_id is None:
            raise NoticeError("a lot has an empty identifier")
        if lot_id in seen:
            raise NoticeError(f"lot {lot_id} occurs twice")
        seen.add(lot_id)
        codes: dict[str, dict[str, None]] = {field: {} for field in LOT_CODE_FIELDS.values()}
        for code_element in _X_LOT_CODES(lot_element):
            field = LOT_CODE_FIELDS.get(code_element.get("listName") or "")
            code = _text(code_element)
            if field is not None and code is not None:
                codes[field][code] = None
        lots.append(Lot(
            lot_id,
            **{field: tuple(values) for field, values in codes.items()},
            award_criterion_types=tuple(
                t for t in map(_text, _X_AWARD_TYPES(lot_element)) if t is not None),
            estimated_value=_money(_X_ESTIMATED, lot_element, f"lot {lot_id}"),
            tender_values=tender_values.get(lot_id, ()),
        ))
    return tuple(lots)


# --------------------------------------------------------------------------- helpers

def normalize_name(name: str) -> str:
    """A buyer name for matching: compatibility-decomposed, case-folded, accents removed,
    every run of punctuation, symbols and whitespace turned into one space, trimmed.

    ``"Gemeente 's-Hertogenbosch"`` → ``"gemeente s hertogenbosch"``; ``"Provincie Fryslân"``
    → ``"provincie fryslan"``. Generic: no words such as "gemeente" are dropped.
    """
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def normalize_kvk(value: str | None) -> str | None:
    """A KvK number as its 8 ASCII digits, or ``None``.

    Every non-digit is dropped (``"KvK 1234 5678"`` → ``"12345678"``); anything that does not
    then have exactly 8 digits (a 12-digit branch number, a 9-digit RSIN, an OIN) is ``None``.
    Leading zeros are never added.
    """
    if value is None:
        return None
    digits = re.sub(r"[^0-9]", "", value)
    return digits if len(digits) == 8 else None


def lot_themes(lot: Lot, mapping: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The MVI themes of a lot: its BT-774 then BT-775 codes through ``mapping`` (default
    :data:`DEFAULT_THEME_MAP`), unmapped codes skipped, each theme once, in code order."""
    table = DEFAULT_THEME_MAP if mapping is None else mapping
    themes: dict[str, None] = {}
    for code in lot.environmental_impact + lot.social_objective:
        theme = table.get(code)
        if theme is not None:
            themes[theme] = None
    return tuple(themes)


def _version_key(version: str | None) -> tuple[int, tuple[int, ...], str]:
    text = (version or "").strip()
    if re.fullmatch(r"\d+(?:\.\d+)*", text):
        return (1, tuple(int(part) for part in text.split(".")), text)
    return (0, (), text)


def _form_rank(notice_type: str | None) -> int:
    """Planning < competition < VEAT < result < modification < completion (tie-break only)."""
    kind = notice_type or ""
    if kind.startswith(("pin-", "brin-")):
        return 1
    if kind.startswith(("cn-", "qu-sy", "subco")):
        return 2
    if kind == "veat":
        return 3
    if kind == "can-modif":
        return 5
    if kind.startswith("can-"):
        return 4
    return 6 if kind == "compl" else 0


def _recency_key(notice: Notice) -> tuple:
    return (notice.issue_date or date.min, _version_key(notice.version),
            _form_rank(notice.notice_type), notice.notice_id or "")


def latest_per_lot(notices: Iterable[Notice]) -> tuple[LotRecord, ...]:
    """Count every lot once: one :class:`LotRecord` per (procedure id, lot id).

    For each lot the most recent notice of its procedure that contains the lot supplies it
    (its codes, values and buyers), so a contract notice and its award notice count once,
    and a lot that a later notice leaves out keeps its last report. Recency: issue date
    (missing = oldest), then version (numeric, dotted parts compared as numbers, above
    non-numeric versions, which compare as text), then notice form (planning < competition <
    VEAT < result), then notice id, then the notice's full content — so the result does
    not depend on the input order. Sorted by (procedure id, lot id).
    """
    best: dict[tuple[str, str], tuple[tuple, Notice, Lot]] = {}
    for notice in notices:
        key = _recency_key(notice)
        for lot in notice.lots:
            slot = (notice.procedure_id, lot.lot_id)
            current = best.get(slot)
            if (current is None or key > current[0]
                    or (key == current[0] and repr(notice) > repr(current[1]))):
                best[slot] = (key, notice, lot)
    return tuple(LotRecord(procedure_id, lot_id, notice, lot)
                 for (procedure_id, lot_id), (_, notice, lot) in sorted(best.items(),
                                                                         key=lambda i: i[0]))


# --------------------------------------------------------------------------- generator

_KINDS = {  # kind → (root element, notice type, its listName, subtype)
    "cn": ("ContractNotice", "cn-standard", "competition", "16"),
    "can": ("ContractAwardNotice", "can-standard", "result", "29"),
}
_DUTCH_BUYERS = (  # (name, BT-11, city, postcode, NUTS-3) — fictitious KvK numbers are drawn
    ("Gemeente Venlo", "la", "Venlo", "5911 KN", "NL423"),
    ("Gemeente Wageningen", "la", "Wageningen", "6701 AT", "NL221"),
    ("Gemeente Groningen", "la", "Groningen", "9712 GS", "NL113"),
    ("Gemeente 's-Hertogenbosch", "la", "'s-Hertogenbosch", "5211 NA", "NL413"),
    ("Provincie Gelderland", "ra", "Arnhem", "6812 AR", "NL226"),
    ("Waterschap Aa en Maas", "body-pl-ra", "'s-Hertogenbosch", "5216 PP", "NL413"),
    ("Hoogheemraadschap van Rijnland", "body-pl-ra", "Leiden", "2316 XD", "NL337"),
)
_SUPPLIERS = ("Bouwbedrijf De Vries B.V.", "Circulair Meubilair Nederland B.V.",
              "Groen Onderhoud Zuid B.V.", "Schoonmaakbedrijf Jansen B.V.", "ICT Groep Oost B.V.")
_SUBJECTS = (  # (title, contract nature, CPV)
    ("Circulaire kantoorinrichting", "supplies", "39130000"),
    ("Onderhoud openbare verlichting", "services", "50232100"),
    ("Renovatie gemeentehuis", "works", "45454000"),
    ("Schoonmaakdiensten", "services", "90910000"),
    ("Elektrische bedrijfsvoertuigen", "supplies", "34144900"),
)


def _draw_codes(rng: random.Random, list_name: str, most: int = 2) -> tuple[str, ...]:
    codes = [c for c in CODE_LISTS[list_name] if c not in ("none", "other")]
    return tuple(rng.sample(codes, rng.randint(0, most)))


def _random_lots(rng: random.Random, with_tenders: bool) -> tuple[Lot, ...]:
    lots, tender_no = [], 0
    for number in range(1, rng.randint(1, 3) + 1):
        environmental = _draw_codes(rng, "environmental-impact")
        social = _draw_codes(rng, "social-objective")
        innovative = _draw_codes(rng, "innovative-acquisition", 1)
        strategic = tuple(code for code, used in (("env-imp", environmental), ("soc-obj", social),
                                                 ("inn-pur", innovative)) if used)
        if not strategic and rng.random() < 0.5:
            strategic = ("none",)
        tenders = []
        for _ in range(rng.randint(1, 2) if with_tenders else 0):
            tender_no += 1
            amount = Decimal(rng.randrange(10_000_00, 5_000_000_00)).scaleb(-2)
            tenders.append(TenderValue(f"TEN-{tender_no:04d}", Money(amount, "EUR")))
        lots.append(Lot(
            f"LOT-{number:04d}",
            strategic_procurement=strategic,
            environmental_impact=environmental,
            social_objective=social,
            innovative_acquisition=innovative,
            gpp_criteria=(rng.choice(("eu", "national")),) if environmental else (),
            accessibility=rng.choice(((), ("inc",), ("n-inc",))),
            award_criterion_types=rng.choice((("price",), ("price", "quality"),
                                              ("cost", "quality", "quality"))),
            estimated_value=Money(Decimal(rng.randrange(50_000, 10_000_000)), "EUR"),
            tender_values=tuple(tenders),
        ))
    return tuple(lots)


def _add(parent: etree._Element, ns: str, name: str, text: str | None = None,
         **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _add_amount(parent: etree._Element, ns: str, name: str, money: Money) -> None:
    attributes = {"currencyID": money.currency} if money.currency else {}
    _add(parent, ns, name, format(money.amount, "f"), **attributes)


def _add_company(parent: etree._Element, buyer: Buyer, city: str, postcode: str,
                 nuts: str) -> None:
    company = _add(_add(parent, EFAC, "Organization"), EFAC, "Company")
    _add(_add(company, CAC, "PartyIdentification"), CBC, "ID", buyer.org_id,
         schemeName="organization")
    if buyer.name is not None:
        _add(_add(company, CAC, "PartyName"), CBC, "Name", buyer.name, languageID="NLD")
    address = _add(company, CAC, "PostalAddress")
    _add(address, CBC, "CityName", city)
    _add(address, CBC, "PostalZone", postcode)
    _add(address, CBC, "CountrySubentityCode", nuts, listName="nuts")
    if buyer.country is not None:
        _add(_add(address, CAC, "Country"), CBC, "IdentificationCode", buyer.country,
             listName="country")
    if buyer.legal_id is not None:
        _add(_add(company, CAC, "PartyLegalEntity"), CBC, "CompanyID", buyer.legal_id)


def generate_notice(
    seed: int,
    *,
    kind: str = "cn",
    buyers: Sequence[Buyer] | None = None,
    lots: Sequence[Lot] | None = None,
    procedure_id: str | None = None,
    notice_id: str | None = None,
    version: str | None = "01",
    issue_date: date | None = None,
    estimated_value: Money | None = None,
    total_value: Money | None = None,
) -> bytes:
    """A valid-looking eForms notice (UTF-8 bytes) modelled on the SDK 1.15.1 samples.

    ``kind`` is ``"cn"`` (ContractNotice, cn-standard, subtype 16) or ``"can"``
    (ContractAwardNotice, can-standard, subtype 29, with a NoticeResult holding one
    LotResult per lot and one LotTender plus winning company per tender value). Every
    argument left ``None`` is drawn from ``random.Random(seed)``: ids (UUIDs), an issue date
    in 2024 or 2025, one Dutch buyer with a fictitious 8-digit KvK number, 1 to 3 lots with
    random codes (and tender values for "can"). The same arguments give the same bytes,
    and :func:`parse_notice` gives back exactly the ``buyers`` and ``lots`` passed in, as
    long as their texts are non-empty without surrounding whitespace and no code tuple
    repeats a code (the parser strips and de-duplicates).
    ``total_value`` (BT-161, "can" only) defaults to the sum of the tender values when
    they share one currency. Raises ``ValueError`` for inconsistent input (unknown kind, no
    buyer or lot, duplicate ids, tender values or a total in a contract notice).
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {sorted(_KINDS)}, not {kind!r}")
    rng = random.Random(seed)
    # Draw every default, used or not, so one override does not shift the others.
    drawn_procedure = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    drawn_notice = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    drawn_date = date(2024, 1, 1) + timedelta(days=rng.randrange(731))
    profile = rng.choice(_DUTCH_BUYERS)
    drawn_buyer = Buyer("ORG-0001", profile[0], f"{rng.randrange(10**7, 10**8)}", "NLD",
                        profile[1])
    drawn_lots = _random_lots(rng, with_tenders=kind == "can")
    title, nature, cpv = rng.choice(_SUBJECTS)

    buyers = tuple(buyers) if buyers is not None else (drawn_buyer,)
    lots = tuple(lots) if lots is not None else drawn_lots
    if not buyers or not lots:
        raise ValueError("a notice needs at least one buyer and one lot")
    if len({b.org_id for b in buyers}) != len(buyers):
        raise ValueError("buyer org_ids must be unique")
    if len({lot.lot_id for lot in lots}) != len(lots):
        raise ValueError("lot ids must be unique")
    tenders = [(lot, tv) for lot in lots for tv in lot.tender_values]
    if len({tv.tender_id for _, tv in tenders}) != len(tenders):
        raise ValueError("tender ids must be unique within a notice")
    if kind == "cn" and (tenders or total_value is not None):
        raise ValueError("a contract notice has no tender values or total value")
    if kind == "can" and total_value is None and tenders:
        currencies = {tv.value.currency for _, tv in tenders}
        if len(currencies) == 1:
            total_value = Money(sum((tv.value.amount for _, tv in tenders), Decimal(0)),
                                currencies.pop())

    root_name, notice_type, type_list, subtype = _KINDS[kind]
    doc_ns = f"urn:oasis:names:specification:ubl:schema:xsd:{root_name}-2"
    root = etree.Element(f"{{{doc_ns}}}{root_name}", nsmap={None: doc_ns, **_NS})
    eforms = _add(_add(_add(_add(root, EXT, "UBLExtensions"), EXT, "UBLExtension"), EXT,
                       "ExtensionContent"), EFEXT, "EformsExtension")
    winners: list[Buyer] = []
    if kind == "can":
        used = {b.org_id for b in buyers}
        org_numbers = (n for n in range(1, 10_000) if f"ORG-{n:04d}" not in used)
        result = _add(eforms, EFAC, "NoticeResult")
        if total_value is not None:
            _add_amount(result, CBC, "TotalAmount", total_value)
        for number, lot in enumerate(lots, 1):
            lot_result = _add(result, EFAC, "LotResult")
            _add(lot_result, CBC, "ID", f"RES-{number:04d}", schemeName="result")
            _add(lot_result, CBC, "TenderResultCode",
                 "selec-w" if lot.tender_values else "clos-nw", listName="winner-selection-status")
            for tv in lot.tender_values:
                _add(_add(lot_result, EFAC, "LotTender"), CBC, "ID", tv.tender_id,
                     schemeName="tender")
            _add(_add(lot_result, EFAC, "TenderLot"), CBC, "ID", lot.lot_id, schemeName="Lot")
        for number, (lot, tv) in enumerate(tenders, 1):
            tender = _add(result, EFAC, "LotTender")
            _add(tender, CBC, "ID", tv.tender_id, schemeName="tender")
            _add_amount(_add(tender, CAC, "LegalMonetaryTotal"), CBC, "PayableAmount", tv.value)
            _add(_add(tender, EFAC, "TenderingParty"), CBC, "ID", f"TPA-{number:04d}",
                 schemeName="tendering-party")
            _add(_add(tender, EFAC, "TenderLot"), CBC, "ID", lot.lot_id, schemeName="Lot")
        for number in range(1, len(tenders) + 1):
            winner = Buyer(f"ORG-{next(org_numbers):04d}", rng.choice(_SUPPLIERS),
                           f"{rng.randrange(10**7, 10**8)}", "NLD")
            winners.append(winner)
            party = _add(result, EFAC, "TenderingParty")
            _add(party, CBC, "ID", f"TPA-{number:04d}", schemeName="tendering-party")
            _add(_add(party, EFAC, "Tenderer"), CBC, "ID", winner.org_id,
                 schemeName="organization")
    _add(_add(eforms, EFAC, "NoticeSubType"), CBC, "SubTypeCode", subtype,
         listName="notice-subtype")
    organizations = _add(eforms, EFAC, "Organizations")
    for buyer in buyers:
        _add_company(organizations, buyer, profile[2], profile[3], profile[4])
    for winner in winners:
        _add_company(organizations, winner, "Utrecht", "3511 AA", "NL310")

    _add(root, CBC, "UBLVersionID", "2.3")
    _add(root, CBC, "CustomizationID", "eforms-sdk-1.15")
    _add(root, CBC, "ID", notice_id or drawn_notice, schemeName="notice-id")
    _add(root, CBC, "ContractFolderID", procedure_id or drawn_procedure)
    _add(root, CBC, "IssueDate", f"{(issue_date or drawn_date).isoformat()}+01:00")
    _add(root, CBC, "IssueTime", "12:00:00+01:00")
    if version is not None:
        _add(root, CBC, "VersionID", version)
    _add(root, CBC, "RegulatoryDomain", "32014L0024")
    _add(root, CBC, "NoticeTypeCode", notice_type, listName=type_list)
    _add(root, CBC, "NoticeLanguageCode", "NLD")
    for buyer in buyers:
        party = _add(root, CAC, "ContractingParty")
        if buyer.legal_type is not None:
            _add(_add(party, CAC, "ContractingPartyType"), CBC, "PartyTypeCode",
                 buyer.legal_type, listName="buyer-legal-type")
        _add(_add(_add(party, CAC, "Party"), CAC, "PartyIdentification"), CBC, "ID",
             buyer.org_id, schemeName="organization")
    _add(_add(root, CAC, "TenderingProcess"), CBC, "ProcedureCode", "open",
         listName="procurement-procedure-type")
    project = _add(root, CAC, "ProcurementProject")
    _add(project, CBC, "Name", title, languageID="NLD")
    _add(project, CBC, "ProcurementTypeCode", nature, listName="contract-nature")
    if estimated_value is not None:
        _add_amount(_add(project, CAC, "RequestedTenderTotal"), CBC,
                    "EstimatedOverallContractAmount", estimated_value)
    _add(_add(project, CAC, "MainCommodityClassification"), CBC, "ItemClassificationCode", cpv,
         listName="cpv")
    for number, lot in enumerate(lots, 1):
        lot_element = _add(root, CAC, "ProcurementProjectLot")
        _add(lot_element, CBC, "ID", lot.lot_id, schemeName="Lot")
        if lot.award_criterion_types:
            criterion = _add(_add(_add(lot_element, CAC, "TenderingTerms"), CAC,
                                  "AwardingTerms"), CAC, "AwardingCriterion")
            for criterion_type in lot.award_criterion_types:
                sub = _add(criterion, CAC, "SubordinateAwardingCriterion")
                _add(sub, CBC, "AwardingCriterionTypeCode", criterion_type,
                     listName="award-criterion-type")
        lot_project = _add(lot_element, CAC, "ProcurementProject")
        _add(lot_project, CBC, "ID", str(number), schemeName="InternalID")
        _add(lot_project, CBC, "Name", f"{title} — perceel {number}", languageID="NLD")
        _add(lot_project, CBC, "ProcurementTypeCode", nature, listName="contract-nature")
        for list_name, field in LOT_CODE_FIELDS.items():
            for code in getattr(lot, field):
                _add(_add(lot_project, CAC, "ProcurementAdditionalType"), CBC,
                     "ProcurementTypeCode", code, listName=list_name)
        if lot.estimated_value is not None:
            _add_amount(_add(lot_project, CAC, "RequestedTenderTotal"), CBC,
                        "EstimatedOverallContractAmount", lot.estimated_value)
        _add(_add(lot_project, CAC, "MainCommodityClassification"), CBC,
             "ItemClassificationCode", cpv, listName="cpv")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
