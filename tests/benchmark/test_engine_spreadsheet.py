"""A hand-computed edition: every expected number below is worked out in the comments the
way a spreadsheet would do it, and compared to the engine with a 1e-9 tolerance.

Six organisations, two themes, four indicators:

    org  type       population  peer group         k1 (hi)  k2 (lo)  s1 (hi)  s2 (hi)
    A    gemeente       30,000  gemeente-20-50k       40       12       70       50
    B    gemeente       45,000  gemeente-20-50k       60        8       30        -
    C    gemeente      120,000  gemeente-100k+        20       20       50       80
    D    gemeente      150,000  gemeente-100k+        80       10       90       20
    E    provincie           -  provincie              -       16       60       40
    F    gemeente       25,000  gemeente-20-50k        -        -        -      100

Themes: klimaat (weight 2) = k1 (w 1), k2 (w 1, lower is better);
        sociaal (weight 1) = s1 (w 2), s2 (w 1).
min_coverage 0.667, imputation peer_median, outliers none, minmax, arithmetic.
"""

from __future__ import annotations

import math

import pytest

from mvi_community.benchmark.engine import Methodology, Organisation, compute

TOL = 1e-9

METHODOLOGY = {
    "period": {"start": "2024-01-01", "end": "2025-12-31"},
    "themes": [{"code": "klimaat", "weight": 2.0}, {"code": "sociaal", "weight": 1.0}],
    "indicators": [
        {"code": "k1", "theme": "klimaat", "direction": "higher", "weight": 1.0,
         "source": "eforms", "name_nl": "Aandeel klimaatgerichte aanbestedingen",
         "name_en": "Share of climate-oriented tenders", "unit": "%"},
        {"code": "k2", "theme": "klimaat", "direction": "lower", "weight": 1.0,
         "source": "csv", "unit": "t CO2e / fte"},
        {"code": "s1", "theme": "sociaal", "direction": "higher", "weight": 2.0,
         "source": "eforms"},
        {"code": "s2", "theme": "sociaal", "direction": "higher", "weight": 1.0,
         "source": "platform"},
    ],
    "screening": {"min_coverage": 0.667},
    "imputation": "peer_median", "outliers": "none", "normalisation": "minmax",
    "aggregation": "arithmetic", "peer_groups": "type_size",
    "uncertainty": {"draws": 0, "seed": 1, "weight_noise": 0.25},
}

ORGS = [Organisation("A", "gemeente", 30_000), Organisation("B", "gemeente", 45_000),
        Organisation("C", "gemeente", 120_000), Organisation("D", "gemeente", 150_000),
        Organisation("E", "provincie"), Organisation("F", "gemeente", 25_000)]

VALUES = {
    ("A", "k1"): 40, ("A", "k2"): 12, ("A", "s1"): 70, ("A", "s2"): 50,
    ("B", "k1"): 60, ("B", "k2"): 8, ("B", "s1"): 30,
    ("C", "k1"): 20, ("C", "k2"): 20, ("C", "s1"): 50, ("C", "s2"): 80,
    ("D", "k1"): 80, ("D", "k2"): 10, ("D", "s1"): 90, ("D", "s2"): 20,
    ("E", "k2"): 16, ("E", "s1"): 60, ("E", "s2"): 40,
    ("F", "s2"): 100,
}

# --- Screening: coverage = values / 4.  A, C, D: 4/4 = 1; B, E: 3/4 = 0.75 >= 0.667;
#     F: 1/4 = 0.25 < 0.667 -> insufficient_data.
COVERAGE = {"A": 1.0, "B": 0.75, "C": 1.0, "D": 1.0, "E": 0.75, "F": 0.25}

# --- Imputation (peer median among the *screened* A-E):
#     B.s2: peers in gemeente-20-50k with s2 = {A: 50} (F is not screened, its 100 is
#           ignored) -> median = 50.
#     E.k1: peer group provincie has no k1 -> all screened k1 = {20, 40, 60, 80}
#           -> median = (40 + 60) / 2 = 50.
TREATED = {
    "A": {"k1": 40, "k2": 12, "s1": 70, "s2": 50},
    "B": {"k1": 60, "k2": 8, "s1": 30, "s2": 50},
    "C": {"k1": 20, "k2": 20, "s1": 50, "s2": 80},
    "D": {"k1": 80, "k2": 10, "s1": 90, "s2": 20},
    "E": {"k1": 50, "k2": 16, "s1": 60, "s2": 40},
}

# --- Min-max over A-E:
#     k1: min 20, max 80, range 60: A 100*20/60, B 100*40/60, C 0, D 100, E 100*30/60
#     k2 (lower): min 8, max 20, range 12, 100*(20 - x)/12:
#         A 100*8/12, B 100, C 0, D 100*10/12, E 100*4/12
#     s1: min 30, max 90, range 60: A 100*40/60, B 0, C 100*20/60, D 100, E 100*30/60
#     s2: min 20, max 80, range 60: A 100*30/60, B 100*30/60, C 100, D 0, E 100*20/60
NORMALISED = {
    "A": {"k1": 33.333333333333336, "k2": 66.66666666666667, "s1": 66.66666666666667,
          "s2": 50.0},
    "B": {"k1": 66.66666666666667, "k2": 100.0, "s1": 0.0, "s2": 50.0},
    "C": {"k1": 0.0, "k2": 0.0, "s1": 33.333333333333336, "s2": 100.0},
    "D": {"k1": 100.0, "k2": 83.33333333333334, "s1": 100.0, "s2": 0.0},
    "E": {"k1": 50.0, "k2": 33.333333333333336, "s1": 50.0, "s2": 33.333333333333336},
}

# --- Theme scores: klimaat = (k1 + k2) / 2; sociaal = (2*s1 + s2) / 3
#     A: klimaat (33.333 + 66.667)/2 = 50;        sociaal (133.333 + 50)/3 = 550/9
#     B: klimaat (66.667 + 100)/2 = 250/3;        sociaal (0 + 50)/3 = 50/3
#     C: klimaat (0 + 0)/2 = 0;                   sociaal (66.667 + 100)/3 = 500/9
#     D: klimaat (100 + 83.333)/2 = 275/3;        sociaal (200 + 0)/3 = 200/3
#     E: klimaat (50 + 33.333)/2 = 125/3;         sociaal (100 + 33.333)/3 = 400/9
THEMES = {
    "A": {"klimaat": 50.0, "sociaal": 61.111111111111114},
    "B": {"klimaat": 83.33333333333333, "sociaal": 16.666666666666668},
    "C": {"klimaat": 0.0, "sociaal": 55.55555555555556},
    "D": {"klimaat": 91.66666666666667, "sociaal": 66.66666666666667},
    "E": {"klimaat": 41.66666666666667, "sociaal": 44.44444444444444},
}

# --- Total = (2*klimaat + 1*sociaal) / 3
#     A: (100 + 550/9)/3 = 1450/27 = 53.7037...
#     B: (500/3 + 50/3)/3 = 550/9 = 61.1111...
#     C: (0 + 500/9)/3 = 500/27 = 18.5185...
#     D: (550/3 + 200/3)/3 = 250/3 = 83.3333...
#     E: (250/3 + 400/9)/3 = 1150/27 = 42.5926...
TOTALS = {"A": 1450 / 27, "B": 550 / 9, "C": 500 / 27, "D": 250 / 3, "E": 1150 / 27}

# --- Ranks: overall D 83.33 > B 61.11 > A 53.70 > E 42.59 > C 18.52
#     peer: gemeente-20-50k {B 1, A 2}; gemeente-100k+ {D 1, C 2}; provincie {E 1}
RANK_OVERALL = {"D": 1, "B": 2, "A": 3, "E": 4, "C": 5}
RANK_PEER = {"A": 2, "B": 1, "C": 2, "D": 1, "E": 1}
PEER = {"A": ("gemeente-20-50k", 2), "B": ("gemeente-20-50k", 2),
        "C": ("gemeente-100k+", 2), "D": ("gemeente-100k+", 2), "E": ("provincie", 1),
        "F": ("gemeente-20-50k", 2)}


@pytest.fixture(scope="module")
def result():
    return compute(ORGS, Methodology.from_dict(METHODOLOGY), VALUES)


def test_screening(result):
    for code, cov in COVERAGE.items():
        o = result.by_code[code]
        assert o.coverage == pytest.approx(cov, abs=TOL)
        assert o.status == ("insufficient_data" if code == "F" else "ranked")
        assert (o.peer_group, o.peer_group_size) == PEER[code]
    f = result.by_code["F"]
    assert f.total is None and f.rank_overall is None and f.rank_peer is None
    assert f.raw == {"k1": None, "k2": None, "s1": None, "s2": 100.0}


def test_imputed_and_treated_values(result):
    for code, row in TREATED.items():
        o = result.by_code[code]
        for ind, value in row.items():
            assert o.treated[ind] == pytest.approx(value, abs=TOL)
    flagged = {(c, i) for c in TREATED for i, f in result.by_code[c].imputed.items() if f}
    assert flagged == {("B", "s2"), ("E", "k1")}
    assert result.by_code["B"].raw["s2"] is None


def test_normalised_values(result):
    for code, row in NORMALISED.items():
        for ind, value in row.items():
            assert result.by_code[code].normalised[ind] == pytest.approx(value, abs=TOL)


def test_theme_scores_and_totals(result):
    for code, row in THEMES.items():
        o = result.by_code[code]
        for theme, value in row.items():
            assert o.theme_scores[theme] == pytest.approx(value, abs=TOL)
        assert o.total == pytest.approx(TOTALS[code], abs=TOL)


def test_ranks(result):
    for code in TOTALS:
        o = result.by_code[code]
        assert o.rank_overall == RANK_OVERALL[code]
        assert o.rank_peer == RANK_PEER[code]


def test_edition_aggregates(result):
    # totals sorted: 18.5185 (C), 42.5926 (E), 53.7037 (A), 61.1111 (B), 83.3333 (D);
    # QUARTILE.INC on 5 values: q1 = 2nd value, median = 3rd, q3 = 4th.
    s = result.overall.total
    assert (s.n, s.min, s.q1, s.median, s.q3, s.max) == pytest.approx(
        (5, 500 / 27, 1150 / 27, 1450 / 27, 550 / 9, 250 / 3), abs=TOL)
    # gemeente-20-50k: A 53.7037, B 61.1111 -> median = (1450/27 + 550/9) / 2
    g = result.peer_groups["gemeente-20-50k"]
    assert (g.n_population, g.n_ranked) == (3, 2)
    assert g.total.median == pytest.approx((1450 / 27 + 550 / 9) / 2, abs=TOL)
    # k1 observed among ranked: 20, 40, 60, 80 -> QUARTILE.INC: q1 = 20 + 0.75*20 = 35,
    # median 50, q3 = 60 + 0.25*20 = 65; one imputed value (E)
    k1 = result.indicators["k1"]
    assert (k1.n_observed, k1.n_imputed) == (4, 1)
    assert (k1.raw.q1, k1.raw.median, k1.raw.q3) == pytest.approx((35, 50, 65), abs=TOL)


def test_geometric_variant():
    """The same edition with geometric aggregation: normalised values floored at 1."""
    m = Methodology.from_dict({**METHODOLOGY, "aggregation": "geometric"})
    r = compute(ORGS, m, VALUES).by_code
    g = math.sqrt  # two equal weights: geometric mean = sqrt(a*b)
    # klimaat = sqrt(k1 * k2); sociaal = (s1^2 * s2)^(1/3); total = (klimaat^2 * sociaal)^(1/3)
    klimaat = {"A": g(100 / 3 * 200 / 3), "B": g(200 / 3 * 100), "C": g(1 * 1),
               "D": g(100 * 250 / 3), "E": g(50 * 100 / 3)}
    sociaal = {"A": ((200 / 3) ** 2 * 50) ** (1 / 3), "B": (1 * 1 * 50) ** (1 / 3),
               "C": ((100 / 3) ** 2 * 100) ** (1 / 3), "D": (100 * 100 * 1) ** (1 / 3),
               "E": (50 * 50 * 100 / 3) ** (1 / 3)}
    for code in TOTALS:
        total = (klimaat[code] ** 2 * sociaal[code]) ** (1 / 3)
        assert r[code].theme_scores["klimaat"] == pytest.approx(klimaat[code], abs=TOL)
        assert r[code].theme_scores["sociaal"] == pytest.approx(sociaal[code], abs=TOL)
        assert r[code].total == pytest.approx(total, abs=TOL)
    # klimaat / sociaal / total:
    #   A 47.1405 / 60.5707 / 51.2488     B 81.6497 /  3.6840 / 29.0677
    #   C  1.0000 / 48.0750 /  3.6361     D 91.2871 / 21.5443 / 56.4136
    #   E 40.8248 / 43.6790 / 41.7549     -> D > A > E > B > C
    assert r["D"].total == pytest.approx(56.41362782968565, abs=TOL)
    order = sorted(TOTALS, key=lambda c: -r[c].total)
    assert order == ["D", "A", "E", "B", "C"]
    assert [r[c].rank_overall for c in order] == [1, 2, 3, 4, 5]


def test_winsorisation_by_hand():
    """Ten organisations, one indicator 1..9 and 100.

    Excel: SKEW(1..9, 100) = 3.11890 >= 2 and KURT(...) = 9.79924 >= 3.5 -> fails; the
    skew is positive, so the maximum 100 becomes the next largest value 9.  Then
    SKEW(1..9, 9) = -0.15146 -> passes; one value winsorised.  Min-max on 1..9, 9:
    100 (x - 1) / 8, so the winsorised organisation scores 100 and '5' scores 50.
    """
    m = Methodology.from_dict({
        **METHODOLOGY, "outliers": "winsorise", "peer_groups": "type",
        "themes": [{"code": "klimaat", "weight": 1.0}],
        "indicators": [METHODOLOGY["indicators"][0]]})
    orgs = [Organisation(f"o{v}", "rijk") for v in range(1, 11)]
    values = {(f"o{v}", "k1"): float(v if v < 10 else 100) for v in range(1, 11)}
    r = compute(orgs, m, values)
    [w] = r.winsorised
    assert (w.organisation, w.original, w.treated, w.side, w.step) == ("o10", 100, 9, "high", 1)
    assert r.indicators["k1"].skewness == pytest.approx(3.11889574523909, abs=TOL)
    assert r.indicators["k1"].kurtosis == pytest.approx(9.79924471616366, abs=TOL)
    assert r.indicators["k1"].skewness_treated == pytest.approx(-0.151463107082959, abs=TOL)
    assert r.by_code["o10"].normalised["k1"] == 100.0
    assert r.by_code["o9"].normalised["k1"] == 100.0
    assert r.by_code["o5"].normalised["k1"] == pytest.approx(50.0, abs=TOL)
    assert r.by_code["o10"].rank_overall == r.by_code["o9"].rank_overall == 1
    assert r.by_code["o8"].rank_overall == 3
