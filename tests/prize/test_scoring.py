"""Unit and property tests for the jury-scoring engine (mvi_community/prize/scoring.py)."""

import ast
import random
from decimal import Decimal
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mvi_community.prize import scoring
from mvi_community.prize.scoring import (
    Criterion,
    IncompleteSet,
    Nomination,
    Rules,
    Score,
    ScoringError,
    compute_results,
    krippendorff_interval_alpha,
)

TOL = 1e-9
NAN = float("nan")


def rules(**kw):
    """One criterion of weight 1 on a 0-10 scale, so a juror's total is their score."""
    base = {"scale_min": 0, "scale_max": 10, "criteria": (Criterion("c", 1),), "normalise": False}
    base.update(kw)
    return Rules(**base)


def run(totals, bench=None, category=None, tie_decisions=(), **kw):
    """totals: {nomination: {juror: score}} with the single criterion 'c'."""
    bench = bench or {}
    category = category or {}
    noms = [Nomination(n, category.get(n, "cat"), bench.get(n, 50)) for n in totals]
    scores = [Score(j, n, "c", v) for n, row in totals.items() for j, v in row.items()]
    return compute_results(rules(**kw), noms, scores, tie_decisions)


def ranks(result):
    return {n: r.rank for n, r in result.nominations.items()}


# --------------------------------------------------------------------------- purity


def test_engine_imports_neither_flask_nor_sqlalchemy():
    tree = ast.parse(Path(scoring.__file__).read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    assert not names & {"flask", "flask_sqlalchemy", "sqlalchemy", "mvi_community"}


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "kw, fragment",
    [
        ({"scale_min": 5, "scale_max": 5}, "scale_min"),
        ({"criteria": ()}, "at least one criterion"),
        ({"criteria": (Criterion("a", 1), Criterion("a", 2))}, "unique"),
        ({"criteria": (Criterion("a", 0),)}, "weight"),
        ({"criteria": (Criterion("a", float("nan")),)}, "weight"),
        ({"benchmark_weight": 1.5}, "benchmark_weight"),
        ({"min_scores_for_normalisation": 1}, "min_scores_for_normalisation"),
        ({"trim_from": 2}, "trim_from"),
        ({"normalise": 1}, "normalise"),
    ],
)
def test_invalid_rules(kw, fragment):
    with pytest.raises(ScoringError, match=fragment):
        rules(**kw)


def test_missing_benchmark_total_is_an_error():
    with pytest.raises(ScoringError, match="eligibility requires a ranked benchmark") as err:
        compute_results(rules(), [Nomination("a", "x", None), Nomination("b", "x", None)], [])
    assert len(err.value.problems) == 2


@pytest.mark.parametrize(
    "noms, fragment",
    [
        ([Nomination("a", "x", 101)], "0-100"),
        ([Nomination("a", "x", -1)], "0-100"),
        ([Nomination("a", "x", 5), Nomination("a", "x", 6)], "duplicate nomination"),
        ([Nomination("a", "", 5)], "category"),
    ],
)
def test_invalid_nominations(noms, fragment):
    with pytest.raises(ScoringError, match=fragment):
        compute_results(rules(), noms, [])


@pytest.mark.parametrize(
    "score, fragment",
    [
        (Score("j", "a", "c", 11), "outside the scale"),
        (Score("j", "a", "c", -0.5), "outside the scale"),
        (Score("j", "a", "c", NAN), "outside the scale"),
        (Score("j", "a", "x", 5), "unknown criterion"),
        (Score("j", "zz", "c", 5), "unknown nomination"),
        (Score("j", "a", "c", True), "invalid scores"),
        (Score("j", "a", "c", "7"), "invalid scores"),
    ],
)
def test_invalid_scores(score, fragment):
    with pytest.raises(ScoringError, match=fragment):
        compute_results(rules(), [Nomination("a", "x", 5)], [score])


def test_duplicate_score_is_an_error():
    dup = [Score("j", "a", "c", 5), Score("j", "a", "c", 6)]
    with pytest.raises(ScoringError, match="duplicate scores"):
        compute_results(rules(), [Nomination("a", "x", 5)], dup)


@pytest.mark.parametrize(
    "decisions, fragment",
    [
        ([["a", "nope"]], "unknown nomination"),
        ([["a", "a"]], "listed twice"),
        ([["a", "b"], ["b", "a"]], "contradict"),
        (["ab"], "must be a list"),
    ],
)
def test_invalid_tie_decisions(decisions, fragment):
    noms = [Nomination("a", "x", 5), Nomination("b", "x", 5)]
    with pytest.raises(ScoringError, match=fragment):
        compute_results(rules(), noms, [], decisions)


def test_decimal_and_numpy_values_are_accepted():
    res = run({"a": {"j1": Decimal("7.5"), "j2": np.float64(6.5), "j3": np.int64(7)}})
    assert res.nominations["a"].raw_totals == {"j1": 7.5, "j2": 6.5, "j3": 7.0}


# --------------------------------------------------------------------------- step 1


def test_weighted_juror_total():
    r = Rules(1, 10, (Criterion("a", 3), Criterion("b", 1)), normalise=False)
    res = compute_results(
        r, [Nomination("n", "x", 50)], [Score("j", "n", "a", 8), Score("j", "n", "b", 4)]
    )
    assert res.nominations["n"].raw_totals == {"j": (3 * 8 + 1 * 4) / 4}


def test_incomplete_sets_are_reported_and_not_used():
    r = Rules(0, 10, (Criterion("a", 1), Criterion("b", 1), Criterion("c", 1)), normalise=False)
    noms = [Nomination("n", "x", 50), Nomination("m", "x", 50)]
    scores = [Score("j1", "n", k, 6) for k in "abc"] + [
        Score("j2", "n", "b", 1),  # incomplete: a and c missing
        Score("j3", "m", "a", 9),  # m has only an incomplete set -> no_scores
    ]
    res = compute_results(r, noms, scores)
    assert res.incomplete == (
        IncompleteSet("j2", "n", ("a", "c")),
        IncompleteSet("j3", "m", ("b", "c")),
    )
    n = res.nominations["n"]
    assert n.jurors == 1 and n.raw_totals == {"j1": 6.0} and n.aggregate == 6.0
    m = res.nominations["m"]
    assert (m.status, m.rank, m.jury_score, m.combined_score) == ("no_scores", None, None, None)
    assert res.categories["x"].no_scores == ("m",)
    assert res.categories["x"].ranking == ("n",)
    assert res.categories["x"].incomplete == res.incomplete


def test_nomination_without_any_score_is_no_scores():
    res = run({"a": {"j": 5}, "b": {}}, bench={"b": 99})
    b = res.nominations["b"]
    assert b.status == "no_scores" and b.rank is None and b.stability is None
    assert b.benchmark_score == 99 and b.raw_totals == {} and b.trail == ()
    assert ranks(res) == {"a": 1, "b": None}
    assert list(res.nominations) == ["a", "b"]


def test_no_scores_at_all():
    res = run({"a": {}, "b": {}})
    assert all(r.status == "no_scores" for r in res.nominations.values())
    cat = res.categories["cat"]
    assert cat.mean is None and cat.sd is None and cat.krippendorff_alpha is None
    assert res.krippendorff_alpha is None and cat.ranking == ()


# --------------------------------------------------------------------------- step 2


def _normalisation_case(**kw):
    # j1 scores 3 nominations (threshold 3), j2 only 2.
    totals = {"a": {"j1": 8, "j2": 2}, "b": {"j1": 6, "j2": 4}, "c": {"j1": 4}}
    return run(totals, normalise=True, **kw)


def test_normalisation_at_threshold_and_below():
    res = _normalisation_case()
    # all totals: 8, 6, 4, 2, 4 -> mu = 24/5 = 4.8; var = (64+36+16+4+16)/5 - 4.8^2 = 4.16
    mu, sigma = 4.8, 4.16**0.5
    cat = res.categories["cat"]
    assert abs(cat.mean - mu) < TOL and abs(cat.sd - sigma) < TOL
    stats = {s.juror: s for s in cat.juror_stats}
    # j1: 8, 6, 4 -> mean 6, population sd sqrt(8/3); normalised (3 >= 3)
    assert stats["j1"].normalised and stats["j1"].count == 3
    assert abs(stats["j1"].sd - (8 / 3) ** 0.5) < TOL
    assert not stats["j2"].normalised and stats["j2"].count == 2
    z = 2 / (8 / 3) ** 0.5
    adj = {n: r.adjusted_totals for n, r in res.nominations.items()}
    assert abs(adj["a"]["j1"] - (mu + sigma * z)) < TOL
    assert abs(adj["b"]["j1"] - mu) < TOL
    assert abs(adj["c"]["j1"] - (mu - sigma * z)) < TOL
    assert adj["a"]["j2"] == 2 and adj["b"]["j2"] == 4  # below threshold: raw


def test_normalisation_threshold_is_configurable():
    res = _normalisation_case(min_scores_for_normalisation=2)
    stats = {s.juror: s for s in res.categories["cat"].juror_stats}
    assert stats["j2"].normalised
    res = _normalisation_case(min_scores_for_normalisation=4)
    assert not any(s.normalised for s in res.categories["cat"].juror_stats)
    assert all(r.adjusted_totals == r.raw_totals for r in res.nominations.values())


def test_normalisation_off_keeps_raw_totals():
    res = run({"a": {"j1": 8, "j2": 2}, "b": {"j1": 6, "j2": 4}, "c": {"j1": 4, "j2": 3}})
    for r in res.nominations.values():
        assert r.adjusted_totals == r.raw_totals
    assert not any(s.normalised for s in res.categories["cat"].juror_stats)


def test_juror_with_zero_sd_gets_the_category_mean():
    res = run(
        {"a": {"j1": 7, "j2": 9}, "b": {"j1": 7, "j2": 5}, "c": {"j1": 7, "j2": 1}},
        normalise=True,
    )
    mu = (7 * 3 + 9 + 5 + 1) / 6
    for r in res.nominations.values():
        assert abs(r.adjusted_totals["j1"] - mu) < TOL


def test_normalisation_is_per_category():
    totals = {"a": {"j": 9}, "b": {"j": 8}, "c": {"j": 7}, "d": {"j": 3}, "e": {"j": 2},
              "f": {"j": 1}}
    cats = {n: ("x" if n in "abc" else "y") for n in totals}
    res = run(totals, category=cats, normalise=True)
    assert res.categories["x"].mean == 8 and res.categories["y"].mean == 2
    # A single juror normalised against their own category gets their raw totals back.
    for r in res.nominations.values():
        assert abs(r.adjusted_totals["j"] - r.raw_totals["j"]) < TOL
    assert ranks(res) == {"a": 1, "b": 2, "c": 3, "d": 1, "e": 2, "f": 3}


# --------------------------------------------------------------------------- step 3


def test_trimming_starts_exactly_at_trim_from():
    five = {"a": {"j1": 1, "j2": 5, "j3": 6, "j4": 7, "j5": 10}}
    res = run(five)
    a = res.nominations["a"]
    assert a.trimmed and a.jurors == 5 and a.aggregate == 6  # (5+6+7)/3
    four = {"a": {"j1": 1, "j2": 5, "j3": 6, "j4": 10}}
    a = run(four).nominations["a"]
    assert not a.trimmed and a.aggregate == 5.5  # 22/4
    a = run(four, trim_from=4).nominations["a"]
    assert a.trimmed and a.aggregate == 5.5  # (5+6)/2
    a = run(five, trim_from=None).nominations["a"]
    assert not a.trimmed and a.aggregate == 29 / 5


def test_trimming_drops_only_one_of_equal_extremes():
    a = run({"a": {"j1": 2, "j2": 2, "j3": 5, "j4": 9, "j5": 9}}).nominations["a"]
    assert abs(a.aggregate - (2 + 5 + 9) / 3) < TOL


def test_trimming_uses_adjusted_totals():
    # j5 is generous on everything; after normalisation its 10 on "a" is not the outlier.
    totals = {
        "a": {"j1": 4, "j2": 4, "j3": 4, "j4": 4, "j5": 10},
        "b": {"j1": 2, "j2": 2, "j3": 2, "j4": 2, "j5": 9},
        "c": {"j1": 6, "j2": 6, "j3": 6, "j4": 6, "j5": 8},
    }
    res = run(totals, normalise=True)
    for r in res.nominations.values():
        vals = sorted(r.adjusted_totals.values())
        assert r.trimmed and abs(r.aggregate - sum(vals[1:-1]) / 3) < TOL


# --------------------------------------------------------------------------- steps 4-5


def test_jury_score_and_combined_formula():
    r = Rules(1, 5, (Criterion("c", 1),), normalise=False, benchmark_weight=0.25)
    res = compute_results(r, [Nomination("a", "x", 80)], [Score("j", "a", "c", 4)])
    a = res.nominations["a"]
    assert a.jury_score == 75.0  # 100 * (4 - 1) / (5 - 1)
    assert a.combined_score == 0.75 * 75 + 0.25 * 80


@pytest.mark.parametrize("bw, expected", [(0.0, 60.0), (1.0, 30.0)])
def test_benchmark_weight_extremes(bw, expected):
    a = run({"a": {"j": 6}}, bench={"a": 30}, benchmark_weight=bw).nominations["a"]
    assert a.combined_score == expected


def test_jury_score_is_clipped():
    # Two jurors with very different spreads: after normalisation to the pooled mu/sigma,
    # the top nomination's aggregate lands above the scale, the bottom one's below.
    totals = {
        "top": {"j1": 10, "j2": 10},
        "b": {"j1": 1, "j2": 9.9},
        "c": {"j1": 1, "j2": 9.9},
        "d": {"j1": 1, "j2": 9.9},
    }
    res = run(totals, normalise=True, scale_min=1, scale_max=10)
    top = res.nominations["top"]
    assert top.aggregate > 10 and top.jury_score == 100.0
    mirror = {n: {j: 11 - v for j, v in row.items()} for n, row in totals.items()}
    res = run(mirror, normalise=True, scale_min=1, scale_max=10)
    low = res.nominations["top"]
    assert low.aggregate < 1 and low.jury_score == 0.0


# --------------------------------------------------------------------------- step 6


def test_plain_ranking_with_shared_ranks_1_2_2_4():
    res = run(
        {"a": {"j": 9}, "b": {"j": 7}, "c": {"j": 7}, "d": {"j": 3}},
        bench={"a": 50, "b": 50, "c": 50, "d": 50},
    )
    assert ranks(res) == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert res.categories["cat"].ranking == ("a", "b", "c", "d")
    assert res.categories["cat"].shared_ranks == (("b", "c"),)
    assert res.nominations["a"].trail == ()
    assert res.nominations["b"].trail == (
        {"rule": "shared", "against": "c", "outcome": "shared", "value": None,
         "other_value": None},
    )
    assert res.nominations["c"].trail[0]["against"] == "b"


def test_tie_broken_by_benchmark():
    # bw 0.5: a = 0.5*40 + 0.5*60 = 50 = b = 0.5*60 + 0.5*40
    res = run({"a": {"j": 4}, "b": {"j": 6}}, bench={"a": 60, "b": 40}, benchmark_weight=0.5)
    assert res.nominations["a"].combined_score == res.nominations["b"].combined_score == 50
    assert ranks(res) == {"a": 1, "b": 2}
    assert res.nominations["a"].trail == (
        {"rule": "benchmark_total", "against": "b", "outcome": "ahead", "value": 60.0,
         "other_value": 40.0},
    )
    assert res.nominations["b"].trail == (
        {"rule": "benchmark_total", "against": "a", "outcome": "behind", "value": 40.0,
         "other_value": 60.0},
    )


def test_tie_broken_by_median_raw_total():
    # same mean (5), same benchmark; medians 6 and 5
    res = run({"a": {"j1": 2, "j2": 6, "j3": 7}, "b": {"j1": 4, "j2": 5, "j3": 6}})
    assert ranks(res) == {"a": 1, "b": 2}
    assert res.nominations["a"].raw_median == 6 and res.nominations["b"].raw_median == 5
    assert res.nominations["b"].trail == (
        {"rule": "median_raw_total", "against": "a", "outcome": "behind", "value": 5.0,
         "other_value": 6.0},
    )


def test_median_of_even_count_is_mean_of_middle_pair():
    a = run({"a": {"j1": 1, "j2": 4, "j3": 5, "j4": 9}}).nominations["a"]
    assert a.raw_median == 4.5


IDENTICAL = {"a": {"j": 5}, "b": {"j": 5}, "c": {"j": 5}}


def test_tie_broken_by_chair_decision():
    res = run(IDENTICAL, tie_decisions=[["c", "a", "b"]])
    assert ranks(res) == {"c": 1, "a": 2, "b": 3}
    assert res.categories["cat"].shared_ranks == ()
    assert res.nominations["a"].trail == (
        {"rule": "chair_decision", "against": "c", "outcome": "behind", "value": 2,
         "other_value": 1},
        {"rule": "chair_decision", "against": "b", "outcome": "ahead", "value": 2,
         "other_value": 3},
    )


def test_chair_decision_must_cover_the_whole_group():
    res = run(IDENTICAL, tie_decisions=[["c", "a"]])
    assert ranks(res) == {"a": 1, "b": 1, "c": 1}
    assert res.categories["cat"].shared_ranks == (("a", "b", "c"),)
    # A list that covers more than the group (e.g. recorded earlier) still applies.
    res = run({"a": {"j": 5}, "b": {"j": 5}, "z": {"j": 1}}, tie_decisions=[["z", "b", "a"]])
    assert ranks(res) == {"b": 1, "a": 2, "z": 3}


def test_tie_break_levels_in_one_group():
    # a, b, c tie on combined (bw = 0.5); a wins on benchmark; b beats c on median.
    totals = {
        "a": {"j1": 2, "j2": 2, "j3": 2},  # jury 20, bench 80 -> 50
        "b": {"j1": 1, "j2": 5, "j3": 6},  # mean 4, median 5 -> jury 40, bench 60 -> 50
        "c": {"j1": 3, "j2": 4, "j3": 5},  # mean 4, median 4 -> jury 40, bench 60 -> 50
        "d": {"j1": 9, "j2": 9, "j3": 9},  # jury 90, bench 20 -> 55
    }
    res = run(totals, bench={"a": 80, "b": 60, "c": 60, "d": 20}, benchmark_weight=0.5)
    assert ranks(res) == {"d": 1, "a": 2, "b": 3, "c": 4}
    trail = {n: [(t["rule"], t["against"], t["outcome"]) for t in r.trail]
             for n, r in res.nominations.items()}
    assert trail["d"] == []
    assert trail["a"] == [("benchmark_total", "b", "ahead"), ("benchmark_total", "c", "ahead")]
    assert trail["b"] == [("benchmark_total", "a", "behind"), ("median_raw_total", "c", "ahead")]
    assert trail["c"] == [("benchmark_total", "a", "behind"), ("median_raw_total", "b", "behind")]


def test_tie_tolerance():
    # bw = 1: combined = benchmark. 5e-10 apart is a tie (then median decides),
    # 2e-9 apart is not.
    totals = {"a": {"j": 1}, "b": {"j": 9}}
    res = run(totals, bench={"a": 50 + 5e-10, "b": 50}, benchmark_weight=1.0)
    assert ranks(res) == {"b": 1, "a": 2}
    assert res.nominations["a"].trail[0]["rule"] == "median_raw_total"
    res = run(totals, bench={"a": 50 + 2e-9, "b": 50}, benchmark_weight=1.0)
    assert ranks(res) == {"a": 1, "b": 2}
    assert res.nominations["a"].trail == ()


def test_ranks_are_per_category():
    res = run(
        {"a": {"j": 9}, "b": {"j": 2}, "c": {"j": 1}},
        category={"a": "x", "b": "y", "c": "y"},
    )
    assert ranks(res) == {"a": 1, "b": 1, "c": 2}
    assert set(res.categories) == {"x", "y"}


# --------------------------------------------------------------------------- step 7


def test_disagreement_flag_at_three_points():
    res = run({"a": {"j1": 4, "j2": 7}, "b": {"j1": 4, "j2": 6.9}, "c": {"j1": 4.1, "j2": 7.1}})
    assert res.nominations["a"].disagreement is True  # span exactly 3.0
    assert res.nominations["b"].disagreement is False
    assert res.nominations["c"].disagreement is True  # 7.1 - 4.1 = 2.9999999999999996


def test_stability_ranks_match_recomputation():
    totals = {
        "a": {"j1": 9, "j2": 6, "j3": 7},
        "b": {"j1": 5, "j2": 8, "j3": 7},
        "c": {"j1": 6, "j2": 3, "j3": 4},
        "d": {"j1": 8, "j2": 7, "j3": 8},
    }
    bench = {"a": 40, "b": 80, "c": 95, "d": 20}
    base = run(totals, bench, normalise=True, benchmark_weight=0.35)
    minus = run(totals, bench, normalise=True, benchmark_weight=0.25)
    plus = run(totals, bench, normalise=True, benchmark_weight=0.45)
    unnorm = run(totals, bench, normalise=False, benchmark_weight=0.35)
    for n, r in base.nominations.items():
        s = r.stability
        assert (s.weight_minus, s.weight_plus) == (0.25, 0.45)
        assert s.rank_weight_minus == minus.nominations[n].rank
        assert s.rank_weight_plus == plus.nominations[n].rank
        assert s.rank_unnormalised == unnorm.nominations[n].rank
        assert s.stable == (r.rank == s.rank_weight_minus == s.rank_weight_plus
                            == s.rank_unnormalised)
    assert {r.stability.stable for r in base.nominations.values()} == {True, False}


def test_stability_weights_are_clipped():
    s = run({"a": {"j": 5}}, benchmark_weight=0.05).nominations["a"].stability
    assert (s.weight_minus, s.weight_plus) == (0.0, 0.15)
    s = run({"a": {"j": 5}}, benchmark_weight=1.0).nominations["a"].stability
    assert (s.weight_minus, s.weight_plus) == (0.9, 1.0)
    assert s.stable


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the 4 observers x
# 12 units example with missing data: interval alpha = 0.849 (nominal .743, ordinal .815).
PUBLISHED = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def test_krippendorff_published_value():
    assert round(krippendorff_interval_alpha(PUBLISHED), 3) == 0.849


def test_krippendorff_published_value_through_the_engine():
    totals = {
        f"u{u:02d}": {f"obs{o}": row[u] for o, row in enumerate(PUBLISHED) if row[u] == row[u]}
        for u in range(12)
    }
    res = run(totals, scale_min=1, scale_max=5)
    assert round(res.categories["cat"].krippendorff_alpha, 3) == 0.849
    assert round(res.krippendorff_alpha, 3) == 0.849


def test_krippendorff_closed_form_matches_package(monkeypatch):
    rng = np.random.default_rng(7)
    for _ in range(20):
        data = rng.integers(1, 40, size=(6, 25)) / 4.0
        data[rng.random(data.shape) < 0.3] = np.nan
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
        monkeypatch.setattr(scoring, "KRIPPENDORFF_PACKAGE_MAX_CELLS", 0)
        closed = krippendorff_interval_alpha(data)
        monkeypatch.setattr(scoring, "KRIPPENDORFF_PACKAGE_MAX_CELLS", 10**12)
        package = krippendorff_interval_alpha(data)
        assert abs(closed - expected) < 1e-9 and abs(package - expected) < 1e-12


@pytest.mark.parametrize(
    "data",
    [
        [[1, 2, 3]],  # one juror
        [[1, NAN, 3], [NAN, 2, NAN]],  # no overlap
        [[4, 4, NAN], [4, 4, 7]],  # no variation among pairable values
        [],
    ],
)
def test_krippendorff_undefined_is_none(data):
    assert krippendorff_interval_alpha(data) is None


# --------------------------------------------------------------------------- properties


@st.composite
def scoring_inputs(draw, max_noms=6, max_jurors=6):
    n_crit = draw(st.integers(1, 3))
    weights = draw(st.lists(st.sampled_from([0.5, 1, 2, 3]), min_size=n_crit, max_size=n_crit))
    r = Rules(
        1, 10, tuple(Criterion(f"k{i}", w) for i, w in enumerate(weights)),
        normalise=draw(st.booleans()),
        min_scores_for_normalisation=draw(st.integers(2, 4)),
        trim_from=draw(st.sampled_from([None, 3, 4, 5])),
        benchmark_weight=draw(st.sampled_from([0.0, 0.05, 0.3, 0.5, 1.0])),
    )
    n_noms = draw(st.integers(1, max_noms))
    noms = [
        Nomination(f"n{i}", draw(st.sampled_from(["x", "y"])), draw(st.integers(0, 100)))
        for i in range(n_noms)
    ]
    scores = []
    for j in range(draw(st.integers(1, max_jurors))):
        for n in noms:
            mode = draw(st.sampled_from(["full", "full", "full", "partial", "none"]))
            for c in r.criteria:
                if mode == "full" or (mode == "partial" and c is not r.criteria[-1]):
                    scores.append(Score(f"j{j}", n.id, c.code, draw(st.integers(1, 10))))
    return r, noms, scores


PROPS = settings(max_examples=60, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(scoring_inputs())
def test_property_scores_in_range_and_deterministic(inputs):
    r, noms, scores = inputs
    res = compute_results(r, noms, scores)
    assert res == compute_results(r, noms, scores)
    for n in res.nominations.values():
        if n.status == "ranked":
            assert 0.0 <= n.jury_score <= 100.0
            assert 0.0 <= n.combined_score <= 100.0
            assert n.rank >= 1 and n.jurors >= 1
        else:
            assert n.jury_score is None and n.rank is None
    for cat in res.categories.values():
        got = [res.nominations[n].rank for n in cat.ranking]
        assert got == sorted(got) and (not got or got[0] == 1)
        # competition ranks: rank = 1 + number strictly ahead
        for n in cat.ranking:
            ahead = sum(1 for m in cat.ranking if res.nominations[m].rank
                        < res.nominations[n].rank)
            assert res.nominations[n].rank == 1 + ahead


@PROPS
@given(scoring_inputs(), st.randoms(use_true_random=False))
def test_property_input_order_changes_nothing(inputs, rnd):
    r, noms, scores = inputs
    base = compute_results(r, noms, scores)
    noms2, scores2 = list(noms), list(scores)
    rnd.shuffle(noms2)
    rnd.shuffle(scores2)
    other = compute_results(r, noms2, scores2)
    assert other == base
    assert list(other.nominations) == list(base.nominations)


@PROPS
@given(
    st.integers(3, 6),  # nominations
    st.integers(1, 5),  # jurors
    st.integers(-20, 20),  # constant
    st.data(),
)
def test_property_shifting_a_normalised_juror_keeps_the_ranking(n_noms, n_jurors, shift, data):
    """Every juror scores every nomination (so all are normalised, n >= 3), benchmark weight 0,
    distinct benchmark totals. Adding a constant to one juror's scores leaves that juror's z
    unchanged; the pooled mu/sigma change, but affinely for every nomination alike, so the
    ranking must not move. (With benchmark weight > 0 or un-normalised jurors it can: the
    pooled sigma sets the spread of the jury score against the benchmark.) The wide scale
    keeps adjusted totals away from clipping."""
    r = Rules(0, 1000, (Criterion("a", 2), Criterion("b", 1)), normalise=True,
              benchmark_weight=0.0)
    noms = [Nomination(f"n{i}", "x", i) for i in range(n_noms)]
    grid = data.draw(st.lists(st.lists(st.integers(480, 520), min_size=2 * n_noms,
                                       max_size=2 * n_noms),
                              min_size=n_jurors, max_size=n_jurors))
    target = data.draw(st.integers(0, n_jurors - 1))

    def scores(delta):
        out = []
        for j, row in enumerate(grid):
            for i, n in enumerate(noms):
                for k, code in enumerate("ab"):
                    out.append(Score(f"j{j}", n.id, code, row[2 * i + k] + (delta if j == target
                                                                            else 0)))
        return out

    before = compute_results(r, noms, scores(0))
    after = compute_results(r, noms, scores(shift))
    assert all(s.normalised for s in after.categories["x"].juror_stats)
    assume(all(0 < n.jury_score < 100 for n in after.nominations.values()))
    assert ranks(after) == ranks(before)


def test_large_input_is_fast_enough_and_uses_closed_form_alpha():
    rnd = random.Random(3)
    r = Rules(1, 10, tuple(Criterion(f"k{i}", 1 + i % 3) for i in range(10)))
    noms = [Nomination(i, f"c{i % 4}", rnd.randint(0, 100)) for i in range(200)]
    scores = [Score(j, n.id, c.code, rnd.randint(1, 10))
              for j in range(15) for n in noms for c in r.criteria]
    res = compute_results(r, noms, scores)
    assert sum(c.krippendorff_alpha is not None for c in res.categories.values()) == 4
    assert sorted(n.rank for n in res.nominations.values() if n.category == "c0") == list(
        range(1, 51))
