"""Importers on the real database: eForms notices (SDK samples and Dutch notices of our own)
and monitor CSV files — good and bad input, idempotent re-import, the period filter, joint
procurement, contract + award notice counted once, unmatched buyers reported, nothing written
for a refused CSV."""
from __future__ import annotations

import io
import shutil
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mvi_community.benchmark import services
from mvi_community.benchmark.importers import notices as importer
from mvi_community.benchmark.importers.notices import eforms_indicator_values
from mvi_community.benchmark.importers.values import import_csv
from mvi_community.benchmark.models import (
    ImportReport,
    Indicator,
    IndicatorValue,
    Lot,
    LotBuyer,
    Notice,
)
from mvi_community.benchmark.sources import csv as csv_source
from mvi_community.benchmark.sources.eforms import Buyer, Money, TenderValue, generate_notice
from mvi_community.benchmark.sources.eforms import Lot as ELot
from mvi_community.extensions import db
from tests.factories import commit, make_organisation

SAMPLES = Path(__file__).parent / "eforms_samples"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def snapshot() -> tuple:
    """Everything an import writes, comparable before and after."""
    return (
        sorted(db.session.execute(select(Notice.notice_id, Notice.version, Notice.procedure_id)).tuples()),
        sorted(db.session.execute(select(Lot.id, Lot.procedure_id, Lot.lot_id, Lot.notice_id, Lot.value)).tuples()),
        sorted(db.session.execute(select(LotBuyer.id, LotBuyer.lot_id, LotBuyer.organisation_id)).tuples()),
        sorted(db.session.execute(select(IndicatorValue.id, IndicatorValue.organisation_id, IndicatorValue.indicator_id,
                                         IndicatorValue.value, IndicatorValue.source)).tuples()),
    )


def values_of(edition, organisation) -> dict[str, float]:
    return dict(db.session.execute(
        select(Indicator.code, IndicatorValue.value).join(Indicator, IndicatorValue.indicator_id == Indicator.id)
        .where(IndicatorValue.edition_id == edition.id, IndicatorValue.organisation_id == organisation.id)).all())


def dutch(name: str, ref: str = "ORG-0001", kvk: str | None = None) -> Buyer:
    return Buyer(ref, name, kvk, "NLD", "la")


def notice(seed: int, buyers, lots, procedure: str, notice_id: str, issued: date, kind: str = "cn", version="01") -> bytes:
    return generate_notice(seed, kind=kind, buyers=buyers, lots=lots, procedure_id=procedure, notice_id=notice_id,
                           issue_date=issued, version=version)


def docs(*items: tuple[str, bytes]):
    return [importer.Document(name, (lambda data=data: io.BytesIO(data))) for name, data in items]


@pytest.fixture()
def edition(app):
    return services.create_edition(None, 2024)  # period 2023-01-01 .. 2024-12-31


def test_sdk_samples_period_filter_and_unmatched_buyers(edition, tmp_path):
    folder = tmp_path / "sdk"
    shutil.copytree(SAMPLES, folder)
    report = importer.import_notices(None, edition, importer.documents_from_paths([folder]))
    s, p = report.summary, report.problems
    assert s["files"] == 5 and s["notices_read"] == 5
    # cn_24_minimal was issued on 2019-11-21, before the period
    assert s["skipped"] == {"outside_period": 1}
    assert p["skipped"][0]["reason"] == "outside_period" and p["skipped"][0]["date"] == "2019-11-21"
    assert s["notices_new"] == 4
    # cn_24 and can_24 have different procedure ids in the SDK: 2 + 2 + 1 + 2 lots
    assert count(Lot) == 7
    # the SDK buyers are fictitious foreign bodies: all listed, none silently dropped
    assert {(u["name"], u["legal_id"]) for u in p["unmatched"]} == {
        ("Financial Adinistration for ...", "998298"), ("ZenithNova Innovations", "ABE"),
        ("ZenithNova Innovations Ltd.", "ABE")}
    assert sum(u["lots"] for u in p["unmatched"]) == 7
    assert count(IndicatorValue) == 0


def test_reimport_changes_nothing_zip_and_folder(edition, tmp_path):
    venlo = make_organisation("gm0983", "Gemeente Venlo", population=102_000)
    archive = tmp_path / "aankondigingen.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for n in range(3):
            lots = (ELot("LOT-0001", environmental_impact=("circ-econ",), strategic_procurement=("env-imp",)),
                    ELot("LOT-0002", strategic_procurement=("none",)))
            zf.writestr(f"n{n}.xml", notice(n, [dutch("Gemeente Venlo")], lots, f"proc-{n}", f"nid-{n}", date(2024, 3, n + 1)))
        zf.writestr("leesmij.txt", "geen aankondiging")
    first = importer.import_notices(None, edition, importer.documents_from_paths([archive]))
    assert first.summary["notices_new"] == 3 and first.summary["lots_new"] == 6
    assert first.problems["rejected"] == [{"file": f"{archive}:leesmij.txt", "reason": "not an XML file"}]
    commit()
    before = snapshot()
    changed_at = edition.inputs_changed_at
    again = importer.import_notices(None, edition, importer.documents_from_paths([archive, tmp_path]))
    commit()
    assert again.summary["notices_new"] == 0 and again.summary["notices_known"] == 6
    assert snapshot() == before
    assert edition.inputs_changed_at == changed_at
    assert values_of(edition, venlo)["eforms_circular_share"] == 0.5


def test_joint_procurement_counts_for_every_buyer_and_cn_can_once(edition):
    venlo = make_organisation("gm0983", "Gemeente Venlo", population=102_000)
    helmond = make_organisation("gm0794", "Gemeente Helmond", population=93_700, kvk="12345678")
    joint = [dutch("Gemeente Venlo"), dutch("Gem. Helmond (inkoop)", "ORG-0002", kvk="KvK 1234 5678")]
    cn_lots = (ELot("LOT-0001", strategic_procurement=("none",)),)
    # The award notice of the same procedure reports a social objective and a value: it wins.
    can_lots = (ELot("LOT-0001", social_objective=("opp",), strategic_procurement=("soc-obj",),
                     tender_values=(TenderValue("TEN-0001", Money(Decimal(1000), "EUR")),)),)
    own = (ELot("LOT-0001", environmental_impact=("clim-mitig",), tender_values=(
        TenderValue("TEN-0001", Money(Decimal(3000), "EUR")),)),)
    report = importer.import_notices(None, edition, docs(
        ("cn.xml", notice(1, joint, cn_lots, "joint-1", "joint-cn", date(2024, 1, 10))),
        ("can.xml", notice(2, joint, can_lots, "joint-1", "joint-can", date(2024, 4, 10), kind="can")),
        ("venlo.xml", notice(3, [dutch("Gemeente Venlo")], own, "venlo-1", "venlo-can", date(2024, 5, 1), kind="can")),
    ))
    assert report.summary["lots_new"] == 2 and report.problems["unmatched"] == []
    lot = db.session.scalar(select(Lot).where(Lot.procedure_id == "joint-1"))
    assert lot.codes["social_objective"] == ["opp"] and lot.notice.notice_id == "joint-can"
    assert {b.organisation_id for b in lot.buyers} == {venlo.id, helmond.id}  # KvK matched Helmond
    v, h = values_of(edition, venlo), values_of(edition, helmond)
    assert h["eforms_social_share"] == 1.0 and h["eforms_theme_social_return_share"] == 1.0
    assert h["eforms_reporting_share"] == 1.0 and "eforms_climate_share" in h and h["eforms_climate_share"] == 0.0
    assert v["eforms_social_share"] == 0.5 and v["eforms_climate_share"] == 0.5
    # value-weighted green share: 3000 green of 4000 with a value
    assert v["eforms_green_value_share"] == 0.75 and h["eforms_green_value_share"] == 0.0


def test_an_older_notice_imported_later_does_not_replace_the_newer(edition):
    org = make_organisation("gm0289", "Gemeente Wageningen", population=40_500)
    newer = (ELot("LOT-0001", environmental_impact=("circ-econ",)),)
    older = (ELot("LOT-0001", strategic_procurement=("none",)),)
    importer.import_notices(None, edition, docs(("new.xml", notice(1, [dutch("Gemeente Wageningen")], newer, "p", "n2", date(2024, 6, 1), version="02"))))
    importer.import_notices(None, edition, docs(("old.xml", notice(2, [dutch("Gemeente Wageningen")], older, "p", "n1", date(2024, 2, 1)))))
    assert count(Notice) == 2 and count(Lot) == 1
    assert values_of(edition, org)["eforms_circular_share"] == 1.0


def test_bad_files_are_rejected_never_a_crash(edition, tmp_path):
    (tmp_path / "kapot.xml").write_bytes(b"<ContractNotice><unclosed>")
    (tmp_path / "xxe.xml").write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
    (tmp_path / "leeg.xml").write_bytes(b"")
    (tmp_path / "nep.zip").write_bytes(b"PK\x03\x04 not really a zip")
    report = importer.import_notices(None, edition, importer.documents_from_paths(
        [tmp_path, tmp_path / "bestaat-niet.xml"]))
    rejected = {Path(r["file"]).name: r["reason"] for r in report.problems["rejected"]}
    assert set(rejected) == {"kapot.xml", "xxe.xml", "leeg.xml", "nep.zip", "bestaat-niet.xml"}
    assert "DOCTYPE" in rejected["xxe.xml"]
    assert count(Notice) == 0 and report.id is not None


def test_eforms_indicator_definitions():
    lots = [({"strategic_procurement": ["none"], "environmental_impact": [], "social_objective": [],
              "innovative_acquisition": [], "gpp_criteria": [], "themes": []}, None),
            ({"strategic_procurement": ["env-imp", "inn-pur"], "environmental_impact": ["circ-econ", "clim-adapt"],
              "social_objective": ["work-cond"], "innovative_acquisition": [], "gpp_criteria": ["national"],
              "themes": ["circulair", "klimaat", "keten"]}, 300.0),
            ({"strategic_procurement": [], "environmental_impact": [], "social_objective": [],
              "innovative_acquisition": ["rd-act"], "gpp_criteria": ["none"], "themes": []}, 100.0),
            ({}, None)]
    v = eforms_indicator_values(lots)
    assert v["eforms_lots"] == 4
    assert v["eforms_reporting_share"] == 0.5  # "none" counts as reported
    assert v["eforms_green_share"] == v["eforms_circular_share"] == v["eforms_climate_share"] == 0.25
    assert v["eforms_social_share"] == 0.25 and v["eforms_innovation_share"] == 0.5
    assert v["eforms_gpp_criteria_share"] == 0.25
    assert v["eforms_green_value_share"] == 0.75
    assert v["eforms_theme_keten_share"] == 0.25 and v["eforms_theme_milieu_share"] == 0.0
    assert eforms_indicator_values([]) == {}
    assert eforms_indicator_values([({}, None)])["eforms_green_value_share"] is None


# --- CSV ---------------------------------------------------------------------------------------

def test_csv_parser_dutch_excel_export():
    text = "\ufefforganisation_code;indicator_code;value;note\nGM0363;monitor_circular_share;0,42;eigen monitor\n\ngm0344;monitor_circular_share;1.234,5\n"
    parsed = csv_source.parse(text)
    assert parsed.ok and [(r.line, r.organisation_code, r.value, r.note) for r in parsed.rows] == [
        (2, "gm0363", 0.42, "eigen monitor"), (4, "gm0344", 1234.5, None)]
    assert csv_source.parse_number("1e-3") == 0.001 and csv_source.parse_number("12%") is None
    assert csv_source.parse_number("nan") is None and csv_source.parse_number("1,2,3") is None


def test_csv_every_bad_line_reported_and_nothing_written(edition):
    make_organisation("gm0363", "Gemeente Amsterdam", population=918_100)
    make_organisation("gm0344", "Gemeente Utrecht", population=368_000)
    commit()
    bad = ("organisation_code,indicator_code,value\n"
           "gm0363,monitor_circular_share,0.4\n"
           "gm9999,monitor_circular_share,0.3\n"          # unknown organisation
           "gm0344,bestaat_niet,0.3\n"                    # unknown indicator
           "gm0344,monitor_circular_share,veel\n"         # not a number
           "gm0344,eforms_circular_share,0.3\n"           # not a CSV indicator
           "gm0363,monitor_circular_share,0.5\n"          # duplicate of line 2
           "gm0344,monitor_circular_share,1.5\n")         # a share above 1
    before = (count(IndicatorValue), count(ImportReport))
    outcome = import_csv(None, edition, bad.encode(), "fout.csv")
    assert not outcome.ok
    assert [line.split(":")[0] for line in outcome.problems] == [
        "Regel 3", "Regel 4", "Regel 5", "Regel 6", "Regel 7", "Regel 8"]
    assert "gm9999" in outcome.problems[0] and "regel 2" in outcome.problems[4]
    assert "tussen 0 en 1" in outcome.problems[5]
    db.session.rollback()
    assert (count(IndicatorValue), count(ImportReport)) == before
    good = "organisation_code,indicator_code,value\ngm0363,monitor_circular_share,0.4\ngm0344,monitor_circular_share,\"0,25\"\n"
    outcome = import_csv(None, edition, good.encode("utf-8-sig"), "goed.csv")
    assert outcome.ok and (outcome.created, outcome.updated) == (2, 0)
    again = import_csv(None, edition, good.encode(), "goed.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.parametrize(("data", "fragment"), [
    (b"\xff\xfe\x00bad", "UTF-8"),
    (b"", "geen waarden"),
    (b"code,value\n", "ontbreken"),
    (b"organisation_code,indicator_code,value,extra\n", "onbekende kolom"),
    (b"organisation_code,indicator_code,value\ngm0363,monitor_circular_share,0.1,0.2\n", "meer waarden"),
])
def test_csv_file_level_problems(edition, data, fragment):
    make_organisation("gm0363", "Gemeente Amsterdam")
    outcome = import_csv(None, edition, data, "x.csv")
    assert not outcome.ok and fragment in outcome.problems[0]
