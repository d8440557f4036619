"""Unit and property tests of the benchmark engine (mvi_community/benchmark/engine.py)."""

from __future__ import annotations

import copy
import json
import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mvi_community.benchmark import engine as E
from mvi_community.benchmark.engine import (
    InputError,
    Methodology,
    MethodologyError,
    Organisation,
    aggregate,
    competition_ranks,
    compute,
    impute,
    kurtosis,
    normalise,
    peer_group,
    skewness,
    winsorise,
)

EXAMPLE = {
    "period": {"start": "2024-01-01", "end": "2025-12-31"},
    "themes": [{"code": "circulair", "weight": 1.0}],
    "indicators": [{"code": "eforms_circular_share", "theme": "circulair",
                    "direction": "higher", "weight": 1.0, "source": "eforms"}],
    "screening": {"min_coverage": 0.667},
    "imputation": "peer_median", "outliers": "winsorise", "normalisation": "minmax",
    "aggregation": "arithmetic", "peer_groups": "type_size",
    "uncertainty": {"draws": 1000, "seed": 1, "weight_noise": 0.25},
}


def spec(indicators=(("a", "t1", "higher"), ("b", "t1", "lower"), ("c", "t2", "higher")),
         themes=(("t1", 1.0), ("t2", 1.0)), **over) -> dict:
    d = copy.deepcopy(EXAMPLE)
    d["themes"] = [{"code": c, "weight": w} for c, w in themes]
    d["indicators"] = [{"code": c, "theme": t, "direction": dr, "weight": 1.0, "source": "csv"}
                       for c, t, dr in indicators]
    d["uncertainty"]["draws"] = 0
    for k, v in over.items():
        if k in ("min_coverage",):
            d["screening"][k] = v
        elif k in ("draws", "seed", "weight_noise"):
            d["uncertainty"][k] = v
        else:
            d[k] = v
    return d


def meth(**over) -> Methodology:
    return Methodology.from_dict(spec(**over))


def problems_of(data) -> list[str]:
    with pytest.raises(MethodologyError) as exc:
        Methodology.from_dict(data)
    return exc.value.problems


# ----------------------------------------------------------------------- methodology

def test_example_methodology_parses_and_round_trips():
    m = Methodology.from_dict(EXAMPLE)
    assert m.indicators[0].code == "eforms_circular_share"
    assert m.min_coverage == 0.667 and m.uncertainty.draws == 1000
    assert Methodology.from_dict(m.to_dict()) == m
    assert Methodology.from_json(m.to_json()) == m
    assert Methodology.from_json(json.dumps(EXAMPLE)) == m


def test_indicator_names_unit_and_target_round_trip():
    d = spec(normalisation="target")
    for i in d["indicators"]:
        i.update(name_nl="Aandeel", name_en="Share", unit="%", target=50)
    m = Methodology.from_dict(d)
    assert m.indicators[0].name_nl == "Aandeel" and m.indicators[0].target == 50.0
    assert Methodology.from_dict(m.to_dict()) == m


def test_all_problems_are_listed_at_once_one_line_each():
    d = copy.deepcopy(EXAMPLE)
    d["period"] = {"start": "2025-01-01", "end": "2024-01-01"}
    d["themes"] = [{"code": "circulair", "weight": 0}, {"code": "circulair", "weight": 1},
                   {"code": "leeg", "weight": 1}]
    d["indicators"] = [
        {"code": "x", "theme": "circulair", "direction": "up", "weight": 0, "source": "web"},
        {"code": "x", "theme": "nope", "direction": "higher", "weight": -1, "source": "csv",
         "target": -5},
    ]
    d["screening"] = {"min_coverage": 1.5}
    d["imputation"] = "mean"
    d["outliers"] = "clip"
    d["normalisation"] = "log"
    d["aggregation"] = "median"
    d["peer_groups"] = "size"
    d["uncertainty"] = {"draws": -1, "seed": "x", "weight_noise": 1.0}
    d["extra"] = True
    p = problems_of(d)
    expected = [
        "period: start 2025-01-01 is after end 2024-01-01",
        "themes[0].weight: must be a number > 0 (got 0.0)",
        "themes[1].code: duplicate theme code 'circulair'",
        "themes: theme 'leeg' has no indicators",
        "indicators[0].direction: must be one of 'higher', 'lower' (got 'up')",
        "indicators[0].weight: must be a number > 0 (got 0.0)",
        "indicators[0].source: must be one of 'eforms', 'csv', 'platform' (got 'web')",
        "indicators[1].code: duplicate indicator code 'x'",
        "indicators[1].theme: unknown theme 'nope'",
        "indicators[1].weight: must be a number > 0 (got -1.0)",
        "indicators[1].target: must be a number > 0 (got -5.0)",
        "screening.min_coverage: must be a number from 0 to 1 (got 1.5)",
        "imputation: must be one of 'none', 'peer_median', 'peer_mean' (got 'mean')",
        "outliers: must be one of 'none', 'winsorise' (got 'clip')",
        "normalisation: must be one of 'minmax', 'zscore', 'rank', 'target' (got 'log')",
        "aggregation: must be one of 'arithmetic', 'geometric' (got 'median')",
        "peer_groups: must be one of 'type', 'type_size' (got 'size')",
        "uncertainty.draws: must be an integer from 0 to 100000 (got -1)",
        "uncertainty.seed: must be an integer (got 'x')",
        "uncertainty.weight_noise: must be a number >= 0 and < 1 (got 1.0)",
        "extra: unknown key",
    ]
    for line in expected:
        assert line in p, line
    assert all("\n" not in line for line in p)
    assert len(p) == len(expected)


def test_structural_problems():
    d = copy.deepcopy(EXAMPLE)
    del d["uncertainty"]
    d["period"] = {"start": "2024-13-01", "end": 2025}
    d["themes"] = [{"code": "circulair", "weight": True}]
    d["indicators"] = [{"code": "i", "theme": "circulair", "direction": "higher",
                        "weight": "1", "source": "csv", "colour": "red"}, "oops"]
    p = problems_of(d)
    for line in [
        "uncertainty: missing",
        "period.start: must be a date YYYY-MM-DD (got '2024-13-01')",
        "period.end: must be a date YYYY-MM-DD (got 2025)",
        "themes[0].weight: must be a number (got True)",
        "indicators[0].weight: must be a number (got '1')",
        "indicators[0].colour: unknown key",
        "indicators[1]: must be an object",
    ]:
        assert line in p, line


def test_zero_weight_theme_and_indicator_rejected():
    d = spec()
    d["themes"][0]["weight"] = 0
    d["indicators"][2]["weight"] = 0.0
    p = problems_of(d)
    assert "themes[0].weight: must be a number > 0 (got 0.0)" in p
    assert "indicators[2].weight: must be a number > 0 (got 0.0)" in p


def test_target_normalisation_requires_targets_and_bad_json():
    p = problems_of(spec(normalisation="target"))
    assert p == [f"indicators[{k}].target: required when normalisation is 'target'"
                 for k in range(3)]
    with pytest.raises(MethodologyError, match="not valid JSON"):
        Methodology.from_json("{")
    assert problems_of([1]) == ["methodology: must be a JSON object"]
    assert "themes: at least one theme is required" in problems_of(spec(themes=(),
                                                                         indicators=()))


def test_direct_construction_is_validated_by_compute():
    m = meth()
    bad = Methodology(m.period_start, m.period_end, m.themes, m.indicators, imputation="x")
    with pytest.raises(MethodologyError, match="imputation"):
        compute([], bad, {})


# ----------------------------------------------------------------------- input

def test_input_errors_are_all_listed():
    orgs = [Organisation("a", "gemeente", 10), Organisation("a", "", -1)]
    values = {("a", "a"): 1.0, ("zz", "a"): 1.0, ("a", "qq"): 2.0, ("a", "b"): float("nan"),
              ("a", "c"): "3"}
    with pytest.raises(InputError) as exc:
        compute(orgs, meth(), values)
    p = exc.value.problems
    assert "organisations[1].code: duplicate organisation code 'a'" in p
    assert "organisations[1].type: must be a non-empty string" in p
    assert "organisations[1].population: must be an integer >= 0 or None (got -1)" in p
    assert "values['zz', 'a']: unknown organisation 'zz'" in p
    assert "values['a', 'qq']: unknown indicator 'qq'" in p
    assert "values['a', 'b']: must be a finite number (got nan)" in p
    assert "values['a', 'c']: must be a finite number (got '3')" in p


def test_matrix_input_equals_mapping_input_and_shape_is_checked():
    orgs, values = small_case()
    m = meth(draws=50)
    x = np.full((len(orgs), 3), np.nan)
    codes = [o.code for o in orgs]
    for (o, i), v in values.items():
        x[codes.index(o), "abc".index(i)] = v
    assert compute(orgs, m, x).to_dict() == compute(orgs, m, values).to_dict()
    with pytest.raises(InputError, match="shape"):
        compute(orgs, m, x[:, :2])
    x[0, 0] = np.inf
    with pytest.raises(InputError, match="infinite"):
        compute(orgs, m, x)


# ----------------------------------------------------------------------- steps

@pytest.mark.parametrize("population, group", [
    (0, "gemeente-<20k"), (19_999, "gemeente-<20k"), (20_000, "gemeente-20-50k"),
    (49_999, "gemeente-20-50k"), (50_000, "gemeente-50-100k"), (99_999, "gemeente-50-100k"),
    (100_000, "gemeente-100k+"), (900_000, "gemeente-100k+"), (None, "gemeente"),
])
def test_peer_group_size_classes(population, group):
    assert peer_group(Organisation("g", "gemeente", population), "type_size") == group
    assert peer_group(Organisation("g", "gemeente", population), "type") == "gemeente"


def test_peer_group_other_types_by_type():
    assert peer_group(Organisation("p", "provincie", 2_000_000), "type_size") == "provincie"
    assert peer_group(Organisation("w", "waterschap"), "type") == "waterschap"


def test_impute_peer_median_mean_and_fallback():
    nan = np.nan
    x = np.array([[1.0, nan], [3.0, 5.0], [nan, 7.0], [10.0, nan], [nan, nan]])
    groups = np.array([0, 0, 0, 1, 1])
    filled, flags = impute(x, groups, "peer_median")
    # column 0: group 0 median of (1, 3) = 2; group 1 median of (10) = 10
    # column 1: group 0 median of (5, 7) = 6; group 1 has no value -> all: median(5, 7) = 6
    assert filled.tolist() == [[1, 6], [3, 5], [2, 7], [10, 6], [10, 6]]
    assert flags.tolist() == [[0, 1], [0, 0], [1, 0], [0, 1], [1, 1]]
    filled, _ = impute(np.array([[1.0], [2.0], [6.0], [nan]]), np.zeros(4), "peer_mean")
    assert filled[3, 0] == 3.0
    filled, flags = impute(x, groups, "none")
    assert np.array_equal(filled, x, equal_nan=True) and not flags.any()
    filled, flags = impute(np.array([[nan], [nan]]), np.zeros(2), "peer_median")
    assert np.isnan(filled).all() and not flags.any()


def test_skewness_kurtosis_match_excel_and_scipy():
    stats = pytest.importorskip("scipy.stats")
    x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]
    # Excel: SKEW(1..9,100) = 3.11889574523909, KURT(...) = 9.79924471616366
    assert skewness(x) == pytest.approx(3.11889574523909, abs=1e-12)
    assert kurtosis(x) == pytest.approx(9.79924471616366, abs=1e-12)
    rng = np.random.default_rng(3)
    for _ in range(5):
        v = rng.lognormal(size=30)
        assert skewness(v) == pytest.approx(stats.skew(v, bias=False), rel=1e-12)
        assert kurtosis(v) == pytest.approx(stats.kurtosis(v, bias=False), rel=1e-12)
        assert skewness(v, "population") == pytest.approx(stats.skew(v), rel=1e-12)
        assert kurtosis(v, "population") == pytest.approx(stats.kurtosis(v), rel=1e-12)
    assert skewness([1, 2, 3]) is None and kurtosis([5, 5, 5, 5]) is None


def test_winsorise_single_outlier():
    treated, steps = winsorise([1, 2, 3, 4, 5, 6, 7, 8, 9, 100])
    assert treated.tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 9]
    assert [(s.step, s.side, s.indices, s.from_value, s.to_value) for s in steps] == [
        (1, "high", (9,), 100.0, 9.0)]


def test_winsorise_low_side_ties_and_no_treatment():
    treated, steps = winsorise([-100, -100, *range(1, 21)])
    assert steps[0].side == "low" and steps[0].indices == (0, 1)
    assert treated[0] == treated[1] == 1.0
    for ok in ([1, 2, 3], [5, 5, 5, 5, 5], [10, 20, 30, 40, 50]):
        assert winsorise(ok)[1] == []


def test_winsorise_changes_at_most_five_values():
    x = [0.0] * 100 + [1, 2, 3, 4, 5, 6, 7]
    treated, steps = winsorise(x)
    changed = {i for s in steps for i in s.indices}
    assert len(changed) == 5 and len(steps) == 5
    assert treated[-7:].tolist() == [1, 2, 2, 2, 2, 2, 2]
    assert E._fails_check(treated)  # still outlying, left as it is
    # a step that would change a 6th value is not taken
    treated, steps = winsorise([0.0] * 100 + [1, 2, 3, 9, 9, 9, 9, 9, 9])
    assert steps == [] and treated.max() == 9


def test_normalise_methods():
    nan = np.nan
    x = np.array([[10.0, 10.0, 5.0, 3.0], [20.0, 20.0, 5.0, 3.0], [40.0, 40.0, 5.0, nan]])
    hi = np.array([True, False, True, True])
    mm = normalise(x, hi, "minmax")
    assert mm[:, 0] == pytest.approx([0, 100 / 3, 100])
    assert mm[:, 1] == pytest.approx([100, 200 / 3, 0])
    assert mm[:, 2].tolist() == [100, 100, 100]  # max = min
    assert mm[:2, 3].tolist() == [100, 100] and np.isnan(mm[2, 3])
    z = normalise(x, hi, "zscore")
    sd = np.std([10, 20, 40], ddof=1)
    assert z[:, 0] == pytest.approx(50 + 10 * (np.array([10, 20, 40]) - 70 / 3) / sd)
    assert z[:, 1] == pytest.approx(50 - 10 * (np.array([10, 20, 40]) - 70 / 3) / sd)
    assert z[:, 2].tolist() == [50, 50, 50]
    r = normalise(np.array([[1.0], [2.0], [2.0], [9.0]]), np.array([True]), "rank")
    # average ranks 1, 2.5, 2.5, 4 -> 100 (r - 1) / 3
    assert r[:, 0] == pytest.approx([0, 50, 50, 100])
    r = normalise(np.array([[1.0], [2.0], [2.0], [9.0]]), np.array([False]), "rank")
    assert r[:, 0] == pytest.approx([100, 50, 50, 0])
    t = normalise(np.array([[10.0, 10.0], [50.0, 50.0], [80.0, 80.0], [-5.0, 0.0]]),
                  np.array([True, False]), "target", np.array([50.0, 50.0]))
    assert t[:, 0] == pytest.approx([20, 100, 100, 0])  # 100 min(max(x/T, 0), 1)
    assert t[:, 1] == pytest.approx([100, 100, 62.5, 100])  # 100 if x <= T else 100 T/x


def test_aggregate_arithmetic_geometric_and_missing():
    nan = np.nan
    v = np.array([[0.0, 50.0, 100.0], [100.0, nan, nan]])
    theme_of = np.array([0, 0, 1])
    th, tot = aggregate(v, theme_of, np.array([1.0, 3.0, 1.0]), np.array([1.0, 2.0]),
                        "arithmetic")
    # org 0: theme0 = (0 + 3*50)/4 = 37.5; theme1 = 100; total = (37.5 + 2*100)/3
    assert th[0].tolist() == [37.5, 100.0] and tot[0] == pytest.approx(237.5 / 3)
    # org 1: theme0 = 100 (only value present), theme1 missing -> total = 100
    assert th[1, 0] == 100 and np.isnan(th[1, 1]) and tot[1] == 100
    th, tot = aggregate(v, theme_of, np.array([1.0, 3.0, 1.0]), np.array([1.0, 2.0]),
                        "geometric")
    # floor at 1: theme0 = exp((ln 1 + 3 ln 50)/4) = 50^(3/4)
    assert th[0, 0] == pytest.approx(50 ** 0.75)
    assert tot[0] == pytest.approx(math.exp((math.log(50 ** 0.75) + 2 * math.log(100)) / 3))


def test_competition_ranks_ties():
    assert competition_ranks([90, 80, 80, 70]).tolist() == [1, 2, 2, 4]
    assert competition_ranks([80, 80 + 1e-10, 90, 70]).tolist() == [2, 2, 1, 4]
    assert competition_ranks([80, 80 + 1e-8]).tolist() == [2, 1]
    assert competition_ranks([5, 5, 5]).tolist() == [1, 1, 1]
    assert competition_ranks([1, 9, 5, 7], groups=["a", "b", "a", "b"]).tolist() == [2, 1, 1, 2]
    assert competition_ranks([]).tolist() == []


def test_percentiles_match_numpy():
    rng = np.random.default_rng(0)
    for draws in [*range(1, 120), 999, 1000, 1001]:
        ranks = rng.integers(1, 40, size=(draws, 13)).astype(np.uint16)
        ref = np.percentile(ranks.astype(float), [5, 50, 95], axis=0, method="linear").T
        assert np.array_equal(E._percentiles(ranks), np.round(ref, 2)), draws
        ranks = ranks.astype(np.int32)
        assert np.array_equal(E._percentiles(ranks), np.round(ref, 2)), draws


# ----------------------------------------------------------------------- pipeline

def small_case():
    orgs = [Organisation("g1", "gemeente", 30_000), Organisation("g2", "gemeente", 40_000),
            Organisation("g3", "gemeente", 150_000), Organisation("p1", "provincie"),
            Organisation("p2", "provincie"), Organisation("g4", "gemeente", 35_000),
            Organisation("empty", "gemeente", 5_000)]
    values = {("g1", "a"): 1.0, ("g1", "b"): 4.0, ("g1", "c"): 7.0,
              ("g2", "a"): 3.0, ("g2", "b"): 2.0,
              ("g3", "a"): 5.0, ("g3", "b"): 6.0, ("g3", "c"): 1.0,
              ("p1", "a"): 2.0, ("p1", "b"): 2.0, ("p1", "c"): 3.0,
              ("p2", "b"): 9.0, ("p2", "c"): 8.0,
              ("g4", "c"): 5.0}
    return orgs, values


def test_population_screening_and_statuses():
    orgs, values = small_case()
    r = compute(orgs, meth(), values)
    assert r.excluded == ("empty",)
    # sorted by (peer group, code): gemeente-100k+ < gemeente-20-50k < provincie
    assert r.codes == ("g3", "g1", "g2", "g4", "p1", "p2")
    by = r.by_code
    assert by["g4"].status == "insufficient_data" and by["g4"].coverage == pytest.approx(1 / 3)
    assert by["g4"].total is None and by["g4"].rank_peer is None and by["g4"].theme_scores == {}
    assert by["g4"].raw == {"a": None, "b": None, "c": 5.0}
    assert by["g1"].status == "ranked" and by["g1"].coverage == 1.0
    assert by["g2"].coverage == pytest.approx(2 / 3)


def test_two_thirds_is_below_0667_but_not_below_066():
    orgs, values = small_case()
    r = compute(orgs, meth(min_coverage=0.667), values)
    assert r.by_code["g2"].status == "insufficient_data"
    r = compute(orgs, meth(min_coverage=0.66), values)
    assert r.by_code["g2"].status == "ranked"
    assert r.by_code["g2"].imputed == {"a": False, "b": False, "c": True}


def test_imputation_uses_screened_peers_only():
    orgs, values = small_case()
    r = compute(orgs, meth(min_coverage=0.66, outliers="none"), values)
    by = r.by_code
    # g2 (gemeente-20-50k): c missing; ranked peers with c: g1 (7); g4 is insufficient
    assert by["g2"].treated["c"] == 7.0
    # p2 (provincie): a missing; peer p1 has a = 2
    assert by["p2"].treated["a"] == 2.0 and by["p2"].imputed["a"]
    assert by["g4"].imputed == {"a": False, "b": False, "c": False}


def test_peer_group_without_value_falls_back_to_all_screened():
    orgs = [Organisation("g1", "gemeente", 1000), Organisation("g2", "gemeente", 2000),
            Organisation("w1", "waterschap")]
    values = {("g1", "a"): 1.0, ("g1", "b"): 1.0, ("g1", "c"): 1.0,
              ("g2", "a"): 4.0, ("g2", "b"): 2.0, ("g2", "c"): 2.0,
              ("w1", "b"): 3.0, ("w1", "c"): 3.0}
    r = compute(orgs, meth(min_coverage=0.5, outliers="none"), values)
    assert r.by_code["w1"].treated["a"] == 2.5  # median(1, 4) over all screened


def test_single_organisation():
    r = compute([Organisation("x", "rijk")], meth(draws=20),
                {("x", "a"): 3.0, ("x", "b"): 1.0, ("x", "c"): 0.0})
    o = r.organisations[0]
    assert o.normalised == {"a": 100.0, "b": 100.0, "c": 100.0}
    assert o.total == 100.0 and o.rank_overall == o.rank_peer == 1
    assert (o.rank_peer_p05, o.rank_peer_p50, o.rank_peer_p95) == (1.0, 1.0, 1.0)
    assert o.peer_group == "rijk" and o.peer_group_size == 1


def test_max_equals_min_gives_100():
    orgs = [Organisation(c, "rijk") for c in "xyz"]
    values = {(c, i): 5.0 for c in "xyz" for i in "abc"}
    r = compute(orgs, meth(), values)
    assert all(o.total == 100.0 and o.rank_overall == 1 for o in r.organisations)


def test_all_missing_indicator_is_dropped():
    orgs = [Organisation(c, "rijk") for c in "xyz"]
    values = {("x", "a"): 1.0, ("y", "a"): 2.0, ("z", "a"): 3.0,
              ("x", "b"): 1.0, ("y", "b"): 2.0, ("z", "b"): 3.0}
    r = compute(orgs, meth(min_coverage=0.5, draws=30), values)
    assert r.dropped_indicators == ("c",)
    assert r.indicators["c"].dropped and r.indicators["c"].n_observed == 0
    o = r.by_code["z"]
    assert o.normalised["c"] is None and o.imputed["c"] is False
    assert o.theme_scores["t2"] is None
    # t1 = (a 100 + b lower 0)/2 = 50; total over t1 only
    assert o.theme_scores["t1"] == 50.0 and o.total == 50.0


def test_imputation_none_averages_what_is_present():
    orgs = [Organisation(c, "rijk") for c in "xyz"]
    values = {("x", "a"): 1.0, ("y", "a"): 3.0, ("z", "a"): 2.0,
              ("x", "c"): 0.0, ("y", "c"): 10.0,
              ("x", "b"): 5.0, ("y", "b"): 5.0, ("z", "b"): 5.0}
    r = compute(orgs, meth(min_coverage=0.5, imputation="none", draws=40), values)
    z = r.by_code["z"]
    assert z.normalised["c"] is None and z.theme_scores["t2"] is None
    assert z.theme_scores["t1"] == 75.0 and z.total == 75.0  # (50 + 100)/2
    assert r.by_code["y"].total == 100.0  # t1 100, t2 100


def test_winsorised_values_recorded():
    orgs = [Organisation(f"o{k}", "rijk") for k in range(10)]
    values = {(f"o{k}", i): float(v) for k, v in enumerate([1, 2, 3, 4, 5, 6, 7, 8, 9, 100])
              for i in "abc"}
    r = compute(orgs, meth(), values)
    assert [(w.organisation, w.indicator, w.original, w.treated, w.side, w.step)
            for w in r.winsorised] == [("o9", i, 100.0, 9.0, "high", 1) for i in "abc"]
    assert r.by_code["o9"].raw["a"] == 100.0 and r.by_code["o9"].treated["a"] == 9.0
    s = r.indicators["a"]
    assert s.n_winsorised == 1 and not s.still_outlying
    assert s.skewness == pytest.approx(3.11889574523909) and s.skewness_treated < 2
    assert compute(orgs, meth(outliers="none"), values).winsorised == ()


def test_ties_share_best_rank_in_pipeline():
    orgs = [Organisation(c, "rijk") for c in "wxyz"]
    vals = {"w": 9.0, "x": 5.0, "y": 5.0, "z": 1.0}
    values = {(c, i): v for c, v in vals.items() for i in "ac"}
    values.update({(c, "b"): 0.0 for c in vals})
    r = compute(orgs, meth(), values)
    assert [r.by_code[c].rank_overall for c in "wxyz"] == [1, 2, 2, 4]
    assert [r.by_code[c].rank_peer for c in "wxyz"] == [1, 2, 2, 4]


def test_summaries():
    orgs = [Organisation(c, "rijk") for c in "vwxyz"]
    values = {(c, i): float(v) for c, v in zip("vwxyz", [0, 1, 2, 3, 4]) for i in "ac"}
    values.update({(c, "b"): 0.0 for c in "vwxyz"})
    r = compute(orgs, meth(), values)
    # totals: (t1 = (a + 100)/2 ; t2 = a) -> total = (a/2 + 50 + a)/2 with a = 0,25,..,100
    totals = [(a / 2 + 50 + a) / 2 for a in (0, 25, 50, 75, 100)]
    s = r.peer_groups["rijk"].total
    assert (s.n, s.min, s.q1, s.median, s.q3, s.max) == pytest.approx(
        (5, totals[0], totals[1], totals[2], totals[3], totals[4]))
    assert r.overall.n_ranked == 5 and r.overall.themes["t2"].median == 50.0
    ind = r.indicators["a"]
    assert (ind.n_observed, ind.raw.median, ind.normalised.q3) == (5, 2.0, 75.0)


def test_uncertainty_reference_implementation():
    """The vectorised Monte Carlo equals a plain loop over the documented draw order."""
    rng = np.random.default_rng(7)
    orgs = [Organisation(f"g{k}", "gemeente", int(p))
            for k, p in enumerate(rng.integers(5_000, 200_000, 12))]
    orgs += [Organisation(f"p{k}", "provincie") for k in range(4)]
    x = rng.lognormal(size=(len(orgs), 3))
    x[rng.random(x.shape) < 0.15] = np.nan
    for imputation in ("peer_median", "none"):
        m = meth(draws=60, seed=5, weight_noise=0.4, imputation=imputation, min_coverage=0.3)
        r = compute(orgs, m, x, workers=2)
        assert _reference_percentiles(orgs, m, x) == {
            o.code: (o.rank_peer_p05, o.rank_peer_p50, o.rank_peer_p95)
            for o in r.organisations if o.status == "ranked"}


def _reference_percentiles(orgs, m, x):
    ranked = [k for k in range(len(orgs)) if (~np.isnan(x[k])).mean() >= m.min_coverage]
    groups = [peer_group(orgs[k], m.peer_groups) for k in ranked]
    gid = np.array([sorted(set(groups)).index(g) for g in groups])
    xs = x[ranked]
    higher = np.array([i.direction == "higher" for i in m.indicators])
    theme_of = np.array([[t.code for t in m.themes].index(i.theme) for i in m.indicators])
    w0 = np.array([i.weight for i in m.indicators])
    tw0 = np.array([t.weight for t in m.themes])
    u = m.uncertainty
    rng = np.random.default_rng(u.seed)
    r1 = rng.random((u.draws, len(w0)))
    r2 = rng.random((u.draws, len(tw0)))
    r3 = rng.random((u.draws, 3))
    all_ranks = []
    for k in range(u.draws):
        a = u.weight_noise
        w = w0 * (1 - a + 2 * a * r1[k])
        tw = tw0 * (1 - a + 2 * a * r2[k])
        norm = "minmax" if r3[k, 0] < 0.5 else "zscore"
        agg = "arithmetic" if r3[k, 1] < 0.5 else "geometric"
        imp = m.imputation if m.imputation == "none" else (
            "peer_median" if r3[k, 2] < 0.5 else "peer_mean")
        filled, _ = impute(xs, gid, imp)
        treated = filled.copy()
        for j in range(treated.shape[1]):
            ok = ~np.isnan(treated[:, j])
            if ok.sum() >= 4:
                treated[ok, j] = winsorise(treated[ok, j])[0]
        _, total = aggregate(normalise(treated, higher, norm), theme_of, w, tw, agg)
        all_ranks.append(competition_ranks(total, gid))
    pct = np.round(np.percentile(np.array(all_ranks, dtype=float), [5, 50, 95], axis=0,
                                 method="linear").T, 2)
    return {orgs[k].code: tuple(float(v) for v in pct[n]) for n, k in enumerate(ranked)}


def test_uncertainty_without_noise_on_a_dominance_order_is_exact():
    orgs = [Organisation(f"o{k}", "rijk") for k in range(6)]
    values = {(f"o{k}", i): float(k * k + 1) for k in range(6) for i in "ac"}
    values.update({(f"o{k}", "b"): float(10 - k) for k in range(6)})
    r = compute(orgs, meth(draws=200, weight_noise=0.0), values)
    for o in r.organisations:
        assert o.rank_peer_p05 == o.rank_peer_p50 == o.rank_peer_p95 == o.rank_peer


def test_workers_and_draws_zero():
    orgs, values = small_case()
    m = meth(draws=300, min_coverage=0.5)
    a = compute(orgs, m, values, workers=1).to_dict()
    assert a == compute(orgs, m, values, workers=3).to_dict()
    r = compute(orgs, meth(draws=0), values)
    assert all(o.rank_peer_p50 is None for o in r.organisations)


def test_no_organisations_and_all_insufficient():
    r = compute([], meth(draws=10), {})
    assert r.organisations == () and r.overall.total.n == 0
    r = compute([Organisation("x", "rijk")], meth(draws=10), {("x", "a"): 1.0})
    assert r.organisations[0].status == "insufficient_data"
    assert r.peer_groups["rijk"].n_ranked == 0 and r.peer_groups["rijk"].total.median is None


def test_engine_is_pure_and_result_is_json():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(E))
    imported = {a.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for a in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy", "mvi_community"}
    orgs, values = small_case()
    text = json.dumps(compute(orgs, meth(draws=20), values).to_dict(), allow_nan=False)
    assert '"insufficient_data"' in text


def test_result_arrays_are_read_only():
    orgs, values = small_case()
    r = compute(orgs, meth(), values)
    with pytest.raises(ValueError):
        r.total[0] = 1.0


# ----------------------------------------------------------------------- properties

@st.composite
def editions(draw, normalisations=("minmax",), aggregations=("arithmetic", "geometric"),
             outliers=("none", "winsorise"), imputations=("peer_median", "peer_mean", "none")):
    n_ind = draw(st.integers(1, 5))
    n_themes = draw(st.integers(1, min(3, n_ind)))
    themes = [(f"t{t}", draw(st.sampled_from([0.5, 1.0, 2.0]))) for t in range(n_themes)]
    inds = [(f"i{i}", f"t{i % n_themes}", draw(st.sampled_from(["higher", "lower"])))
            for i in range(n_ind)]
    d = spec(indicators=inds, themes=themes,
             normalisation=draw(st.sampled_from(normalisations)),
             aggregation=draw(st.sampled_from(aggregations)),
             outliers=draw(st.sampled_from(outliers)),
             imputation=draw(st.sampled_from(imputations)),
             peer_groups=draw(st.sampled_from(["type", "type_size"])),
             min_coverage=draw(st.sampled_from([0.0, 0.5, 0.667])),
             draws=draw(st.sampled_from([0, 15])), seed=draw(st.integers(0, 2 ** 32)))
    for i in d["indicators"]:
        i["weight"] = draw(st.sampled_from([0.5, 1.0, 3.0]))
        i["target"] = draw(st.sampled_from([1.0, 50.0]))
    n_org = draw(st.integers(1, 12))
    orgs = [Organisation(f"o{k:02d}", draw(st.sampled_from(["gemeente", "provincie"])),
                         draw(st.sampled_from([None, 10_000, 30_000, 60_000, 250_000])))
            for k in range(n_org)]
    number = st.floats(-100, 100, allow_nan=False).map(lambda v: round(v, 2))
    values = {}
    for o in orgs:
        for i in d["indicators"]:
            if draw(st.booleans()) or draw(st.booleans()):
                values[(o.code, i["code"])] = draw(number)
    return orgs, Methodology.from_dict(d), values


PROPS = settings(max_examples=40, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(editions(normalisations=("minmax", "rank", "target")))
def test_property_scores_within_0_100(case):
    orgs, m, values = case
    r = compute(orgs, m, values)
    for arr in (r.normalised, r.theme_scores, r.total):
        ok = arr[~np.isnan(arr)]
        assert ((ok >= 0) & (ok <= 100)).all()


@PROPS
@given(editions(normalisations=("minmax", "zscore", "rank", "target")), st.randoms())
def test_property_permutation_invariant(case, rnd: random.Random):
    orgs, m, values = case
    a = compute(orgs, m, values)
    orgs2 = list(orgs)
    rnd.shuffle(orgs2)
    items = list(values.items())
    rnd.shuffle(items)
    b = compute(orgs2, m, dict(items))
    assert a.to_dict() == b.to_dict()


@PROPS
@given(editions(outliers=("none",)), st.data())
def test_property_adding_a_constant_keeps_minmax_scores(case, data):
    orgs, m, values = case
    ind = data.draw(st.sampled_from([i.code for i in m.indicators]))
    c = data.draw(st.floats(-50, 50).map(lambda v: round(v, 2)))
    shifted = {k: (v + c if k[1] == ind else v) for k, v in values.items()}
    a, b = compute(orgs, m, values), compute(orgs, m, shifted)
    assert np.allclose(a.normalised, b.normalised, atol=1e-6, equal_nan=True)
    assert np.allclose(a.total, b.total, atol=1e-6, equal_nan=True)


@PROPS
@given(editions(normalisations=("minmax", "rank", "target"), outliers=("none",)), st.data())
def test_property_monotone_in_a_higher_indicator(case, data):
    orgs, m, values = case
    higher = {i.code for i in m.indicators if i.direction == "higher"}
    keys = sorted(k for k in values if k[1] in higher)
    if not keys:
        return
    key = data.draw(st.sampled_from(keys))
    raised = dict(values)
    raised[key] = values[key] + data.draw(st.floats(0.01, 100).map(lambda v: round(v, 2)))
    before, after = compute(orgs, m, values).by_code, compute(orgs, m, raised).by_code
    if before[key[0]].total is not None:
        assert after[key[0]].total >= before[key[0]].total - 1e-9


@PROPS
@given(editions(normalisations=("minmax", "zscore")))
def test_property_deterministic_and_percentiles_ordered(case):
    orgs, m, values = case
    a = compute(orgs, m, values)
    assert a.to_dict() == compute(orgs, m, values).to_dict()
    for o in a.organisations:
        if o.status != "ranked" or o.rank_peer_p50 is None:
            continue
        assert 1 <= o.rank_peer_p05 <= o.rank_peer_p50 <= o.rank_peer_p95 <= o.peer_group_size
        assert 1 <= o.rank_peer <= o.peer_group_size
        assert 1 <= o.rank_overall <= a.overall.n_ranked
