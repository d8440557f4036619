"""Tests for the pure eForms notice parser (mvi_community.benchmark.sources.eforms).

The sample notices in eforms_samples/ are copies from the eForms SDK 1.15.1 (Publications
Office of the European Union, CC BY 4.0; see the README there). Expected values below were
read from the XML by hand and are asserted literally.
"""
from __future__ import annotations

import ast
import dataclasses
import io
import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from mvi_community.benchmark.sources import eforms
from mvi_community.benchmark.sources.eforms import (
    CODE_LISTS,
    DEFAULT_THEME_MAP,
    Buyer,
    Lot,
    Money,
    Notice,
    NoticeError,
    TenderValue,
    generate_notice,
    iter_notices,
    latest_per_lot,
    lot_themes,
    normalize_kvk,
    normalize_name,
    parse_eforms_date,
    parse_notice,
    parse_notice_file,
)

SAMPLES = Path(__file__).parent / "eforms_samples"
SAMPLE_NAMES = ["cn_24_maximal.xml", "can_24_maximal.xml", "cn-social_25.xml", "veat_81.xml",
                "cn_24_minimal.xml"]
NS = {"cac": eforms.CAC, "cbc": eforms.CBC}


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


MAXIMAL_LOT_CODES = {
    "strategic_procurement": ("env-imp",),
    "environmental_impact": ("clim-mitig",),
    "social_objective": ("acc-all",),
    "innovative_acquisition": ("proc-innov",),
    "gpp_criteria": (),
    "accessibility": ("n-inc-just",),
    "award_criterion_types": ("cost", "quality"),
    "estimated_value": eur("9999999.99"),
}
MAXIMAL_BUYER = Buyer("ORG-0001", "Financial Adinistration for ...", "998298", "LUX", "body-pl")


# ------------------------------------------------------------------ the SDK samples

def test_cn_24_maximal() -> None:
    notice = parse_notice(sample("cn_24_maximal.xml"))
    assert notice == Notice(
        procedure_id="aff2863e-b4cc-4e91-baba-b3b85f709117",
        notice_id="14549263-b47b-4e59-96a1-2d0d13e19343",
        version="03",
        issue_date=date(2023, 3, 23),
        notice_type="cn-standard",
        notice_subtype="16",
        document_type="ContractNotice",
        buyers=(MAXIMAL_BUYER,),
        lots=(Lot("LOT-0001", **MAXIMAL_LOT_CODES), Lot("LOT-0002", **MAXIMAL_LOT_CODES)),
        estimated_value=eur("9999999.99"),
        total_value=None,
    )


def test_can_24_maximal_links_tender_values_through_lot_results() -> None:
    notice = parse_notice(sample("can_24_maximal.xml"))
    # RES-0001 (lot LOT-0001) references TEN-0001 and TEN-0002, both 9999999.99 EUR, even
    # though TEN-0001's own TenderLot says GLO-0001; RES-0002 (LOT-0002) references
    # TEN-0003, which has no PayableAmount.
    assert notice == Notice(
        procedure_id="2d2d24a2-df84-449e-8695-fb66ef504a5a",
        notice_id="15377ca1-6cf7-4060-90f0-9290128957a3",
        version="03",
        issue_date=date(2023, 4, 23),
        notice_type="can-standard",
        notice_subtype="29",
        document_type="ContractAwardNotice",
        buyers=(MAXIMAL_BUYER,),
        lots=(
            Lot("LOT-0001", **MAXIMAL_LOT_CODES, tender_values=(
                TenderValue("TEN-0001", eur("9999999.99")),
                TenderValue("TEN-0002", eur("9999999.99")),
            )),
            Lot("LOT-0002", **MAXIMAL_LOT_CODES, tender_values=()),
        ),
        estimated_value=eur("9999999.99"),
        total_value=eur("9999999.99"),
    )


def test_cn_social_multi_valued_codes_without_bt06() -> None:
    notice = parse_notice(sample("cn-social_25.xml"))
    assert notice == Notice(
        procedure_id="b6e24d15-bcdf-4275-9399-72cfb2e671c6",
        notice_id="cf9697c2-e280-4e78-beb1-e481f8c97468",
        version="01",
        issue_date=date(2023, 5, 26),
        notice_type="cn-social",
        notice_subtype="21",
        document_type="ContractNotice",
        # BT-500 is "ZenithNova Innovations " in the XML: surrounding whitespace is stripped.
        buyers=(Buyer("ORG-0001", "ZenithNova Innovations", "ABE", "GRC", "pub-undert-la"),),
        lots=(Lot(
            "LOT-0001",
            strategic_procurement=(),
            environmental_impact=("biodiv-eco", "other"),
            social_objective=("opp", "acc-all"),
            innovative_acquisition=("rd-act",),
        ),),
        estimated_value=Money(Decimal(1231), "BWP"),
        total_value=None,
    )
    assert lot_themes(notice.lots[0]) == ("milieu", "social-return", "diversiteit")


def test_veat_codes_are_per_lot() -> None:
    notice = parse_notice(sample("veat_81.xml"))
    assert notice == Notice(
        procedure_id="75db4bef-aae6-41f1-a593-d5dc62abd907",
        notice_id="cbe9e7b7-6860-4bb1-a200-b3ada0ff6fbe",
        version="01",
        issue_date=date(2023, 5, 26),
        notice_type="veat",
        notice_subtype="27",
        document_type="ContractAwardNotice",
        # Only the buyer-legal-type PartyTypeCode counts, not buyer-contracting-type.
        buyers=(Buyer("ORG-0001", "ZenithNova Innovations Ltd.", "ABE", "GRC",
                      "spec-rights-entity"),),
        lots=(
            Lot("LOT-0001"),
            Lot("LOT-0002", environmental_impact=("circ-econ",),
                social_objective=("hum-right", "opp"), innovative_acquisition=("prod-innov",)),
        ),
        estimated_value=None,
        total_value=None,
    )
    first, second = notice.lots
    assert lot_themes(first) == ()
    assert lot_themes(second) == ("circulair", "keten", "social-return")


def test_minimal_notice_has_no_codes() -> None:
    notice = parse_notice(sample("cn_24_minimal.xml"))
    assert notice == Notice(
        procedure_id="4805c409-5939-4be9-8abd-837f7a5fee23",
        notice_id="f42be27e-09cf-4f0e-a745-63ec689631e6",
        version="01",
        issue_date=date(2019, 11, 21),
        notice_type="cn-standard",
        notice_subtype="16",
        document_type="ContractNotice",
        buyers=(Buyer("ORG-0001", "Publications Office of the European Union", "EU-PO", "LUX",
                      "eu-ins-bod-ag"),),
        lots=(Lot("LOT-0000"),),
        estimated_value=None,
        total_value=None,
    )
    (lot,) = notice.lots
    assert all(getattr(lot, field) == () for field in eforms.LOT_CODE_FIELDS.values())
    assert lot.award_criterion_types == () and lot.tender_values == ()
    assert lot_themes(lot) == ()


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_file_and_stream_readers_agree_with_bytes(name: str) -> None:
    expected = parse_notice(sample(name))
    assert parse_notice_file(SAMPLES / name) == expected
    assert parse_notice(bytearray(sample(name))) == expected
    assert list(iter_notices(sample(name), chunk_size=997)) == [expected]
    with open(SAMPLES / name, "rb") as stream:
        assert list(iter_notices(stream, chunk_size=4096)) == [expected]


def test_lot_groups_are_not_lots() -> None:
    lot_ids = [lot.lot_id for lot in parse_notice(sample("cn_24_maximal.xml")).lots]
    assert lot_ids == ["LOT-0001", "LOT-0002"]  # GLO-0001 (schemeName LotsGroup) is skipped


def test_results_are_frozen() -> None:
    notice = parse_notice(sample("cn_24_minimal.xml"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        notice.procedure_id = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        notice.lots[0].environmental_impact = ("circ-econ",)  # type: ignore[misc]


# ------------------------------------------------------------------ buyers

def _with_second_buyer(org_id: str, legal_type: str) -> bytes:
    """cn_24_maximal with a second cac:ContractingParty (joint procurement)."""
    root = etree.fromstring(sample("cn_24_maximal.xml"))
    party = root.find("cac:ContractingParty", NS)
    twin = etree.fromstring(etree.tostring(party))
    twin.find("cac:Party/cac:PartyIdentification/cbc:ID", NS).text = org_id
    twin.find("cac:ContractingPartyType/cbc:PartyTypeCode", NS).text = legal_type
    party.addnext(twin)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_joint_procurement_gives_every_buyer() -> None:
    notice = parse_notice(_with_second_buyer("ORG-0003", "ra"))
    assert notice.buyers == (
        MAXIMAL_BUYER,
        Buyer("ORG-0003", "EnvironmentalInfo Dpt", "7812345", "LUX", "ra"),
    )
    records = latest_per_lot([notice])
    assert [r.lot_id for r in records] == ["LOT-0001", "LOT-0002"]
    assert all(r.buyers == notice.buyers for r in records)  # a lot counts for every buyer


def test_unresolved_buyer_is_kept_with_its_id_only() -> None:
    notice = parse_notice(_with_second_buyer("ORG-9999", "la"))
    assert notice.buyers[1] == Buyer("ORG-9999", None, None, None, "la")


def test_repeated_buyer_id_counts_once() -> None:
    notice = parse_notice(_with_second_buyer("ORG-0001", "la"))
    assert notice.buyers == (MAXIMAL_BUYER,)


# ------------------------------------------------------------------ optional fields and errors

def _minimal_without(*tags: str) -> bytes:
    root = etree.fromstring(sample("cn_24_minimal.xml"))
    for path in tags:
        for element in root.xpath(path, namespaces=eforms._NS):
            element.getparent().remove(element)
    return etree.tostring(root)


def test_missing_optional_fields_are_not_reported() -> None:
    notice = parse_notice(_minimal_without(
        "cbc:IssueDate", "cbc:VersionID", "cbc:NoticeTypeCode", "cbc:ID",
        f"{eforms._EFX}/efac:NoticeSubType", f"{eforms._EFX}/efac:Organizations",
        "cac:ContractingParty/cac:ContractingPartyType"))
    assert (notice.notice_id, notice.version, notice.issue_date, notice.notice_type,
            notice.notice_subtype) == (None, None, None, None, None)
    assert notice.buyers == (Buyer("ORG-0001"),)
    assert notice.lots == (Lot("LOT-0000"),)


def test_missing_procedure_id_is_an_error() -> None:
    with pytest.raises(NoticeError) as info:
        parse_notice(_minimal_without("cbc:ContractFolderID"))
    assert str(info.value) == ("notice f42be27e-09cf-4f0e-a745-63ec689631e6 has no procedure "
                               "identifier (cbc:ContractFolderID)")


def test_blank_procedure_id_is_an_error() -> None:
    data = sample("cn_24_minimal.xml").replace(
        b"4805c409-5939-4be9-8abd-837f7a5fee23", b"  ")
    with pytest.raises(NoticeError, match="ContractFolderID"):
        parse_notice(data)


@pytest.mark.parametrize(("old", "new", "message"), [
    (b"<cbc:IssueDate>2019-11-21+01:00", b"<cbc:IssueDate>21-11-2019",
     "notice f42be27e-09cf-4f0e-a745-63ec689631e6: invalid date '21-11-2019'"),
    (b"<cbc:IssueDate>2019-11-21+01:00", b"<cbc:IssueDate>2019-02-30",
     "notice f42be27e-09cf-4f0e-a745-63ec689631e6: invalid date '2019-02-30'"),
    (b'<cbc:ID schemeName="Lot">LOT-0000', b'<cbc:ID schemeName="Lot"> ',
     "notice f42be27e-09cf-4f0e-a745-63ec689631e6: a lot has an empty identifier"),
])
def test_malformed_values_are_errors(old: bytes, new: bytes, message: str) -> None:
    data = sample("cn_24_minimal.xml")
    assert old in data
    with pytest.raises(NoticeError) as info:
        parse_notice(data.replace(old, new))
    assert str(info.value) == message


def test_malformed_amount_is_an_error() -> None:
    data = sample("can_24_maximal.xml").replace(
        b'<cbc:TotalAmount currencyID="EUR">9999999.99', b'<cbc:TotalAmount currencyID="EUR">1e9')
    with pytest.raises(NoticeError) as info:
        parse_notice(data)
    assert str(info.value) == ("notice 15377ca1-6cf7-4060-90f0-9290128957a3: invalid amount "
                               "'1e9' in the notice value (BT-161)")


def test_duplicate_lot_id_is_an_error() -> None:
    data = sample("veat_81.xml").replace(
        b'<cbc:ID schemeName="Lot">LOT-0002</cbc:ID>\n\t\t<cac:TenderingTerms>',
        b'<cbc:ID schemeName="Lot">LOT-0001</cbc:ID>\n\t\t<cac:TenderingTerms>')
    with pytest.raises(NoticeError, match="lot LOT-0001 occurs twice"):
        parse_notice(data)


@pytest.mark.parametrize("data", [
    b"",
    b"  \n\t",
    b"not xml at all",
    b"<ContractNotice",
    b"<a><b></a>",
    b"\xff\xfe\x00garbage",
    b'<?xml version="1.0" encoding="UTF-8"?><a>\xc3\x28</a>',
    sample("cn_24_minimal.xml")[:5000],
])
def test_malformed_xml_raises_a_one_line_notice_error(data: bytes) -> None:
    for read in (parse_notice, lambda d: list(iter_notices(d))):
        with pytest.raises(NoticeError) as info:
            read(data)
        assert "\n" not in str(info.value) and str(info.value)


@pytest.mark.parametrize("data", [
    b'<gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/"/>',
    b"<html><body>notice</body></html>",
    (b'<cbc:ID xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
     b"x</cbc:ID>"),
])
def test_other_xml_is_not_a_notice(data: bytes) -> None:
    with pytest.raises(NoticeError, match=r"^not an eForms notice: root element <"):
        parse_notice(data)
    with pytest.raises(NoticeError, match="no eForms notice found"):
        list(iter_notices(data))


def test_text_input_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_notice(sample("cn_24_minimal.xml").decode())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        list(iter_notices(io.StringIO("<a/>")))  # type: ignore[arg-type]


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(b"<a>")
    with pytest.raises(NoticeError, match=r"broken\.xml: not well-formed XML"):
        parse_notice_file(path)


# ------------------------------------------------------------------ hostile XML

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE ContractNotice [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ContractFolderID>&lol9;</cbc:ContractFolderID>
</ContractNotice>
"""


def _xxe(target: Path) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE ContractNotice [<!ENTITY xxe SYSTEM "{target.as_uri()}">]>
<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ContractFolderID>&xxe;</cbc:ContractFolderID>
</ContractNotice>
""".encode()


def _secret(tmp_path: Path) -> Path:
    target = tmp_path / "secret.txt"
    target.write_text("TOP-SECRET-VALUE")
    return target


def _assert_rejected(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "hostile.xml"
    path.write_bytes(data)
    readers = (parse_notice, lambda d: list(iter_notices(d, chunk_size=64)),
               lambda d: parse_notice_file(path))
    for read in readers:
        with pytest.raises(NoticeError) as info:
            read(data)
        assert "DOCTYPE" in str(info.value)
        assert "SECRET" not in str(info.value)


def test_billion_laughs_is_rejected(tmp_path: Path) -> None:
    _assert_rejected(BILLION_LAUGHS, tmp_path)


def test_external_entity_is_rejected(tmp_path: Path) -> None:
    _assert_rejected(_xxe(_secret(tmp_path)), tmp_path)


@pytest.mark.parametrize("prolog", [
    b'<!DOCTYPE ContractNotice SYSTEM "http://example.invalid/notice.dtd">',
    b'<!DOCTYPE ContractNotice [<!ENTITY % p SYSTEM "http://example.invalid/p.dtd"> %p;]>',
    b"<!-- <ContractNotice> --><?pi data?>\n<!DOCTYPE ContractNotice>",
    b"<!DOCTYPE ContractNotice>",
])
def test_any_doctype_is_rejected(prolog: bytes, tmp_path: Path) -> None:
    body = sample("cn_24_minimal.xml").split(b"-->", 1)[1]  # the notice after its comment
    _assert_rejected(b'<?xml version="1.0" encoding="utf-8"?>' + prolog + body, tmp_path)


def test_doctype_in_utf16_is_rejected(tmp_path: Path) -> None:
    text = BILLION_LAUGHS.decode().replace('<?xml version="1.0"?>',
                                           '<?xml version="1.0" encoding="UTF-16"?>')
    _assert_rejected(text.encode("utf-16"), tmp_path)


def test_doctype_is_rejected_even_without_the_prolog_scan(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Defence in depth: the parser options and the docinfo check hold on their own."""
    monkeypatch.setattr(eforms, "_scan_prolog", lambda head: None)
    for data in (BILLION_LAUGHS, _xxe(_secret(tmp_path))):
        for read in (parse_notice, lambda d: list(iter_notices(d))):
            with pytest.raises(NoticeError) as info:
                read(data)
            assert "SECRET" not in str(info.value)
            assert "lollollol" not in str(info.value)


def test_utf16_notice_without_doctype_is_fine() -> None:
    text = sample("cn_24_minimal.xml").decode("utf-8").replace('encoding="utf-8"',
                                                                'encoding="UTF-16"')
    assert parse_notice(text.encode("utf-16")) == parse_notice(sample("cn_24_minimal.xml"))


# ------------------------------------------------------------------ streaming containers

def _container(*documents: bytes, extra: bytes = b"<other><x/></other>") -> bytes:
    bodies = b"".join(doc.split(b"?>", 1)[1] for doc in documents)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<batch>' + extra + bodies + b"</batch>"


def test_iter_notices_streams_a_container_of_notices() -> None:
    documents = [generate_notice(1), generate_notice(2, kind="can"), sample("veat_81.xml")]
    expected = [parse_notice(doc) for doc in documents]
    data = _container(*documents)
    assert list(iter_notices(data, chunk_size=512)) == expected
    assert list(iter_notices(io.BytesIO(data), chunk_size=100)) == expected


def test_iter_notices_yields_until_the_first_bad_notice() -> None:
    bad = generate_notice(2).replace(b"<cbc:ContractFolderID>", b"<cbc:Other>").replace(
        b"</cbc:ContractFolderID>", b"</cbc:Other>")
    stream = iter_notices(_container(generate_notice(1), bad))
    assert next(stream) == parse_notice(generate_notice(1))
    with pytest.raises(NoticeError, match="no procedure identifier"):
        next(stream)


def test_iter_notices_on_an_empty_container() -> None:
    with pytest.raises(NoticeError, match="no eForms notice found"):
        list(iter_notices(b"<batch><other/></batch>"))


# ------------------------------------------------------------------ dates, names, KvK, themes

@pytest.mark.parametrize(("text", "expected"), [
    ("2019-10-24+01:00", date(2019, 10, 24)),
    ("2023-05-26Z", date(2023, 5, 26)),
    ("2023-05-26", date(2023, 5, 26)),
    ("2023-12-31-05:00", date(2023, 12, 31)),
    (" 2024-02-29+02:00\n", date(2024, 2, 29)),
])
def test_issue_dates(text: str, expected: date) -> None:
    assert parse_eforms_date(text) == expected


@pytest.mark.parametrize("text", ["", "24-10-2019", "2019-10-24T10:00:00", "2023-02-29",
                                  "2019-13-01", "2019-10-24+1", "20191024"])
def test_bad_issue_dates(text: str) -> None:
    with pytest.raises(NoticeError, match="invalid date"):
        parse_eforms_date(text)


@pytest.mark.parametrize(("name", "expected"), [
    ("Gemeente 's-Hertogenbosch", "gemeente s hertogenbosch"),
    ("  PROVINCIE   Fryslân ", "provincie fryslan"),
    ("Waterschap Aa en Maas", "waterschap aa en maas"),
    ("Hoogheemraadschap van Schieland en de Krimpenerwaard",
     "hoogheemraadschap van schieland en de krimpenerwaard"),
    ("Gemeente Súdwest-Fryslân", "gemeente sudwest fryslan"),
    ("Straße & Co. (Zoë)", "strasse co zoe"),
    ("ﬁrma_X", "firma x"),
    ("", ""),
])
def test_normalize_name(name: str, expected: str) -> None:
    assert normalize_name(name) == expected


@given(st.text(max_size=60))
@settings(max_examples=200, database=None, deadline=None)
def test_normalize_name_is_idempotent(name: str) -> None:
    once = normalize_name(name)
    assert normalize_name(once) == once
    assert once == once.strip() and "  " not in once


@pytest.mark.parametrize(("value", "expected"), [
    ("12345678", "12345678"),
    ("KvK 1234 5678", "12345678"),
    ("01234567", "01234567"),
    ("1234567", None),
    ("123456789", None),
    ("000012345678", None),
    ("ABE", None),
    ("", None),
    (None, None),
    ("١٢٣٤٥٦٧٨", None),  # non-ASCII digits are not KvK digits
])
def test_normalize_kvk(value: str | None, expected: str | None) -> None:
    assert normalize_kvk(value) == expected


def test_theme_table_is_the_domain_mapping() -> None:
    assert dict(DEFAULT_THEME_MAP) == {
        "circ-econ": "circulair",
        "clim-mitig": "klimaat", "clim-adapt": "klimaat",
        "biodiv-eco": "milieu", "pollu-prev": "milieu", "water-mar": "milieu",
        "hum-right": "keten", "work-cond": "keten",
        "acc-all": "diversiteit", "et-eq": "diversiteit", "gen-eq": "diversiteit",
        "opp": "social-return",
    }
    with pytest.raises(TypeError):
        DEFAULT_THEME_MAP["other"] = "milieu"  # type: ignore[index]


def test_theme_table_can_be_overridden() -> None:
    lot = Lot("LOT-0001", environmental_impact=("other", "clim-adapt"), social_objective=("opp",))
    assert lot_themes(lot) == ("klimaat", "social-return")
    custom = {**DEFAULT_THEME_MAP, "other": "milieu", "opp": "sociaal"}
    assert lot_themes(lot, custom) == ("milieu", "klimaat", "sociaal")
    assert lot_themes(lot, {}) == ()


# ------------------------------------------------------------------ latest per lot

def _notice(procedure: str, issued: date | None, version: str | None, lots: tuple[Lot, ...], *,
            notice_id: str = "N-1", notice_type: str = "cn-standard",
            buyers: tuple[Buyer, ...] = (Buyer("ORG-0001", "Gemeente Venlo"),)) -> Notice:
    return Notice(procedure, notice_id, version, issued, notice_type, None, "ContractNotice",
                  buyers, lots)


CIRCULAR = Lot("LOT-0001", environmental_impact=("circ-econ",))
CLIMATE = Lot("LOT-0001", environmental_impact=("clim-mitig",))


def test_contract_notice_and_award_notice_count_once() -> None:
    cn_bytes = generate_notice(10, procedure_id="P-1", issue_date=date(2024, 3, 1),
                               lots=[CIRCULAR])
    award = Lot("LOT-0001", environmental_impact=("clim-mitig",),
                tender_values=(TenderValue("TEN-0001", eur("1000.00")),))
    can_bytes = generate_notice(11, kind="can", procedure_id="P-1", issue_date=date(2024, 6, 1),
                                lots=[award])
    cn, can = parse_notice(cn_bytes), parse_notice(can_bytes)
    for order in ([cn, can], [can, cn]):
        (record,) = latest_per_lot(order)
        assert (record.procedure_id, record.lot_id) == ("P-1", "LOT-0001")
        assert record.notice is can and record.lot == award
        assert record.buyers == can.buyers


def test_version_is_compared_numerically() -> None:
    def version(v: str) -> Notice:
        return _notice("P-1", date(2024, 1, 1), v, (Lot("LOT-0001", accessibility=(v,)),))
    for older, newer in (("2", "10"), ("09", "10"), ("1.9", "1.10"), ("beta", "1")):
        for order in ([version(older), version(newer)], [version(newer), version(older)]):
            (record,) = latest_per_lot(order)
            assert record.notice.version == newer


def test_issue_date_goes_before_version_and_missing_date_is_oldest() -> None:
    early = _notice("P-1", date(2024, 1, 1), "10", (CIRCULAR,))
    late = _notice("P-1", date(2024, 2, 1), "01", (CLIMATE,))
    undated = _notice("P-1", None, "99", (Lot("LOT-0001"),))
    (record,) = latest_per_lot([late, undated, early])
    assert record.notice is late


def test_same_day_award_notice_beats_contract_notice() -> None:
    day = date(2024, 1, 1)
    cn = _notice("P-1", day, "01", (CIRCULAR,), notice_id="B", notice_type="cn-standard")
    can = _notice("P-1", day, "01", (CLIMATE,), notice_id="A", notice_type="can-standard")
    assert latest_per_lot([can, cn])[0].notice is can
    assert latest_per_lot([cn, can])[0].notice is can


def test_a_lot_left_out_of_a_later_notice_keeps_its_last_report() -> None:
    cn = _notice("P-1", date(2024, 1, 1), "01",
                 (CIRCULAR, Lot("LOT-0002", social_objective=("opp",))))
    can = _notice("P-1", date(2024, 5, 1), "01", (CLIMATE,), notice_type="can-standard")
    other = _notice("P-2", date(2023, 1, 1), "01", (CIRCULAR,))
    records = latest_per_lot([can, other, cn])
    assert [(r.procedure_id, r.lot_id, r.notice) for r in records] == [
        ("P-1", "LOT-0001", can), ("P-1", "LOT-0002", cn), ("P-2", "LOT-0001", other)]


def test_latest_per_lot_is_deterministic_under_exact_ties() -> None:
    tied = [_notice("P-1", date(2024, 1, 1), "01", (lot,), notice_id="N-1")
            for lot in (CIRCULAR, CLIMATE, Lot("LOT-0001"))]
    rest = [_notice("P-2", date(2024, 1, 1), "01", (CIRCULAR,))]
    results = {latest_per_lot(list(order)) for order in itertools.permutations(tied + rest)}
    assert len(results) == 1


def test_latest_per_lot_on_the_samples() -> None:
    notices = [parse_notice(sample(name)) for name in SAMPLE_NAMES]
    records = latest_per_lot(notices)
    assert [(r.procedure_id, r.lot_id) for r in records] == [
        ("2d2d24a2-df84-449e-8695-fb66ef504a5a", "LOT-0001"),
        ("2d2d24a2-df84-449e-8695-fb66ef504a5a", "LOT-0002"),
        ("4805c409-5939-4be9-8abd-837f7a5fee23", "LOT-0000"),
        ("75db4bef-aae6-41f1-a593-d5dc62abd907", "LOT-0001"),
        ("75db4bef-aae6-41f1-a593-d5dc62abd907", "LOT-0002"),
        ("aff2863e-b4cc-4e91-baba-b3b85f709117", "LOT-0001"),
        ("aff2863e-b4cc-4e91-baba-b3b85f709117", "LOT-0002"),
        ("b6e24d15-bcdf-4275-9399-72cfb2e671c6", "LOT-0001"),
    ]
    assert latest_per_lot([]) == ()


# ------------------------------------------------------------------ generator

def test_generator_is_deterministic_and_seeded() -> None:
    assert generate_notice(7, kind="can") == generate_notice(7, kind="can")
    assert generate_notice(7) != generate_notice(8)
    # an override does not shift the other drawn values
    a = parse_notice(generate_notice(7))
    b = parse_notice(generate_notice(7, procedure_id="P-X"))
    assert b.procedure_id == "P-X" and dataclasses.replace(b, procedure_id=a.procedure_id) == a


def test_generated_defaults_look_like_a_dutch_notice() -> None:
    notice = parse_notice(generate_notice(3, kind="can"))
    (buyer,) = notice.buyers
    assert buyer.country == "NLD" and normalize_kvk(buyer.legal_id) == buyer.legal_id
    assert notice.notice_type == "can-standard" and notice.notice_subtype == "29"
    assert notice.document_type == "ContractAwardNotice"
    assert 1 <= len(notice.lots) <= 3 and all(lot.tender_values for lot in notice.lots)
    total = sum(tv.value.amount for lot in notice.lots for tv in lot.tender_values)
    assert notice.total_value == Money(total, "EUR")
    assert date(2024, 1, 1) <= notice.issue_date <= date(2025, 12, 31)
    cn = parse_notice(generate_notice(3))
    assert cn.notice_type == "cn-standard" and cn.notice_subtype == "16"
    assert cn.total_value is None and not any(lot.tender_values for lot in cn.lots)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "pin"}, "kind must be one of"),
    ({"buyers": []}, "at least one buyer"),
    ({"lots": []}, "at least one buyer and one lot"),
    ({"buyers": [Buyer("ORG-0001"), Buyer("ORG-0001")]}, "org_ids must be unique"),
    ({"lots": [Lot("LOT-0001"), Lot("LOT-0001")]}, "lot ids must be unique"),
    ({"lots": [Lot("LOT-0001", tender_values=(TenderValue("T", eur("1")),))]},
     "no tender values"),
    ({"total_value": eur("1")}, "no tender values or total value"),
    ({"kind": "can", "lots": [Lot("LOT-0001", tender_values=(TenderValue("T", eur("1")),)),
                              Lot("LOT-0002", tender_values=(TenderValue("T", eur("2")),))]},
     "tender ids must be unique"),
])
def test_generator_rejects_inconsistent_input(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_notice(1, **kwargs)


NAMES = st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=1,
                max_size=40).map(str.strip).filter(bool)
MONEY = st.builds(Money,
                  st.decimals(min_value=0, max_value=10**10, places=2, allow_nan=False,
                              allow_infinity=False),
                  st.sampled_from(["EUR", None]))


def _codes(list_name: str) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(CODE_LISTS[list_name]), unique=True, max_size=3).map(tuple)


@st.composite
def notice_specs(draw: st.DrawFn) -> tuple[str, tuple[Buyer, ...], tuple[Lot, ...]]:
    kind = draw(st.sampled_from(["cn", "can"]))
    buyers = tuple(
        Buyer(f"ORG-{n:04d}", draw(NAMES | st.none()),
              draw(st.text("0123456789", min_size=8, max_size=8) | st.none()),
              draw(st.sampled_from(["NLD", None])),
              draw(st.sampled_from(["la", "ra", "body-pl-ra", "cga", None])))
        for n in range(1, draw(st.integers(1, 3)) + 1))
    lots, tender_no = [], 0
    for n in range(1, draw(st.integers(1, 3)) + 1):
        tenders = []
        for money in draw(st.lists(MONEY, max_size=2)) if kind == "can" else []:
            tender_no += 1
            tenders.append(TenderValue(f"TEN-{tender_no:04d}", money))
        lots.append(Lot(
            f"LOT-{n:04d}",
            **{field: draw(_codes(list_name))
               for list_name, field in eforms.LOT_CODE_FIELDS.items()},
            award_criterion_types=tuple(draw(st.lists(
                st.sampled_from(["price", "cost", "quality"]), max_size=4))),
            estimated_value=draw(MONEY | st.none()),
            tender_values=tuple(tenders),
        ))
    return kind, buyers, tuple(lots)


@given(spec=notice_specs(), seed=st.integers(0, 2**32), issued=st.dates(date(2023, 9, 27),
                                                                          date(2030, 12, 31)))
@settings(max_examples=60, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_generate_then_parse_round_trips(spec: tuple[str, tuple[Buyer, ...], tuple[Lot, ...]],
                                         seed: int, issued: date) -> None:
    kind, buyers, lots = spec
    notice = parse_notice(generate_notice(seed, kind=kind, buyers=buyers, lots=lots,
                                          procedure_id="P-1", issue_date=issued, version="02"))
    assert notice.buyers == buyers
    assert notice.lots == lots
    assert (notice.procedure_id, notice.issue_date, notice.version) == ("P-1", issued, "02")
    assert [lot_themes(lot) for lot in notice.lots] == [lot_themes(lot) for lot in lots]
    values = [tv.value for lot in lots for tv in lot.tender_values]
    if kind == "can" and values and len({v.currency for v in values}) == 1:
        assert notice.total_value == Money(sum(v.amount for v in values), values[0].currency)
    elif kind == "cn" or not values:
        assert notice.total_value is None


# ------------------------------------------------------------------ purity

def test_engine_imports_neither_flask_nor_sqlalchemy() -> None:
    tree = ast.parse(Path(eforms.__file__).read_text(encoding="utf-8"))
    modules = {alias.name.split(".")[0] for node in ast.walk(tree)
               if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    assert modules <= {"__future__", "codecs", "collections", "dataclasses", "datetime",
                       "decimal", "os", "random", "re", "types", "typing", "unicodedata",
                       "uuid", "lxml"}
