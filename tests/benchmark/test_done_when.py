"""Issue 5 "Done when", as users would do it, plus the spreadsheet comparison.

1. A coordinator creates edition 2024, uploads the eForms SDK samples and notices for Dutch
   buyers, a CSV with a deliberate bad row (refused, nothing written), then the corrected CSV,
   computes, inspects and publishes; a municipality's member sees its position, interval and
   weak indicators.
2. Totals and ranks of a small edition agree with a hand (spreadsheet) computation of the
   default pipeline: every expected number is a literal with its arithmetic in a comment.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mvi_community.benchmark import services
from mvi_community.benchmark.importers.values import import_csv
from mvi_community.benchmark.models import IndicatorValue, Result
from mvi_community.benchmark.sources.eforms import Buyer, Lot, generate_notice
from mvi_community.extensions import db
from tests.conftest import FreshContextClient, login, post_form
from tests.factories import commit, make_organisation, make_user

SAMPLES = Path(__file__).parent / "eforms_samples"
TOL = 1e-9

# (code, name, population, ambition: how many of its lots carry sustainability codes)
DUTCH = [
    ("gm0289", "Gemeente Wageningen", 40_500, 0.9),
    ("gm0216", "Gemeente Culemborg", 29_900, 0.2),
    ("gm0119", "Gemeente Meppel", 34_800, 0.5),
    ("gm0664", "Gemeente Goes", 39_100, 0.7),
    ("gm0281", "Gemeente Tiel", 42_900, 0.3),
    ("gm0301", "Gemeente Zutphen", 48_600, 0.6),
]


def _zip(files: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def _dutch_notices() -> dict[str, bytes]:
    files = {}
    for k, (code, name, _population, ambition) in enumerate(DUTCH):
        for n in range(4):
            green = n < round(ambition * 4)
            lots = [Lot("LOT-0001",
                        strategic_procurement=("env-imp",) if green else ("none",),
                        environmental_impact=("circ-econ", "clim-mitig") if green and n % 2 == 0 else
                        (("clim-mitig",) if green else ()),
                        social_objective=("opp",) if n == 3 else (),
                        gpp_criteria=("national",) if green else ())]
            files[f"{code}-{n}.xml"] = generate_notice(
                100 * k + n, buyers=[Buyer("ORG-0001", name, None, "NLD", "la")], lots=lots,
                procedure_id=f"{code}-proc-{n}", notice_id=f"{code}-{n}", issue_date=date(2024, 2 + n, 10))
    return files


def test_done_when_the_coordinator_journey(app):
    organisations = {code: make_organisation(code, name, population=population) for code, name, population, _ in DUTCH}
    make_user("secretariaat@example.nl", "Sanne", coordinator=True)
    make_user("inkoop@culemborg.example.nl", "Inkoper Culemborg", organisations["gm0216"])
    commit()
    app.test_client_class = FreshContextClient
    coordinator = app.test_client()
    login(coordinator, "secretariaat@example.nl")

    # a new edition with the default methodology (period 2023-01-01 .. 2024-12-31)
    assert post_form(coordinator, "/benchmark/beheer", {"year": "2024"}).status_code == 302
    url = "/benchmark/beheer/2024/import"

    # the SDK samples: read, foreign buyers listed as unmatched, the 2019 notice skipped
    sdk = _zip({p.name: p.read_bytes() for p in SAMPLES.glob("*.xml")})
    html = post_form(coordinator, url, {"notices-file": (sdk, "sdk-samples.zip")},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "ZenithNova Innovations" in html and "Overgeslagen (uitgegeven buiten de periode van de editie): 1" in html

    # notices for Dutch buyers, matched by name
    html = post_form(coordinator, url, {"notices-file": (_zip(_dutch_notices()), "nl.zip")},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "Aankondigingen gelezen: 24, nieuw: 24" in html and "Gemeente Culemborg" not in html

    # a CSV with a deliberate bad row: refused, nothing written
    written = db.session.scalar(select(func.count()).select_from(IndicatorValue))
    rows = "".join(f"{code};monitor_circular_share;0,{10 + 7 * k}\n" for k, (code, *_rest) in enumerate(DUTCH[:5]))
    bad = "organisation_code;indicator_code;value\n" + rows + "gm0301;monitor_circular_share;35%\n"
    html = post_form(coordinator, url, {"csv-file": (io.BytesIO(bad.encode()), "monitor.csv")},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "Regel 7: waarde 35% is geen getal." in html and "Er is niets opgeslagen" in html
    assert db.session.scalar(select(func.count()).select_from(IndicatorValue)) == written
    # the corrected CSV
    good = "organisation_code;indicator_code;value\n" + rows + "gm0301;monitor_circular_share;0,35\n"
    html = post_form(coordinator, url, {"csv-file": (io.BytesIO(good.encode()), "monitor.csv")},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "6 nieuwe en 0 gewijzigde waarden" in html

    # compute, inspect, publish
    response = post_form(coordinator, "/benchmark/beheer/2024/berekenen", {}, page="/benchmark/beheer/2024")
    assert response.status_code == 302 and response.headers["Location"].endswith("/benchmark/beheer/2024/inspectie")
    inspect = coordinator.get("/benchmark/beheer/2024/inspectie").get_data(as_text=True)
    assert "6 van 6 organisaties gerangschikt" in inspect and "Gemeente Culemborg" in inspect
    response = post_form(coordinator, "/benchmark/beheer/2024/publiceren", {"note": ""}, page="/benchmark/beheer/2024")
    assert response.status_code == 302
    assert services.find_edition(2024).state == "published"

    # the municipality's member: position, interval, weak indicators
    member = app.test_client()
    login(member, "inkoop@culemborg.example.nl")
    page = member.get("/benchmark/2024/organisaties/gm0216").get_data(as_text=True)
    result = db.session.scalar(select(Result).where(Result.organisation_id == organisations["gm0216"].id))
    assert result.status == "ranked" and result.peer_group == "gemeente-20-50k"
    position = re.search(r'<p class="bm-position">([^<]+)</p>', page).group(1)
    assert position.startswith(f"{result.rank_peer}e van 6")
    assert f"tussen {round(result.rank_peer_p05)}e en {round(result.rank_peer_p95)}e" in position \
        or "in alle doorrekeningen dezelfde plaats" in position
    weak = page.split('id="zwak"')[1].split("</section>")[0]
    assert weak.count("<li>") >= 1 and "onder de mediaan van de groep" in weak
    assert "Aandeel percelen gericht op circulaire economie" in page
    assert member.get("/benchmark/2024/organisaties/gm0289").status_code == 403


# --- the spreadsheet comparison ------------------------------------------------------------------

SMALL = {
    "period": {"start": "2024-01-01", "end": "2025-12-31"},
    "themes": [{"code": "circulair", "weight": 1.0}, {"code": "klimaat", "weight": 1.0}],
    "indicators": [
        {"code": "c1", "theme": "circulair", "direction": "higher", "weight": 1.0, "source": "csv", "unit": "share"},
        {"code": "c2", "theme": "circulair", "direction": "lower", "weight": 1.0, "source": "csv", "unit": "t"},
        {"code": "k1", "theme": "klimaat", "direction": "higher", "weight": 2.0, "source": "csv", "unit": "share"},
    ],
    # the default pipeline's options; min_coverage 0.6 so that 2 of 3 indicators (0.667) pass
    "screening": {"min_coverage": 0.6},
    "imputation": "peer_median", "outliers": "winsorise", "normalisation": "minmax",
    "aggregation": "arithmetic", "peer_groups": "type_size",
    "uncertainty": {"draws": 0, "seed": 1, "weight_noise": 0.25},
}

#        org   type        population   c1     c2    k1
# A  gm8001  gemeente         30,000   0.20   10    0.50
# B  gm8002  gemeente         40,000   0.40   30     –     (k1 imputed)
# C  gm8003  gemeente         45,000   0.60   20    0.10
# P  pv8001  provincie             –   0.30    –    0.70   (c2 imputed)
# Q  pv8002  provincie             –   0.10   40    0.90
# R  gm8004  gemeente         35,000   0.50    –     –     (coverage 1/3 < 0.6: insufficient_data)
CSV = """organisation_code,indicator_code,value
gm8001,c1,0.20
gm8001,c2,10
gm8001,k1,0.50
gm8002,c1,0.40
gm8002,c2,30
gm8003,c1,0.60
gm8003,c2,20
gm8003,k1,0.10
pv8001,c1,0.30
pv8001,k1,0.70
pv8002,c1,0.10
pv8002,c2,40
pv8002,k1,0.90
gm8004,c1,0.50
"""

# Step 3, imputation (peer median among the ranked organisations of the peer group):
#   B.k1 = median(A 0.50, C 0.10) = 0.30   (gemeente-20-50k; R is not ranked)
#   P.c2 = median(Q 40) = 40               (provincie)
# Step 4: 5 values per indicator, none skewed enough (|skew| < 2): nothing winsorised.
# Step 5, min-max over A, B, C, P, Q:
#   c1 (higher): min 0.10, max 0.60 → A 100·0.10/0.50 = 20, B 100·0.30/0.50 = 60, C 100, P 100·0.20/0.50 = 40, Q 0
#   c2 (lower):  min 10, max 40    → A 100·30/30 = 100, B 100·10/30 = 33.333…, C 100·20/30 = 66.666…, P 0, Q 0
#   k1 (higher): min 0.10, max 0.90 → A 100·0.40/0.80 = 50, B 100·0.20/0.80 = 25, C 0, P 100·0.60/0.80 = 75, Q 100
# Step 6, themes (weights 1, 1) and total (theme weights 1, 1):
#   circulair = (c1 + c2) / 2: A 60, B 46.666…, C 83.333…, P 20, Q 0
#   klimaat   = k1 (its weight 2 alone): A 50, B 25, C 0, P 75, Q 100
#   total     = (circulair + klimaat) / 2
EXPECTED = {
    # code:   (total,                         circulair,          klimaat, rank_overall, rank_peer, peer group)
    "gm8001": ((60 + 50) / 2,                 60.0,               50.0,    1, 1, "gemeente-20-50k"),   # 55
    "pv8002": ((0 + 100) / 2,                 0.0,                100.0,   2, 1, "provincie"),         # 50
    "pv8001": ((20 + 75) / 2,                 20.0,               75.0,    3, 2, "provincie"),         # 47.5
    "gm8003": ((250 / 3 + 0) / 2,             250 / 3,            0.0,     4, 2, "gemeente-20-50k"),   # 41.666…
    "gm8002": ((140 / 3 + 25) / 2,            140 / 3,            25.0,    5, 3, "gemeente-20-50k"),   # 35.833…
}


def test_totals_and_ranks_agree_with_a_spreadsheet(app):
    for code, name, type_, population in [("gm8001", "Gemeente A", "gemeente", 30_000),
                                          ("gm8002", "Gemeente B", "gemeente", 40_000),
                                          ("gm8003", "Gemeente C", "gemeente", 45_000),
                                          ("gm8004", "Gemeente R", "gemeente", 35_000),
                                          ("pv8001", "Provincie P", "provincie", None),
                                          ("pv8002", "Provincie Q", "provincie", None)]:
        make_organisation(code, name, type=type_, population=population)
    edition = services.create_edition(None, 2025, SMALL)
    assert import_csv(None, edition, CSV.encode(), "klein.csv").ok
    version = services.compute_edition(None, edition)
    commit()
    results = {r.organisation.code: r for r in db.session.scalars(select(Result).where(Result.version_id == version.id))}
    for code, (total, circulair, klimaat, rank_overall, rank_peer, group) in EXPECTED.items():
        r = results[code]
        assert r.status == "ranked" and r.peer_group == group
        assert r.total == pytest.approx(total, abs=TOL)
        assert r.theme_scores["circulair"] == pytest.approx(circulair, abs=TOL)
        assert r.theme_scores["klimaat"] == pytest.approx(klimaat, abs=TOL)
        assert (r.rank_overall, r.rank_peer) == (rank_overall, rank_peer)
    assert results["gm8002"].imputed == ["k1"] and results["pv8001"].imputed == ["c2"]
    assert results["gm8002"].normalised["c2"] == pytest.approx(100 / 3, abs=TOL)
    r = results["gm8004"]
    assert (r.status, r.total, r.rank_overall, r.theme_scores) == ("insufficient_data", None, None, {})
    assert r.coverage == pytest.approx(1 / 3)
    assert version.aggregates["winsorised"] == []
    # the group median of the totals (gemeente-20-50k: 35.833…, 41.666…, 55) is C's total
    assert version.aggregates["peer_groups"]["gemeente-20-50k"]["total"]["median"] == pytest.approx((250 / 3) / 2, abs=TOL)
