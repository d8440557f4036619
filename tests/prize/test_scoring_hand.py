"""A ranking computed by hand, number by number, following the rules in scoring.py's docstring.

Rubric: scale 1-10; criteria ambitie (weight 2), verankering (1), effect (1), so a juror's
total is (2*amb + ver + eff) / 4. Normalisation on (threshold 3), trim_from 5, benchmark
weight 0.3. One category, four nominations A-D, five jurors J1-J5.

Every literal below was worked out from the formulas in the comments, not read back from
the engine; the engine must agree to 1e-9.
"""

from math import sqrt

import krippendorff
import pytest

from mvi_community.prize.scoring import (
    Criterion,
    IncompleteSet,
    Nomination,
    Rules,
    Score,
    compute_results,
)

TOL = 1e-9

RULES = Rules(
    scale_min=1,
    scale_max=10,
    criteria=(Criterion("amb", 2), Criterion("ver", 1), Criterion("eff", 1)),
    normalise=True,
    min_scores_for_normalisation=3,
    trim_from=5,
    benchmark_weight=0.3,
)

NOMINATIONS = [
    Nomination("A", "gemeente", 60),
    Nomination("B", "gemeente", 70),
    Nomination("C", "gemeente", 80),
    Nomination("D", "gemeente", 50),
]

# (juror, nomination): (amb, ver, eff)  ->  total = (2*amb + ver + eff) / 4
SHEETS = {
    ("J1", "A"): (10, 8, 8),  # (20 + 8 + 8) / 4 = 36/4 = 9
    ("J1", "B"): (7, 8, 6),   # (14 + 8 + 6) / 4 = 28/4 = 7
    ("J1", "C"): (4, 6, 6),   # ( 8 + 6 + 6) / 4 = 20/4 = 5
    ("J1", "D"): (8, 6, 6),   # (16 + 6 + 6) / 4 = 28/4 = 7
    ("J2", "A"): (6, 7, 5),   # (12 + 7 + 5) / 4 = 24/4 = 6
    ("J2", "B"): (5, 4, 6),   # (10 + 4 + 6) / 4 = 20/4 = 5
    ("J2", "C"): (2, 4, 4),   # ( 4 + 4 + 4) / 4 = 12/4 = 3
    ("J2", "D"): (7, 5, 5),   # (14 + 5 + 5) / 4 = 24/4 = 6
    ("J3", "A"): (6, 6, 6),   # 24/4 = 6
    ("J3", "B"): (5, 7, 7),   # (10 + 7 + 7) / 4 = 6
    ("J3", "C"): (7, 5, 5),   # (14 + 5 + 5) / 4 = 6
    ("J3", "D"): (4, 8, 8),   # ( 8 + 8 + 8) / 4 = 6
    ("J4", "A"): (8, 9, 7),   # (16 + 9 + 7) / 4 = 32/4 = 8
    ("J4", "B"): (6, 5, 7),   # (12 + 5 + 7) / 4 = 24/4 = 6
    ("J4", "C"): (3, 5, 5),   # ( 6 + 5 + 5) / 4 = 16/4 = 4
    ("J5", "A"): (3, 2, 4),   # ( 6 + 2 + 4) / 4 = 12/4 = 3
    ("J5", "D"): (5, 6, 4),   # (10 + 6 + 4) / 4 = 20/4 = 5
}
# J5 scored B on ambitie and verankering only: an incomplete set, reported and not used.
INCOMPLETE = [Score("J5", "B", "amb", 9), Score("J5", "B", "ver", 8)]


def _scores():
    out = list(INCOMPLETE)
    for (juror, nom), values in SHEETS.items():
        out += [Score(juror, nom, c, v) for c, v in zip(("amb", "ver", "eff"), values, strict=True)]
    return out


@pytest.fixture(scope="module")
def result():
    return compute_results(RULES, NOMINATIONS, _scores())


# Step 1: raw totals (from SHEETS).
RAW = {
    "A": {"J1": 9.0, "J2": 6.0, "J3": 6.0, "J4": 8.0, "J5": 3.0},
    "B": {"J1": 7.0, "J2": 5.0, "J3": 6.0, "J4": 6.0},
    "C": {"J1": 5.0, "J2": 3.0, "J3": 6.0, "J4": 4.0},
    "D": {"J1": 7.0, "J2": 6.0, "J3": 6.0, "J5": 5.0},
}

# Step 2: per-juror mean and population sd over their totals in the category.
JUROR_STATS = {
    # juror: (count, mean, sd, normalised)
    "J1": (4, 7.0, 1.4142135623730951, True),   # 9,7,5,7: mean 28/4=7; var (4+0+4+0)/4=2; sd √2
    "J2": (4, 5.0, 1.224744871391589, True),    # 6,5,3,6: mean 20/4=5; var (1+0+4+1)/4=1.5
    "J3": (4, 6.0, 0.0, True),                  # 6,6,6,6: sd 0, so z = 0 throughout
    "J4": (3, 6.0, 1.632993161855452, True),    # 8,6,4: mean 6; var (4+0+4)/3=8/3 (threshold 3)
    "J5": (2, 4.0, 1.0, False),                 # 3,5: only 2 totals < 3, keeps raw totals
}
# All 17 totals: sum 28+20+24+18+8 = 98; sum of squares 204+106+144+116+34 = 604.
MU = 5.764705882352941      # 98/17
SIGMA = 1.5157763207911914  # sqrt(604/17 - (98/17)^2) = sqrt(664/289) = sqrt(664)/17

# adjusted = MU + SIGMA * z, z = (total - mean_j) / sd_j
ADJUSTED = {
    "A": {
        "J1": 7.908337312739835,   # z = 2/√2 = √2;         5.76470588 + 1.51577632*1.41421356
        "J2": 7.002332065730157,   # z = 1/√1.5 = 0.8164966; 5.76470588 + 1.23762624
        "J3": 5.764705882352941,   # z = 0 -> MU
        "J4": 7.6211451574187645,  # z = 2/√(8/3) = √1.5;    5.76470588 + 1.85643927
        "J5": 3.0,                 # not normalised: raw
    },
    "B": {"J1": MU, "J2": MU, "J3": MU, "J4": MU},  # every z is 0 (each at their mean)
    "C": {
        "J1": 3.6210744519660474,  # z = -√2
        "J2": 3.289453515598509,   # z = -2/√1.5 = -1.6329932
        "J3": 5.764705882352941,   # z = 0
        "J4": 3.9082666072871177,  # z = -√1.5
    },
    "D": {
        "J1": 5.764705882352941,   # z = 0
        "J2": 7.002332065730157,   # z = 1/√1.5
        "J3": 5.764705882352941,   # z = 0
        "J5": 5.0,                 # raw
    },
}

# Step 3: aggregates. A has 5 totals (= trim_from): drop J1 (7.908, highest) and J5
# (3.0, lowest), mean of J2, J3, J4. B, C, D have 4: plain mean.
AGGREGATE = {
    "A": 6.796061035167288,   # (7.00233207 + 5.76470588 + 7.62114516) / 3
    "B": 5.764705882352941,   # MU
    "C": 4.145875114301154,   # (3.62107445 + 3.28945352 + 5.76470588 + 3.90826661) / 4
    "D": 5.882935957609011,   # (5.76470588 + 7.00233207 + 5.76470588 + 5.0) / 4
}
# Step 4: jury = 100 * (aggregate - 1) / 9
JURY = {
    "A": 64.40067816852542,   # 100 * 5.79606104 / 9
    "B": 52.94117647058823,   # 100 * 4.76470588 / 9 = 900/17
    "C": 34.95416793667948,   # 100 * 3.14587511 / 9
    "D": 54.25484397343345,   # 100 * 4.88293596 / 9
}
# Step 5: combined = 0.7 * jury + 0.3 * benchmark
COMBINED = {
    "A": 63.08047471796779,   # 0.7*64.40067817 + 0.3*60 = 45.08047472 + 18
    "B": 58.05882352941176,   # 0.7*52.94117647 + 0.3*70 = 37.05882353 + 21
    "C": 48.46791755567564,   # 0.7*34.95416794 + 0.3*80 = 24.46791756 + 24
    "D": 52.97839078140341,   # 0.7*54.25484397 + 0.3*50 = 37.97839078 + 15
}
# Step 6: A 63.08 > B 58.06 > D 52.98 > C 48.47
RANK = {"A": 1, "B": 2, "D": 3, "C": 4}
MEDIAN = {"A": 6.0, "B": 6.0, "C": 4.5, "D": 6.0}  # sorted: 3,6,6,8,9 | 5,6,6,7 | 3,4,5,6 | 5,6,6,7
MEAN = {"A": 6.4, "B": 6.0, "C": 4.5, "D": 6.0}    # 32/5 | 24/4 | 18/4 | 24/4
# span >= 3: A 9-3=6 yes, B 7-5=2 no, C 6-3=3 yes (exactly), D 7-5=2 no
DISAGREEMENT = {"A": True, "B": False, "C": True, "D": False}

# Step 7, stability.
#   weight 0.2: A 0.8*64.40067817+12 = 63.52054253, B 0.8*52.94117647+14 = 56.35294118,
#               D 0.8*54.25484397+10 = 53.40387518, C 0.8*34.95416794+16 = 43.96333435
#               -> A 1, B 2, D 3, C 4
#   weight 0.4: A 0.6*64.40067817+24 = 62.64040690, B 0.6*52.94117647+28 = 59.76470588,
#               C 0.6*34.95416794+32 = 52.97250076, D 0.6*54.25484397+20 = 52.55290638
#               -> A 1, B 2, C 3, D 4
#   no normalisation: aggregates A (6+6+8)/3 = 6.6667 (trim 9 and 3), B 6, C 4.5, D 6;
#               jury 62.96296, 55.55556, 38.88889, 55.55556; combined 62.07407, 59.88889,
#               51.22222, 53.88889 -> A 1, B 2, D 3, C 4
STABILITY = {  # (rank at 0.2, rank at 0.4, rank unnormalised, stable)
    "A": (1, 1, 1, True),
    "B": (2, 2, 2, True),
    "C": (4, 3, 4, False),
    "D": (3, 4, 3, False),
}


def _close(a, b):
    return abs(a - b) <= TOL


def test_hand_constants_are_consistent():
    """Re-derive the irrational literals from their closed forms (guards the comments)."""
    assert _close(SIGMA, sqrt(664) / 17)
    assert _close(ADJUSTED["A"]["J1"], MU + SIGMA * sqrt(2))
    assert _close(ADJUSTED["A"]["J4"], MU + SIGMA * sqrt(1.5))
    assert _close(JURY["B"], 900 / 17)


def test_juror_totals_and_incomplete_set(result):
    assert result.incomplete == (IncompleteSet("J5", "B", ("eff",)),)
    assert result.categories["gemeente"].incomplete == result.incomplete
    for nom, totals in RAW.items():
        got = result.nominations[nom].raw_totals
        assert list(got) == sorted(totals)
        for juror, value in totals.items():
            assert _close(got[juror], value), (nom, juror)
        assert result.nominations[nom].jurors == len(totals)


def test_normalisation_statistics(result):
    cat = result.categories["gemeente"]
    assert _close(cat.mean, MU)
    assert _close(cat.sd, SIGMA)
    stats = {s.juror: s for s in cat.juror_stats}
    assert set(stats) == set(JUROR_STATS)
    for juror, (count, mean, sd, normalised) in JUROR_STATS.items():
        s = stats[juror]
        assert (s.count, s.normalised) == (count, normalised), juror
        assert _close(s.mean, mean) and _close(s.sd, sd), juror


def test_adjusted_totals(result):
    for nom, totals in ADJUSTED.items():
        got = result.nominations[nom].adjusted_totals
        assert set(got) == set(totals)
        for juror, value in totals.items():
            assert _close(got[juror], value), (nom, juror)


def test_aggregates_scores_and_ranks(result):
    for nom in "ABCD":
        r = result.nominations[nom]
        assert r.status == "ranked"
        assert r.trimmed is (nom == "A")
        assert _close(r.aggregate, AGGREGATE[nom]), nom
        assert _close(r.jury_score, JURY[nom]), nom
        assert r.benchmark_score == NOMINATIONS["ABCD".index(nom)].benchmark_total
        assert _close(r.combined_score, COMBINED[nom]), nom
        assert r.rank == RANK[nom]
        assert r.trail == ()
        assert _close(r.raw_median, MEDIAN[nom]) and _close(r.raw_mean, MEAN[nom])
        assert r.disagreement is DISAGREEMENT[nom]
    assert result.categories["gemeente"].ranking == ("A", "B", "D", "C")
    assert list(result.nominations) == ["A", "B", "D", "C"]


def test_stability(result):
    for nom, (minus, plus, unnorm, stable) in STABILITY.items():
        s = result.nominations[nom].stability
        assert _close(s.weight_minus, 0.2) and _close(s.weight_plus, 0.4)
        assert (s.rank_weight_minus, s.rank_weight_plus, s.rank_unnormalised, s.stable) == (
            minus, plus, unnorm, stable,
        ), nom


def test_krippendorff_alpha_by_hand(result):
    # Units with >= 2 totals: all four.  n = 17 values, SS (about the grand mean) = 664/17.
    #   A: 9,6,6,8,3  mean 6.4  SS_u = 6.76+0.16+0.16+2.56+11.56 = 21.2   m/(m-1) = 5/4
    #   B: 7,5,6,6    mean 6    SS_u = 2                                m/(m-1) = 4/3
    #   C: 5,3,6,4    mean 4.5  SS_u = 5                                4/3
    #   D: 7,6,6,5    mean 6    SS_u = 2                                4/3
    #   sum m/(m-1) SS_u = 26.5 + 4/3 * 9 = 38.5
    #   alpha = 1 - (n-1) * 38.5 / (n * SS) = 1 - 16 * 38.5 / 664 = 1 - 616/664 = 6/83
    expected = 0.07228915662650602  # 6/83
    assert _close(result.categories["gemeente"].krippendorff_alpha, expected)
    assert _close(result.krippendorff_alpha, expected)
    nan = float("nan")
    matrix = [  # jurors x nominations A-D
        [9, 7, 5, 7], [6, 5, 3, 6], [6, 6, 6, 6], [8, 6, 4, nan], [3, nan, nan, 5],
    ]
    assert _close(krippendorff.alpha(reliability_data=matrix, level_of_measurement="interval"),
                  expected)
