"""A published ranking reproduced by hand from the rules of issue 6, through the product:
`flask prize import-edition`, `flask prize import-scores`, publication, `flask prize results`
and the API.

Edition 2026: scale 1–10, criteria ambitie (weight 2) and effect (weight 1), so a juror's
total is (2·ambitie + effect) / 3. Normalisation on (threshold 3), trim_from 5 (three jurors:
no trimming), benchmark weight 0.3. Nominees with benchmark totals A = gm0344 (60),
B = pv27 (80), C = ws0661 (40).

Step 1, totals (2a + e)/3:
    J1: A (8,8) → 24/3 = 8   B (5,8) → 18/3 = 6   C (4,4) → 12/3 = 4
    J2: A (9,6) → 24/3 = 8   B (6,6) → 18/3 = 6   C (3,6) → 12/3 = 4
    J3: A (6,6) → 18/3 = 6   B (4,4) → 12/3 = 4   C (1,4) →  6/3 = 2
Step 2, normalisation. Each juror has 3 totals (≥ threshold):
    J1, J2: mean 6, population sd √((4 + 0 + 4)/3) = √(8/3);  J3: mean 4, same sd.
    z(A) = 2/√(8/3) = √(3/2), z(B) = 0, z(C) = −√(3/2) for every juror.
    All nine totals {8,6,4, 8,6,4, 6,4,2}: μ = 48/9 = 16/3;
    squared deviations (8/3)²·2 + (2/3)²·3 + (4/3)²·3 + (10/3)²·1 = (128 + 12 + 48 + 100)/9 = 32,
    σ² = 32/9, σ = 4√2/3.  σ·√(3/2) = (4√2/3)·√3/√2 = 4√3/3.
    adjusted A = 16/3 + 4√3/3,  B = 16/3,  C = 16/3 − 4√3/3 (the same for all three jurors).
Step 3, aggregate = that value (mean of three equal values, no trimming).
Step 4, jury = 100·(aggregate − 1)/9:
    A = 100·(13/3 + 4√3/3)/9 = 100·(13 + 4√3)/27 ≈ 73.80816
    B = 100·(13/3)/9 = 1300/27 ≈ 48.14815
    C = 100·(13 − 4√3)/27 ≈ 22.48815
Step 5, combined = 0.7·jury + 0.3·benchmark:
    A = 0.7·73.80816 + 18 ≈ 69.66571;  B = 0.7·48.14815 + 24 ≈ 57.70370;  C = 0.7·22.48815 + 12 ≈ 27.74171
Step 6, ranks: A 1, B 2, C 3 (no ties).
Raw means: A = 22/3 ≈ 7.3333, B = 16/3 ≈ 5.3333, C = 10/3 ≈ 3.3333.
Step 7: spans A 2, B 2, C 2 (< 3): no disagreement. Stability: benchmark weight 0.2 or 0.4 and
no normalisation keep A > B > C (e.g. weight 0.4 → A 0.6·73.81+24 = 68.28, B 0.6·48.15+32 = 60.89,
C 0.6·22.49+16 = 29.49; unnormalised jury A = 100·(22/3−1)/9 = 70.37 → 0.7·70.37+18 = 67.26,
B 100·(16/3−1)/9 = 48.15 → 57.70, C 25.93 → 0.7·25.93+12 = 30.15): all stable.
"""
from __future__ import annotations

import csv
import io
import json
from math import sqrt

import pytest
from sqlalchemy import func, select

from mvi_community.extensions import db
from mvi_community.prize.models import PrizeEdition, PrizeScore
from mvi_community.prize.services.editions import publish
from tests.api.test_api import check, spec  # noqa: F401  (the fixture)
from tests.factories import commit, make_organisation, make_user
from tests.prize.factories import make_benchmark

SHEETS = {
    "j1@example.nl": {"gm0344": (8, 8), "pv27": (5, 8), "ws0661": (4, 4)},
    "j2@example.nl": {"gm0344": (9, 6), "pv27": (6, 6), "ws0661": (3, 6)},
    "j3@example.nl": {"gm0344": (6, 6), "pv27": (4, 4), "ws0661": (1, 4)},
}
JURY = {"gm0344": 100 * (13 + 4 * sqrt(3)) / 27, "pv27": 1300 / 27, "ws0661": 100 * (13 - 4 * sqrt(3)) / 27}
BENCH = {"gm0344": 60.0, "pv27": 80.0, "ws0661": 40.0}
COMBINED = {code: 0.7 * JURY[code] + 0.3 * BENCH[code] for code in JURY}
RAW_MEAN = {"gm0344": 22 / 3, "pv27": 16 / 3, "ws0661": 10 / 3}

DOCUMENT = {
    "year": 2026, "title": "MVI-prijs 2026", "benchmark_edition": 2025, "benchmark_weight": 0.3,
    "scale": {"min": 1, "max": 10}, "normalise": True, "min_scores_for_normalisation": 3, "trim_from": 5,
    "criteria": [{"code": "ambitie", "name": "Ambitie", "weight": 2}, {"code": "effect", "name": "Effect", "weight": 1}],
    "jurors": [{"email": "j1@example.nl", "name": "Juror Een", "organisation_code": "pv26"},
               {"email": "j2@example.nl", "name": "Juror Twee"},
               {"email": "j3@example.nl", "name": "Juror Drie"}],
    "nominations": [{"organisation_code": "gm0344", "category": "medeoverheden", "motivation": "Circulair bouwen."},
                    {"organisation_code": "pv27", "category": "medeoverheden", "motivation": "Social return."},
                    {"organisation_code": "ws0661", "category": "medeoverheden", "motivation": "Klimaatneutraal."}],
}


@pytest.fixture()
def organisations(app):
    orgs = {
        "gm0344": make_organisation("gm0344", "Gemeente Utrecht"),
        "pv27": make_organisation("pv27", "Provincie Noord-Holland", type="provincie"),
        "ws0661": make_organisation("ws0661", "Hoogheemraadschap van Rijnland", type="waterschap"),
        "pv26": make_organisation("pv26", "Provincie Utrecht", type="provincie"),
        "rws": make_organisation("rws", "Rijkswaterstaat", type="uitvoeringsorganisatie"),
    }
    make_benchmark({orgs[c]: BENCH[c] for c in BENCH})
    make_user("coordinator@example.nl", coordinator=True)
    commit()
    return orgs


def run(app, tmp_path, args, content=None, name="input"):
    if content is not None:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        args = [a if a != "FILE" else str(path) for a in args]
    return app.test_cli_runner().invoke(args=args)


def scores_csv(sheets=SHEETS) -> str:
    lines = ["juror_email,organisation_code,criterion_code,score,comment"]
    for email, sheet in sheets.items():
        for code, (ambitie, effect) in sheet.items():
            lines += [f"{email},{code},ambitie,{ambitie},", f"{email},{code},effect,{effect},papieren sessie"]
    return "\n".join(lines) + "\n"


def test_published_ranking_matches_the_hand_computation(app, organisations, tmp_path, spec, client):  # noqa: F811
    result = run(app, tmp_path, ["prize", "import-edition", "FILE"], json.dumps(DOCUMENT), "edition.json")
    assert result.exit_code == 0, result.output
    result = run(app, tmp_path, ["prize", "import-scores", "--edition", "2026", "FILE"], scores_csv(), "scores.csv")
    assert result.exit_code == 0, result.output
    assert "18 created" in result.output
    edition = db.session.scalar(select(PrizeEdition).where(PrizeEdition.year == 2026))
    assert edition.phase == "archive"
    # not public before publication
    assert client.get("/api/v1/prize/editions/2026/results").status_code == 404
    from mvi_community.accounts.models import User

    publish(db.session.scalar(select(User).where(User.is_coordinator.is_(True))), edition)
    commit()

    out = tmp_path / "results.csv"
    result = run(app, tmp_path, ["prize", "results", "--edition", "2026", "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["organisation_code", "organisation_name", "category", "jurors", "raw_mean",
                             "jury_score", "benchmark_score", "combined_score", "rank"]
    assert [(r["organisation_code"], r["rank"]) for r in rows] == [("gm0344", "1"), ("pv27", "2"), ("ws0661", "3")]
    for row in rows:
        code = row["organisation_code"]
        assert row["jurors"] == "3"
        assert float(row["raw_mean"]) == pytest.approx(RAW_MEAN[code], abs=1e-4)
        assert float(row["jury_score"]) == pytest.approx(JURY[code], abs=1e-4)
        assert float(row["combined_score"]) == pytest.approx(COMBINED[code], abs=1e-4)
        assert float(row["benchmark_score"]) == BENCH[code]
    assert JURY["gm0344"] == pytest.approx(73.80816, abs=1e-5) and COMBINED["gm0344"] == pytest.approx(69.66571, abs=1e-5)

    result = run(app, tmp_path, ["prize", "results", "--edition", "2026", "--format", "json"])
    document = json.loads(result.output)
    assert document["krippendorff_alpha"] is not None
    first = document["nominations"][0]
    assert first["organisation_code"] == "gm0344" and first["stability"]["stable"] is True
    # per-juror normalised totals: 16/3 + 4√3/3 for A, whoever the juror
    assert {t["juror"] for t in first["juror_totals"]} == set(SHEETS)
    for total in first["juror_totals"]:
        assert total["normalised_total"] == pytest.approx(16 / 3 + 4 * sqrt(3) / 3, abs=1e-6)
    assert all(n["disagreement"] is False for n in document["nominations"])

    body = check(spec, client, "/api/v1/prize/editions").get_json()
    assert [e["year"] for e in body["items"]] == [2026]
    body = check(spec, client, "/api/v1/prize/editions/2026/results").get_json()
    assert body["winners"] == ["gm0344"]
    assert [(r["organisation_code"], r["rank"]) for r in body["results"]] == [("gm0344", 1), ("pv27", 2), ("ws0661", 3)]
    assert body["results"][1]["combined_score"] == pytest.approx(COMBINED["pv27"], abs=1e-4)
    # the public report page shows the same winner
    page = client.get("/prize/2026/uitslag").get_data(as_text=True)
    assert "Gemeente Utrecht" in page and "69,67" in page  # Dutch decimal comma
    # published: score import is refused
    result = run(app, tmp_path, ["prize", "import-scores", "--edition", "2026", "FILE"], scores_csv(), "again.csv")
    assert result.exit_code == 1 and "gepubliceerd" in result.output


def test_import_edition_refused_whole_with_every_problem(app, organisations, tmp_path):
    bad = dict(DOCUMENT)
    bad["criteria"] = [{"code": "ambitie", "weight": 0}, {"code": "effect", "weight": -1}]
    bad["nominations"] = DOCUMENT["nominations"] + [
        {"organisation_code": "rws", "motivation": "x"}, {"organisation_code": "gm9999", "motivation": "x"},
        {"organisation_code": "pv26", "motivation": "geen benchmark"}]
    result = run(app, tmp_path, ["prize", "import-edition", "FILE"], json.dumps(bad), "bad.json")
    assert result.exit_code == 1
    output = result.output
    for expected in ("criteria[1] ambitie: het gewicht moet een getal > 0 zijn", "criteria[2] effect: het gewicht",
                     "nominations[4] rws: niet verkiesbaar: Rijkswaterstaat is een uitvoeringsorganisatie",
                     "nominations[5]: onbekende organisatie gm9999",
                     "nominations[6] pv26: niet verkiesbaar: Provincie Utrecht heeft geen gerangschikt resultaat",
                     "Nothing imported: 6 problem(s)"):
        assert expected in output, output
    assert db.session.scalar(select(func.count(PrizeEdition.id))) == 0


def test_import_scores_reports_every_bad_row_and_writes_nothing(app, organisations, tmp_path):
    assert run(app, tmp_path, ["prize", "import-edition", "FILE"], json.dumps(DOCUMENT), "e.json").exit_code == 0
    bad_rows = [
        "onbekend@example.nl,gm0344,ambitie,5,",  # line 20: unknown juror
        "j1@example.nl,gm0014,ambitie,5,",  # line 21: not nominated
        "j1@example.nl,gm0344,lef,5,",  # line 22: unknown criterion
        "j2@example.nl,gm0344,ambitie,11,",  # line 23: off the scale
        "j1@example.nl,pv27,ambitie,7,",  # line 24: duplicate of line 4
    ]
    text = scores_csv() + "".join(row + "\n" for row in bad_rows)
    result = run(app, tmp_path, ["prize", "import-scores", "--edition", "2026", "FILE"], text, "s.csv")
    assert result.exit_code == 1
    for line in ("Regel 20:", "Regel 21:", "Regel 22:", "Regel 23:", "Regel 24:"):
        assert line in result.output, result.output
    assert "Nothing imported: 5 problem(s)" in result.output
    assert db.session.scalar(select(func.count(PrizeScore.id))) == 0


def test_import_scores_refuses_a_conflicted_juror(app, organisations, tmp_path):
    document = dict(DOCUMENT)
    document["jurors"] = DOCUMENT["jurors"] + [{"email": "nh@example.nl", "name": "NH", "organisation_code": "pv27"}]
    assert run(app, tmp_path, ["prize", "import-edition", "FILE"], json.dumps(document), "e.json").exit_code == 0
    text = "juror_email,organisation_code,criterion_code,score\nnh@example.nl,pv27,ambitie,9\n"
    result = run(app, tmp_path, ["prize", "import-scores", "--edition", "2026", "FILE"], text, "s.csv")
    assert result.exit_code == 1 and "Regel 2:" in result.output and "belangenconflict" in result.output
    assert db.session.scalar(select(func.count(PrizeScore.id))) == 0
