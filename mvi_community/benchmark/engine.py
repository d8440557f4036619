"""The MVI benchmark engine: a pure composite-indicator pipeline.

Pure: numpy only, no Flask, no SQLAlchemy, no clock, no global state.  Dataclasses (or a
numpy matrix) in, dataclasses out; the only randomness comes from the methodology's seed, so
the same input always gives the same output (bit for bit with the same numpy and BLAS build).  The
pipeline follows the JRC/OECD handbook as COINr implements it: screen -> impute -> treat
outliers -> normalise -> weight and aggregate -> rank -> uncertainty.

Entry points: ``Methodology.from_dict`` / ``from_json`` (validated; every problem listed at
once, one line each), ``compute(organisations, methodology, values)`` -> ``EditionResult``,
where ``organisations`` are ``Organisation(code, type, population)`` and ``values`` is
``{(organisation_code, indicator_code): float}`` (absent = missing) or an organisations x
indicators float matrix (NaN = missing).
The step functions (``peer_group``, ``impute``, ``skewness``, ``kurtosis``, ``winsorise``,
``normalise``, ``aggregate``, ``competition_ranks``) are public and unit-tested.

How a published result is computed, step by step
=================================================

Notation: ``x[o, i]`` is the value of indicator *i* for organisation *o*; ``w_i`` the
indicator weight, ``W_t`` the theme weight, *I* the number of indicators in the methodology.

0. **Peer groups.**  ``peer_groups = "type"``: the organisation's type.  ``"type_size"``:
   municipalities (type ``gemeente``) by population: ``< 20,000`` -> ``gemeente-<20k``;
   ``20,000-49,999`` -> ``gemeente-20-50k``; ``50,000-99,999`` -> ``gemeente-50-100k``;
   ``>= 100,000`` -> ``gemeente-100k+``; a municipality without a population -> ``gemeente``;
   every other type -> its type.  Organisations are processed and returned sorted by
   (peer group, code), so the order of the input never changes a result.
1. **Population**: organisations with at least one value.  Others are listed (sorted) in
   ``EditionResult.excluded`` and get no result row.
2. **Screening**: ``coverage = (indicators with a value) / I``.  An organisation with
   ``coverage < min_coverage - 1e-9`` gets status ``insufficient_data`` (raw values and
   coverage only: no imputed/treated/normalised values, scores or ranks).  All others are
   ``ranked``; every statistic below ("min", "median", ...) is over the ranked organisations
   only.  An indicator without any value among them is *dropped*: reported as ``None``
   and left out of every aggregation (its theme is left out of the total when all of the
   theme's indicators are dropped).
3. **Imputation** (``peer_median`` | ``peer_mean`` | ``none``): a missing ``x[o, i]``
   becomes the median (mean) of the *observed* values of *i* among the ranked organisations
   of o's peer group; if that group has no observed value of *i*, of all ranked
   organisations.  Imputed values are flagged.  Median = ``numpy.median`` (mean of the two
   middle values for an even count).  With ``none`` a missing value stays missing and the
   aggregation averages over what is present (weights renormalised per organisation).
4. **Outliers** (``winsorise`` | ``none``), per indicator over the ranked organisations,
   after imputation, following COINr's ``winsorise()``/``check_SkewKurt()``: the indicator
   *fails* when ``|skewness| >= 2`` **and** ``kurtosis >= 3.5``.  While it fails: if
   ``skewness >= 0`` every value equal to the maximum is replaced by the largest remaining
   value, otherwise every value equal to the minimum by the smallest remaining value; then
   skewness and kurtosis are re-computed.  At most 5 organisations' values per indicator
   are changed: a step that would change a 6th (tied extremes move together) is not taken
   and the indicator is left as it is then (``IndicatorSummary.still_outlying``); COINr's
   fallback log transform is not applied.  Estimators (``OUTLIER_MOMENTS = "sample"``): COINr's
   ``skew()``/``kurt()``, i.e. e1071 type 2 = Excel ``SKEW()``/``KURT()`` =
   ``scipy.stats.skew/kurtosis(bias=False)``, built on the population moments
   ``m_k = mean((x - mean)^k)``: ``g1 = m3 / m2^1.5``, ``g2 = m4 / m2^2 - 3``;
   ``skewness = g1 * sqrt(n(n-1)) / (n-2)``;
   ``kurtosis (excess) = ((n+1) g2 + 6) (n-1) / ((n-2)(n-3))``.  With ``n < 4`` or all
   values equal the check passes.  (Set ``OUTLIER_MOMENTS = "population"`` to use ``g1``,
   ``g2`` themselves.)  Every replaced value is recorded (``EditionResult.winsorised``).
5. **Normalisation** per indicator over the ranked organisations (``lo``/``hi`` = min/max of
   the treated values; *higher* = direction ``higher``):
   ``minmax``: ``100 ((x - lo) / (hi - lo))`` (higher) or ``100 ((hi - x) / (hi - lo))``
   (lower; the ratio is computed first, so the best value gets exactly 100); 100 for
   everyone when ``hi = lo``.
   ``zscore``: ``50 + 10 z``, ``z = (x - mean) / sd`` (sd with n-1, Excel ``STDEV.S``),
   ``-z`` for lower; 50 for everyone when fewer than 2 values or ``sd = 0``.
   ``rank``: ``100 (r - 1) / (m - 1)`` with *r* the ascending average rank (ties share the
   mean of their positions, Excel ``RANK.AVG``) among *m* values; ``100 (m - r) / (m - 1)``
   for lower; 100 when ``m = 1``.
   ``target`` (each indicator has a target ``T > 0``): higher ``100 min(max(x / T, 0), 1)``;
   lower ``100`` if ``x <= T`` else ``100 T / x``.
6. **Aggregation** (equal for the theme and the total level; sums over available values):
   ``arithmetic``: ``theme_t = sum(w_i v_i) / sum(w_i)`` over the theme's indicators,
   ``total = sum(W_t theme_t) / sum(W_t)``.
   ``geometric``: every normalised value is first floored at 1 (``v' = max(v, 1)``, so the
   worst value on 0-100 does not zero a score; the same for ``zscore``), then
   ``theme_t = exp(sum(w_i ln v'_i) / sum(w_i))``, ``total = exp(sum(W_t ln theme_t) /
   sum(W_t))``.  The normalised values reported are the unfloored ones.
   For ``minmax``, ``rank`` and ``target`` theme scores and totals are clipped to [0, 100]
   ([1, 100] for geometric; this only removes floating-point rounding of order 1e-13).
7. **Ranks**: 1 is best.  Sort the totals descending; consecutive totals that differ by at
   most ``1e-9`` are tied (a chain of such steps is one tie), and every member of a tie gets
   ``1 + (number of organisations above the tie)``: "1, 2, 2, 4".  ``rank_overall`` among
   all ranked organisations, ``rank_peer`` within the peer group.
8. **Uncertainty** (``draws`` > 0): ``rng = numpy.random.default_rng(seed)``, then exactly
   three calls, in this order, consuming the stream row by row:
   ``r1 = rng.random((draws, I))`` (indicators in methodology order, dropped ones included),
   ``r2 = rng.random((draws, n_themes))`` (themes in methodology order),
   ``r3 = rng.random((draws, 3))``.
   Draw *k* uses indicator weights ``w_i (1 - a + 2 a r1[k, i])`` and theme weights
   ``W_t (1 - a + 2 a r2[k, t])`` (``a = weight_noise``: uniform on ``[1-a, 1+a]``);
   normalisation ``minmax`` if ``r3[k, 0] < 0.5`` else ``zscore``; aggregation
   ``arithmetic`` if ``r3[k, 1] < 0.5`` else ``geometric``; imputation ``peer_median`` if
   ``r3[k, 2] < 0.5`` else ``peer_mean`` (kept ``none`` when the methodology says ``none``).
   Screening, peer groups, outlier treatment (applied to each imputed variant) and
   directions stay as in the methodology.  Each draw recomputes every total as in steps
   5-6 and the peer ranks as in step 7.  Per organisation, ``rank_peer_p05/p50/p95`` =
   ``numpy.percentile(peer_ranks_over_draws, [5, 50, 95], method="linear")`` (Excel
   ``PERCENTILE.INC``: position ``(draws - 1) p`` in the sorted ranks, interpolated
   linearly), rounded to 2 decimals.  It is vectorised: per draw the total is a weighted
   sum (of logs, for geometric), so all draws sharing (imputation, normalisation,
   aggregation) are one matrix product, computed in chunks of draws to bound memory on up
   to ``MAX_WORKERS`` threads, one peer group at a time (the result does not depend on
   chunks or threads); ranks are stored as 16- or 32-bit integers.

Summaries (``Summary``): n, min, first quartile, median, third quartile, max of the ranked
organisations' values, quartiles by ``numpy.percentile(method="linear")`` (Excel
``QUARTILE.INC``); per peer group (and ``overall``) for the total and every theme score, and
per indicator for the raw (observed), treated and normalised values.

Differences from COINr, on purpose: winsorisation changes at most 5 organisations' values
(COINr's counter can let it run on), ties at the extreme move together, and there is no
log-transform fallback; z-scores are shifted to ``50 + 10 z`` and geometric aggregation
floors values at 1 so that every option combination is defined on the same data.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np

__all__ = [
    "EditionResult",
    "EngineError",
    "GroupSummary",
    "IndicatorSpec",
    "IndicatorSummary",
    "InputError",
    "Methodology",
    "MethodologyError",
    "Organisation",
    "OrganisationResult",
    "Summary",
    "ThemeSpec",
    "Uncertainty",
    "WinsorisedValue",
    "aggregate",
    "competition_ranks",
    "compute",
    "impute",
    "kurtosis",
    "normalise",
    "peer_group",
    "skewness",
    "winsorise",
]

IMPUTATIONS = ("none", "peer_median", "peer_mean")
OUTLIER_TREATMENTS = ("none", "winsorise")
NORMALISATIONS = ("minmax", "zscore", "rank", "target")
AGGREGATIONS = ("arithmetic", "geometric")
PEER_GROUP_SCHEMES = ("type", "type_size")
DIRECTIONS = ("higher", "lower")
SOURCES = ("eforms", "csv", "platform")
STATUS_RANKED = "ranked"
STATUS_INSUFFICIENT = "insufficient_data"

MUNICIPALITY_TYPE = "gemeente"
SIZE_CLASSES = ((20_000, "gemeente-<20k"), (50_000, "gemeente-20-50k"),
                (100_000, "gemeente-50-100k"))
SIZE_CLASS_LARGEST = "gemeente-100k+"

TIE_TOLERANCE = 1e-9
COVERAGE_TOLERANCE = 1e-9
WINSOR_MAX = 5
SKEW_THRESHOLD = 2.0
KURT_THRESHOLD = 3.5
OUTLIER_MOMENTS = "sample"  # COINr's skew()/kurt() (Excel SKEW/KURT); or "population"
GEOMETRIC_FLOOR = 1.0
ZSCORE_CENTRE, ZSCORE_SCALE = 50.0, 10.0
PERCENTILES = (5.0, 50.0, 95.0)
PERCENTILE_DECIMALS = 2
MAX_DRAWS = 100_000
_CHUNK_ELEMENTS = 4_000_000  # float64 cells per (draws x organisations) work array (32 MB)
MAX_WORKERS = 4  # threads for the Monte Carlo chunks
_MAX_LISTED = 50


# --------------------------------------------------------------------------- errors

class EngineError(ValueError):
    """Invalid input; ``problems`` lists every problem found, one line each."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        shown = self.problems[:_MAX_LISTED]
        more = len(self.problems) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more"] if more > 0 else [])))


class MethodologyError(EngineError):
    """The methodology document is invalid."""


class InputError(EngineError):
    """The organisations or values are invalid."""


# --------------------------------------------------------------------------- methodology

def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


@dataclass(frozen=True)
class ThemeSpec:
    code: str
    weight: float = 1.0


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    theme: str
    direction: str = "higher"
    weight: float = 1.0
    source: str = "csv"
    name_nl: str = ""
    name_en: str = ""
    unit: str = ""
    target: float | None = None


@dataclass(frozen=True)
class Uncertainty:
    draws: int = 1000
    seed: int = 1
    weight_noise: float = 0.25


@dataclass(frozen=True)
class Methodology:
    """The edition's methodology; JSON shape in ``to_dict``.  Build with ``from_dict``."""

    period_start: date
    period_end: date
    themes: tuple[ThemeSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    min_coverage: float = 0.667
    imputation: str = "peer_median"
    outliers: str = "winsorise"
    normalisation: str = "minmax"
    aggregation: str = "arithmetic"
    peer_groups: str = "type_size"
    uncertainty: Uncertainty = field(default_factory=Uncertainty)

    # -- validation ---------------------------------------------------------------------
    def problems(self) -> list[str]:
        """Semantic problems of an already-typed methodology (empty when valid)."""
        p: list[str] = []
        if self.period_start > self.period_end:
            p.append(f"period: start {self.period_start} is after end {self.period_end}")
        if not self.themes:
            p.append("themes: at least one theme is required")
        if not self.indicators:
            p.append("indicators: at least one indicator is required")
        seen: set[str] = set()
        for k, t in enumerate(self.themes):
            if not t.code:
                p.append(f"themes[{k}].code: must be a non-empty string")
            elif t.code in seen:
                p.append(f"themes[{k}].code: duplicate theme code {t.code!r}")
            seen.add(t.code)
            if not (_is_number(t.weight) and t.weight > 0):
                p.append(f"themes[{k}].weight: must be a number > 0 (got {t.weight!r})")
        theme_codes = {t.code for t in self.themes}
        used: set[str] = set()
        seen = set()
        for k, i in enumerate(self.indicators):
            where = f"indicators[{k}]"
            if not i.code:
                p.append(f"{where}.code: must be a non-empty string")
            elif i.code in seen:
                p.append(f"{where}.code: duplicate indicator code {i.code!r}")
            seen.add(i.code)
            if i.theme not in theme_codes:
                p.append(f"{where}.theme: unknown theme {i.theme!r}")
            used.add(i.theme)
            if i.direction not in DIRECTIONS:
                p.append(f"{where}.direction: must be one of {_one_of(DIRECTIONS)} "
                         f"(got {i.direction!r})")
            if not (_is_number(i.weight) and i.weight > 0):
                p.append(f"{where}.weight: must be a number > 0 (got {i.weight!r})")
            if i.source not in SOURCES:
                p.append(f"{where}.source: must be one of {_one_of(SOURCES)} (got {i.source!r})")
            if i.target is not None and not (_is_number(i.target) and i.target > 0):
                p.append(f"{where}.target: must be a number > 0 (got {i.target!r})")
            if self.normalisation == "target" and i.target is None:
                p.append(f"{where}.target: required when normalisation is 'target'")
        for t in self.themes:
            if t.code and t.code not in used:
                p.append(f"themes: theme {t.code!r} has no indicators")
        if not (_is_number(self.min_coverage) and 0 <= self.min_coverage <= 1):
            p.append(f"screening.min_coverage: must be a number from 0 to 1 "
                     f"(got {self.min_coverage!r})")
        for name, options in (("imputation", IMPUTATIONS), ("outliers", OUTLIER_TREATMENTS),
                              ("normalisation", NORMALISATIONS),
                              ("aggregation", AGGREGATIONS), ("peer_groups", PEER_GROUP_SCHEMES)):
            value = getattr(self, name)
            if value not in options:
                p.append(f"{name}: must be one of {_one_of(options)} (got {value!r})")
        u = self.uncertainty
        if not (isinstance(u.draws, int) and not isinstance(u.draws, bool)
                and 0 <= u.draws <= MAX_DRAWS):
            p.append(f"uncertainty.draws: must be an integer from 0 to {MAX_DRAWS} "
                     f"(got {u.draws!r})")
        if not (isinstance(u.seed, int) and not isinstance(u.seed, bool) and u.seed >= 0):
            p.append(f"uncertainty.seed: must be an integer >= 0 (got {u.seed!r})")
        if not (_is_number(u.weight_noise) and 0 <= u.weight_noise < 1):
            p.append(f"uncertainty.weight_noise: must be a number >= 0 and < 1 "
                     f"(got {u.weight_noise!r})")
        return p

    def validate(self) -> None:
        problems = self.problems()
        if problems:
            raise MethodologyError(problems)

    # -- (de)serialisation ----------------------------------------------------------------
    @classmethod
    def from_json(cls, text: str | bytes) -> Methodology:
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MethodologyError([f"not valid JSON: {exc}"]) from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> Methodology:
        """Parse and validate; raises ``MethodologyError`` listing every problem."""
        p: list[str] = []
        r = _Reader(p)
        if not isinstance(data, Mapping):
            raise MethodologyError(["methodology: must be a JSON object"])
        r.keys(data, "", required=("period", "themes", "indicators", "screening", "imputation",
                                   "outliers", "normalisation", "aggregation", "peer_groups",
                                   "uncertainty"))
        period = r.obj(data, "period", ("start", "end"))
        start = r.date(period, "period.start", "start")
        end = r.date(period, "period.end", "end")
        themes = []
        for k, t in enumerate(r.list(data, "themes")):
            w = f"themes[{k}]"
            t = r.obj_value(t, w, ("code", "weight"))
            themes.append(ThemeSpec(code=r.str(t, w, "code"), weight=r.num(t, w, "weight")))
        indicators = []
        for k, i in enumerate(r.list(data, "indicators")):
            w = f"indicators[{k}]"
            i = r.obj_value(i, w, ("code", "theme", "direction", "weight", "source"),
                            optional=("name_nl", "name_en", "unit", "target"))
            target = i.get("target")
            if target is not None and not _is_number(target):
                p.append(f"{w}.target: must be a number or null (got {target!r})")
                target = None
            indicators.append(IndicatorSpec(
                code=r.str(i, w, "code"), theme=r.str(i, w, "theme"),
                direction=r.str(i, w, "direction"), weight=r.num(i, w, "weight"),
                source=r.str(i, w, "source"),
                name_nl=r.str(i, w, "name_nl", optional=True),
                name_en=r.str(i, w, "name_en", optional=True),
                unit=r.str(i, w, "unit", optional=True),
                target=None if target is None else float(target)))
        screening = r.obj(data, "screening", ("min_coverage",))
        unc = r.obj(data, "uncertainty", ("draws", "seed", "weight_noise"))
        m = cls(
            period_start=start, period_end=end, themes=tuple(themes), indicators=tuple(indicators),
            min_coverage=r.num(screening, "screening", "min_coverage"),
            imputation=r.str(data, "", "imputation"), outliers=r.str(data, "", "outliers"),
            normalisation=r.str(data, "", "normalisation"),
            aggregation=r.str(data, "", "aggregation"), peer_groups=r.str(data, "", "peer_groups"),
            uncertainty=Uncertainty(draws=r.int(unc, "uncertainty", "draws"),
                                    seed=r.int(unc, "uncertainty", "seed"),
                                    weight_noise=r.num(unc, "uncertainty", "weight_noise")))
        # Semantic checks; skip the ones whose field already failed to parse.
        failed = {line.split(":", 1)[0] for line in p}
        p.extend(x for x in m.problems() if x.split(":", 1)[0] not in failed)
        if p:
            raise MethodologyError(p)
        return m

    def to_dict(self) -> dict[str, Any]:
        def indicator(i: IndicatorSpec) -> dict[str, Any]:
            d: dict[str, Any] = {"code": i.code, "theme": i.theme, "direction": i.direction,
                                 "weight": i.weight, "source": i.source, "name_nl": i.name_nl,
                                 "name_en": i.name_en, "unit": i.unit}
            if i.target is not None:
                d["target"] = i.target
            return d

        return {
            "period": {"start": self.period_start.isoformat(), "end": self.period_end.isoformat()},
            "themes": [{"code": t.code, "weight": t.weight} for t in self.themes],
            "indicators": [indicator(i) for i in self.indicators],
            "screening": {"min_coverage": self.min_coverage},
            "imputation": self.imputation, "outliers": self.outliers,
            "normalisation": self.normalisation, "aggregation": self.aggregation,
            "peer_groups": self.peer_groups,
            "uncertainty": {"draws": self.uncertainty.draws, "seed": self.uncertainty.seed,
                            "weight_noise": self.uncertainty.weight_noise},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _one_of(options: Sequence[str]) -> str:
    return ", ".join(repr(o) for o in options)


class _Reader:
    """Lenient typed reads from parsed JSON that record one line per problem."""

    def __init__(self, problems: list[str]):
        self.p = problems

    @staticmethod
    def _path(where: str, key: str) -> str:
        return f"{where}.{key}" if where else key

    def keys(self, d: Mapping, where: str, required: Sequence[str],
             optional: Sequence[str] = ()) -> None:
        for k in required:
            if k not in d:
                self.p.append(f"{self._path(where, k)}: missing")
        for k in d:
            if k not in required and k not in optional:
                self.p.append(f"{self._path(where, str(k))}: unknown key")

    def obj_value(self, v: Any, where: str, required: Sequence[str],
                  optional: Sequence[str] = ()) -> Mapping:
        if not isinstance(v, Mapping):
            self.p.append(f"{where}: must be an object")
            return {}
        self.keys(v, where, required, optional)
        return v

    def obj(self, d: Mapping, key: str, required: Sequence[str]) -> Mapping:
        if key not in d:
            return {}
        return self.obj_value(d[key], key, required)

    def list(self, d: Mapping, key: str) -> list:
        v = d.get(key, [])
        if not isinstance(v, list):
            self.p.append(f"{key}: must be a list")
            return []
        return v

    def str(self, d: Mapping, where: str, key: str, optional: bool = False) -> str:
        if key not in d:
            return ""  # missing keys are reported by keys()
        v = d[key]
        if v is None and optional:
            return ""
        if not isinstance(v, str):
            self.p.append(f"{self._path(where, key)}: must be a string (got {v!r})")
            return ""
        return v

    def num(self, d: Mapping, where: str, key: str) -> float:
        if key not in d:
            return 1.0
        v = d[key]
        if not _is_number(v):
            self.p.append(f"{self._path(where, key)}: must be a number (got {v!r})")
            return 1.0
        return float(v)

    def int(self, d: Mapping, where: str, key: str) -> int:
        if key not in d:
            return 0
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, int):
            self.p.append(f"{self._path(where, key)}: must be an integer (got {v!r})")
            return 0
        return v

    def date(self, d: Mapping, path: str, key: str) -> date:
        v = d.get(key)
        if key not in d:
            return date.min
        try:
            if not isinstance(v, str):
                raise TypeError
            return date.fromisoformat(v)
        except (TypeError, ValueError):
            self.p.append(f"{path}: must be a date YYYY-MM-DD (got {v!r})")
            return date.min


# --------------------------------------------------------------------------- input

@dataclass(frozen=True)
class Organisation:
    code: str
    type: str
    population: int | None = None


def peer_group(org: Organisation, scheme: str) -> str:
    """Peer group name of ``org`` under ``scheme`` (``type`` or ``type_size``)."""
    if scheme == "type" or org.type != MUNICIPALITY_TYPE:
        return org.type
    if org.population is None:
        return MUNICIPALITY_TYPE
    for bound, name in SIZE_CLASSES:
        if org.population < bound:
            return name
    return SIZE_CLASS_LARGEST


def _input_matrix(organisations: Sequence[Organisation], m: Methodology,
                  values: Mapping[tuple[str, str], float | None] | np.ndarray) -> np.ndarray:
    p: list[str] = []
    row: dict[str, int] = {}
    for k, o in enumerate(organisations):
        if not isinstance(o.code, str) or not o.code:
            p.append(f"organisations[{k}].code: must be a non-empty string")
        elif o.code in row:
            p.append(f"organisations[{k}].code: duplicate organisation code {o.code!r}")
        row[o.code] = k
        if not isinstance(o.type, str) or not o.type:
            p.append(f"organisations[{k}].type: must be a non-empty string")
        if o.population is not None and (isinstance(o.population, bool)
                                         or not isinstance(o.population, int)
                                         or o.population < 0):
            p.append(f"organisations[{k}].population: must be an integer >= 0 or None "
                     f"(got {o.population!r})")
    n, ni = len(organisations), len(m.indicators)
    if isinstance(values, np.ndarray):
        if values.shape != (n, ni):
            p.append(f"values: matrix shape {values.shape} does not match "
                     f"({n} organisations, {ni} indicators)")
            raise InputError(p)
        x = np.array(values, dtype=np.float64)
        if np.isinf(x).any():
            p.append(f"values: {int(np.isinf(x).sum())} infinite value(s)")
    else:
        col = {i.code: j for j, i in enumerate(m.indicators)}
        x = np.full((n, ni), np.nan)
        for key, v in values.items():
            if v is None:
                continue
            if not (isinstance(key, tuple) and len(key) == 2):
                p.append(f"values: key {key!r} is not (organisation_code, indicator_code)")
                continue
            o, i = key
            bad = False
            if o not in row:
                p.append(f"values[{o!r}, {i!r}]: unknown organisation {o!r}")
                bad = True
            if i not in col:
                p.append(f"values[{o!r}, {i!r}]: unknown indicator {i!r}")
                bad = True
            if not _is_number(v) and not (isinstance(v, np.floating) and np.isfinite(v)):
                p.append(f"values[{o!r}, {i!r}]: must be a finite number (got {v!r})")
                bad = True
            if not bad:
                x[row[o], col[i]] = float(v)
    if p:
        raise InputError(p)
    return x


# --------------------------------------------------------------------------- steps

def impute(x: np.ndarray, groups: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Fill NaNs per column with the peer group's median/mean (all rows' if none in group).

    Returns (filled copy, imputed flags).  A column without any value stays NaN.
    """
    x = np.asarray(x, dtype=np.float64)
    out = x.copy()
    missing = np.isnan(x)
    flags = np.zeros(x.shape, dtype=bool)
    if method == "none" or not missing.any():
        return out, flags
    if method not in ("peer_median", "peer_mean"):
        raise ValueError(f"unknown imputation {method!r}")
    stat = np.median if method == "peer_median" else np.mean
    groups = np.asarray(groups)
    order = np.argsort(groups, kind="stable")
    cuts = np.flatnonzero(groups[order][1:] != groups[order][:-1]) + 1
    segments = np.split(order, cuts)  # row indices of each peer group
    xt, missing_t = x.T, missing.T
    for j in np.flatnonzero(missing.any(axis=0)).tolist():
        col, miss = np.ascontiguousarray(xt[j]), np.ascontiguousarray(missing_t[j])
        if miss.all():
            continue
        overall = None
        for rows in segments:
            miss_rows = miss[rows]
            fill_rows = rows[miss_rows]
            if fill_rows.size == 0:
                continue
            vals = col[rows[~miss_rows]]
            if vals.size:
                fill = float(stat(vals))
            else:
                if overall is None:
                    overall = float(stat(col[~miss]))
                fill = overall
            out[fill_rows, j] = fill
            flags[fill_rows, j] = True
    return out, flags


def _skew_kurt(x: np.ndarray, moments: str | None = None) -> tuple[float, float] | None:
    """(skewness, excess kurtosis) of a 1-D vector; None when n < 4 or all values equal."""
    n = x.size
    if n < 4 or x.max() == x.min():
        return None
    d = x - x.mean()
    d2 = d * d
    m2 = float(d2.mean())
    if m2 <= 0.0:
        return None
    g1 = float((d2 * d).mean()) / m2 ** 1.5
    g2 = float((d2 * d2).mean()) / (m2 * m2) - 3.0
    if (moments or OUTLIER_MOMENTS) == "population":
        return g1, g2
    return (g1 * math.sqrt(n * (n - 1)) / (n - 2),
            ((n + 1) * g2 + 6.0) * (n - 1) / ((n - 2) * (n - 3)))


def skewness(x: Sequence[float] | np.ndarray, moments: str | None = None) -> float | None:
    """Skewness (see module docstring); None when n < 4 or all values are equal."""
    sk = _skew_kurt(np.asarray(x, dtype=np.float64), moments)
    return None if sk is None else sk[0]


def kurtosis(x: Sequence[float] | np.ndarray, moments: str | None = None) -> float | None:
    """Excess kurtosis (see module docstring); None when n < 4 or all values are equal."""
    sk = _skew_kurt(np.asarray(x, dtype=np.float64), moments)
    return None if sk is None else sk[1]


def _fails(sk: tuple[float, float] | None) -> bool:
    return sk is not None and abs(sk[0]) >= SKEW_THRESHOLD and sk[1] >= KURT_THRESHOLD


def _fails_check(x: np.ndarray) -> bool:
    return _fails(_skew_kurt(np.asarray(x, dtype=np.float64)))


@dataclass(frozen=True)
class WinsorStep:
    step: int
    side: str  # "high" | "low"
    indices: tuple[int, ...]
    from_value: float
    to_value: float


def winsorise(x: Sequence[float] | np.ndarray,
              max_values: int = WINSOR_MAX) -> tuple[np.ndarray, list[WinsorStep]]:
    """COINr-style winsorisation of a 1-D vector without NaNs; returns (copy, steps).

    At most ``max_values`` distinct positions are changed: a step that would take the
    count above it (tied extremes are replaced together) is not taken.
    """
    x = np.array(x, dtype=np.float64)
    steps: list[WinsorStep] = []
    changed: set[int] = set()
    sk = _skew_kurt(x)
    while _fails(sk):
        if sk[0] >= 0:  # type: ignore[index]  # not None: the check failed
            side, extreme = "high", x.max()
            new = x[x != extreme].max()
        else:
            side, extreme = "low", x.min()
            new = x[x != extreme].min()
        idx = np.flatnonzero(x == extreme)
        if len(changed.union(idx.tolist())) > max_values:
            break
        changed.update(idx.tolist())
        x[idx] = new
        steps.append(WinsorStep(len(steps) + 1, side, tuple(int(i) for i in idx),
                                float(extreme), float(new)))
        sk = _skew_kurt(x)
    return x, steps


def normalise(x: np.ndarray, higher: np.ndarray, method: str,
              targets: np.ndarray | None = None) -> np.ndarray:
    """Normalise each column over its non-NaN values (see module docstring, step 5)."""
    xt = np.ascontiguousarray(np.asarray(x, dtype=np.float64).T)
    return np.ascontiguousarray(_normalise_t(xt, higher, method, targets).T)


def _normalise_t(xt: np.ndarray, higher: np.ndarray, method: str,
                 targets: np.ndarray | None = None) -> np.ndarray:
    """``normalise`` on the transposed (indicators x organisations) layout."""
    higher = np.asarray(higher, dtype=bool)
    out = np.full(xt.shape, np.nan)
    for j in range(xt.shape[0]):
        col = xt[j]
        ok = ~np.isnan(col)
        complete = bool(ok.all())
        v = col if complete else col[ok]
        if v.size == 0:
            continue
        if method == "minmax":
            lo, hi = v.min(), v.max()
            if hi == lo:
                r = np.full(v.shape, 100.0)
            elif higher[j]:
                r = 100.0 * ((v - lo) / (hi - lo))  # ratio first: exactly 100 at the max
            else:
                r = 100.0 * ((hi - v) / (hi - lo))
        elif method == "zscore":
            sd = float(v.std(ddof=1)) if v.size >= 2 else 0.0
            if sd == 0.0:
                r = np.full(v.shape, ZSCORE_CENTRE)
            else:
                z = (v - v.mean()) / sd
                r = ZSCORE_CENTRE + ZSCORE_SCALE * (z if higher[j] else -z)
        elif method == "rank":
            m = v.size
            if m == 1:
                r = np.full(v.shape, 100.0)
            else:
                _, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
                first = np.concatenate(([0], np.cumsum(counts)[:-1]))
                avg = (first + 1 + (counts - 1) / 2.0)[inverse]
                r = 100.0 * (((avg - 1) if higher[j] else (m - avg)) / (m - 1))
        elif method == "target":
            if targets is None or not (targets[j] > 0):
                raise ValueError(f"column {j}: target normalisation needs a target > 0")
            t = float(targets[j])
            if higher[j]:
                r = 100.0 * np.clip(v / t, 0.0, 1.0)
            else:
                r = np.full(v.shape, 100.0)
                above = v > t
                r[above] = 100.0 * t / v[above]
        else:
            raise ValueError(f"unknown normalisation {method!r}")
        if complete:
            out[j] = r
        else:
            out[j, ok] = r
    return out


def aggregate(normalised: np.ndarray, theme_of: np.ndarray, weights: np.ndarray,
              theme_weights: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Theme scores (n x T) and totals (n,) from normalised values (NaN = not available).

    ``theme_of[i]`` is the theme index of indicator i.  A theme without any available value
    for an organisation is NaN and left out of that organisation's total.
    """
    v = np.asarray(normalised, dtype=np.float64)
    avail = ~np.isnan(v)
    if method == "geometric":
        v = np.log(np.maximum(np.where(avail, v, GEOMETRIC_FLOOR), GEOMETRIC_FLOOR))
    elif method != "arithmetic":
        raise ValueError(f"unknown aggregation {method!r}")
    v = np.where(avail, v, 0.0)
    n, nt = v.shape[0], len(theme_weights)
    themes = np.full((n, nt), np.nan)
    num_total, den_total = np.zeros(n), np.zeros(n)
    for t in range(nt):
        cols = np.flatnonzero(theme_of == t)
        if cols.size == 0:
            continue
        w = np.asarray(weights, dtype=np.float64)[cols]
        den = avail[:, cols] @ w
        has = den > 0
        num = v[:, cols] @ w
        score = np.divide(num, den, out=np.zeros(n), where=has)
        themes[has, t] = score[has]
        num_total += np.where(has, theme_weights[t] * score, 0.0)
        den_total += np.where(has, theme_weights[t], 0.0)
    total = np.full(n, np.nan)
    has = den_total > 0
    total[has] = num_total[has] / den_total[has]
    if method == "geometric":
        themes, total = np.exp(themes), np.exp(total)
    return themes, total


def _ranks_rows(a: np.ndarray, dtype: Any = np.int64) -> np.ndarray:
    """Competition ranks (1 = highest, chained ties within TIE_TOLERANCE) of each row."""
    d, m = a.shape
    if m == 0:
        return np.zeros((d, 0), dtype=dtype)
    order = np.argsort(a, axis=1)  # ascending; the order among tied values does not matter
    srt = np.take_along_axis(a, order, axis=1)
    gaps = (srt[:, 1:] - srt[:, :-1]) > TIE_TOLERANCE  # a tie block ends before each gap
    if gaps.all():
        ranked = np.broadcast_to(np.arange(m, 0, -1, dtype=dtype), (d, m))
    else:
        end = np.empty((d, m), dtype=np.int32)
        end[:, -1] = m - 1
        np.copyto(end[:, :-1], np.arange(m - 1, dtype=np.int32))
        end[:, :-1][~gaps] = m - 1
        # the end of the tie block of each sorted position = first block end at or after it
        end = np.minimum.accumulate(end[:, ::-1], axis=1)[:, ::-1]
        ranked = (m - end).astype(dtype)
    out = np.empty((d, m), dtype=dtype)
    np.put_along_axis(out, order, ranked, axis=1)
    return out


def competition_ranks(scores: Sequence[float] | np.ndarray,
                      groups: Sequence[Any] | np.ndarray | None = None) -> np.ndarray:
    """Ranks "1, 2, 2, 4" (1 = highest score), within each group if ``groups`` is given."""
    s = np.asarray(scores, dtype=np.float64)
    if groups is None:
        return _ranks_rows(s[None, :])[0]
    g = np.asarray(groups)
    out = np.empty(s.size, dtype=np.int64)
    for key in np.unique(g):
        idx = np.flatnonzero(g == key)
        out[idx] = _ranks_rows(s[idx][None, :])[0]
    return out


# --------------------------------------------------------------------------- results

@dataclass(frozen=True)
class Summary:
    n: int
    min: float | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    max: float | None = None

    @classmethod
    def of(cls, values: np.ndarray) -> Summary:
        v = np.asarray(values, dtype=np.float64)
        v = v[~np.isnan(v)]
        if v.size == 0:
            return cls(0)
        q = np.percentile(v, [0, 25, 50, 75, 100], method="linear")
        return cls(int(v.size), *(float(a) for a in q))


def _summaries(a: np.ndarray) -> list[Summary]:
    """Summary.of for every column of a 2-D array (columns without NaN in one go)."""
    at = np.ascontiguousarray(np.asarray(a, dtype=np.float64).T)
    out: list[Summary | None] = [None] * at.shape[0]
    full = ~np.isnan(at).any(axis=1) if at.shape[1] else np.zeros(at.shape[0], bool)
    rows = np.flatnonzero(full)
    if rows.size:
        q = np.percentile(at[rows], [0, 25, 50, 75, 100], axis=1, method="linear")
        for k, j in enumerate(rows.tolist()):
            out[j] = Summary(at.shape[1], *(float(v) for v in q[:, k]))
    for j in np.flatnonzero(~full).tolist():
        out[j] = Summary.of(at[j])
    return out  # type: ignore[return-value]


@dataclass(frozen=True)
class GroupSummary:
    peer_group: str
    n_population: int
    n_ranked: int
    total: Summary
    themes: dict[str, Summary]


@dataclass(frozen=True)
class IndicatorSummary:
    indicator: str
    dropped: bool
    n_observed: int
    n_imputed: int
    raw: Summary
    treated: Summary
    normalised: Summary
    skewness: float | None
    kurtosis: float | None
    skewness_treated: float | None
    kurtosis_treated: float | None
    n_winsorised: int
    still_outlying: bool


@dataclass(frozen=True)
class WinsorisedValue:
    organisation: str
    indicator: str
    original: float
    treated: float
    side: str
    step: int  # first winsorisation step that changed this value
    imputed: bool


@dataclass(frozen=True)
class OrganisationResult:
    code: str
    status: str
    coverage: float
    peer_group: str
    peer_group_size: int
    raw: dict[str, float | None]
    imputed: dict[str, bool]
    treated: dict[str, float | None]
    normalised: dict[str, float | None]
    theme_scores: dict[str, float | None]
    total: float | None
    rank_overall: int | None
    rank_peer: int | None
    rank_peer_p05: float | None
    rank_peer_p50: float | None
    rank_peer_p95: float | None


def _f(v: Any) -> float | None:
    v = float(v)
    return None if math.isnan(v) else v


@dataclass(frozen=True, eq=False)
class EditionResult:
    """Engine output.  Rows are the population sorted by (peer group, code), in ``codes``
    order; matrices use NaN for "none" and rank 0 for "no rank".  ``organisations`` gives
    the same rows as ``OrganisationResult`` dataclasses (built lazily: use
    ``iter_organisations`` to stream very large editions; ``by_code`` to look one up)."""

    methodology: Methodology
    codes: tuple[str, ...]
    indicator_codes: tuple[str, ...]
    theme_codes: tuple[str, ...]
    status: tuple[str, ...]
    peer_groups_of: tuple[str, ...]
    peer_group_size: np.ndarray
    coverage: np.ndarray
    raw: np.ndarray
    imputed: np.ndarray
    treated: np.ndarray
    normalised: np.ndarray
    theme_scores: np.ndarray
    total: np.ndarray
    rank_overall: np.ndarray
    rank_peer: np.ndarray
    rank_peer_pct: np.ndarray  # (n, 3): p05, p50, p95
    excluded: tuple[str, ...]
    dropped_indicators: tuple[str, ...]
    winsorised: tuple[WinsorisedValue, ...]
    peer_groups: dict[str, GroupSummary]
    overall: GroupSummary
    indicators: dict[str, IndicatorSummary]

    def organisation(self, k: int) -> OrganisationResult:
        ic, tc = self.indicator_codes, self.theme_codes
        ranked = self.status[k] == STATUS_RANKED
        raw = self.raw[k].tolist()
        return OrganisationResult(
            code=self.codes[k], status=self.status[k], coverage=float(self.coverage[k]),
            peer_group=self.peer_groups_of[k], peer_group_size=int(self.peer_group_size[k]),
            raw={c: (None if math.isnan(v) else v) for c, v in zip(ic, raw)},
            imputed=dict(zip(ic, self.imputed[k].tolist())),
            treated={c: _f(v) for c, v in zip(ic, self.treated[k])},
            normalised={c: _f(v) for c, v in zip(ic, self.normalised[k])},
            theme_scores={c: _f(v) for c, v in zip(tc, self.theme_scores[k])} if ranked else {},
            total=_f(self.total[k]),
            rank_overall=int(self.rank_overall[k]) or None,
            rank_peer=int(self.rank_peer[k]) or None,
            rank_peer_p05=_f(self.rank_peer_pct[k, 0]),
            rank_peer_p50=_f(self.rank_peer_pct[k, 1]),
            rank_peer_p95=_f(self.rank_peer_pct[k, 2]))

    def iter_organisations(self) -> Iterator[OrganisationResult]:
        for k in range(len(self.codes)):
            yield self.organisation(k)

    @cached_property
    def organisations(self) -> tuple[OrganisationResult, ...]:
        return tuple(self.iter_organisations())

    @cached_property
    def by_code(self) -> dict[str, OrganisationResult]:
        return {o.code: o for o in self.organisations}

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (for export, storage and equality checks)."""
        return {
            "methodology": self.methodology.to_dict(),
            "organisations": [asdict(o) for o in self.organisations],
            "excluded": list(self.excluded),
            "dropped_indicators": list(self.dropped_indicators),
            "winsorised": [asdict(w) for w in self.winsorised],
            "peer_groups": {k: asdict(v) for k, v in self.peer_groups.items()},
            "overall": asdict(self.overall),
            "indicators": {k: asdict(v) for k, v in self.indicators.items()},
        }


# --------------------------------------------------------------------------- pipeline

def _treat(x: np.ndarray, method: str) -> tuple[np.ndarray, list[tuple[int, list[WinsorStep]]]]:
    """Winsorise every column (over its non-NaN values); returns (copy, per-column steps)."""
    if method == "none":
        return x.copy(), []
    xt = np.array(x.T, order="C", copy=True)  # never a view: x must stay untouched
    log: list[tuple[int, list[WinsorStep]]] = []
    for j in range(xt.shape[0]):
        col = xt[j]
        ok = ~np.isnan(col)
        complete = bool(ok.all())
        if not complete and ok.sum() < 4:
            continue
        treated, steps = winsorise(col if complete else col[ok])
        if steps:
            rows = np.arange(col.size) if complete else np.flatnonzero(ok)
            if complete:
                xt[j] = treated
            else:
                xt[j, ok] = treated
            log.append((j, [WinsorStep(s.step, s.side, tuple(int(rows[i]) for i in s.indices),
                                       s.from_value, s.to_value) for s in steps]))
    return np.ascontiguousarray(xt.T), log


def compute(organisations: Sequence[Organisation], methodology: Methodology,
            values: Mapping[tuple[str, str], float | None] | np.ndarray,
            *, workers: int | None = None) -> EditionResult:
    """Run the whole pipeline (module docstring).  ``values``: {(org, indicator): value}
    (absent or None = missing), or an (organisations x indicators) float matrix in
    methodology order with NaN = missing.  ``workers``: threads for the uncertainty
    analysis (default: up to MAX_WORKERS available CPUs; the result does not depend on it).
    Raises ``MethodologyError`` / ``InputError``."""
    m = methodology
    m.validate()
    x_in = _input_matrix(organisations, m, values)
    ind_codes = tuple(i.code for i in m.indicators)
    theme_codes = tuple(t.code for t in m.themes)
    theme_index = {c: t for t, c in enumerate(theme_codes)}
    theme_of = np.array([theme_index[i.theme] for i in m.indicators], dtype=np.int64)
    w = np.array([i.weight for i in m.indicators], dtype=np.float64)
    tw = np.array([t.weight for t in m.themes], dtype=np.float64)
    higher = np.array([i.direction == "higher" for i in m.indicators], dtype=bool)
    targets = np.array([np.nan if i.target is None else i.target for i in m.indicators])
    ni = len(ind_codes)

    # Population; from here on in the canonical order (peer group, code).
    in_pop = ~np.isnan(x_in).all(axis=1) if ni else np.zeros(len(organisations), bool)
    excluded = tuple(sorted(o.code for o, p in zip(organisations, in_pop.tolist()) if not p))
    pop_idx = np.flatnonzero(in_pop)
    pop_orgs = [organisations[k] for k in pop_idx.tolist()]
    group_names, gid_pop = np.unique(
        np.array([peer_group(o, m.peer_groups) for o in pop_orgs], dtype=object).astype(str),
        return_inverse=True)
    codes_pop = np.array([o.code for o in pop_orgs], dtype=str)
    canon = np.lexsort((codes_pop, gid_pop)) if pop_orgs else np.zeros(0, np.int64)
    n = len(pop_orgs)
    x = x_in[pop_idx[canon]]
    codes_c = codes_pop[canon].tolist()
    gid = gid_pop[canon].astype(np.int64)
    group_names = group_names.tolist()
    groups_c = [group_names[g] for g in gid.tolist()]

    coverage = (~np.isnan(x)).sum(axis=1) / ni if n else np.zeros(0)
    ranked = coverage >= m.min_coverage - COVERAGE_TOLERANCE
    r_idx = np.flatnonzero(ranked)
    xs = x[r_idx]
    gs = gid[r_idx]
    kept = (~np.isnan(xs)).any(axis=0) if r_idx.size else np.zeros(ni, bool)
    dropped = tuple(c for c, k in zip(ind_codes, kept) if not k)

    cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, list]] = {}

    def prepared(imputation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
        """(imputed, treated, imputed flags, winsorisation log) of the ranked rows."""
        if imputation not in cache:
            filled, flags = impute(xs, gs, imputation)
            treated, log = _treat(filled, m.outliers)
            cache[imputation] = (filled, treated, flags, log)
        return cache[imputation]

    filled_s, treated_s, flags_s, wlog = prepared(m.imputation)
    norm_s = normalise(treated_s, higher, m.normalisation, targets)
    theme_s, total_s = aggregate(norm_s, theme_of, w, tw, m.aggregation)
    if m.normalisation != "zscore":
        lo = GEOMETRIC_FLOOR if m.aggregation == "geometric" else 0.0
        theme_s = np.clip(theme_s, lo, 100.0)
        total_s = np.clip(total_s, lo, 100.0)
    rank_all_s = competition_ranks(total_s) if r_idx.size else np.zeros(0, np.int64)
    bounds = _group_bounds(gs)
    rank_peer_s = np.zeros(r_idx.size, dtype=np.int64)
    for a, b in bounds:
        rank_peer_s[a:b] = _ranks_rows(total_s[None, a:b])[0]

    pct_s = np.full((r_idx.size, 3), np.nan)
    u = m.uncertainty
    if u.draws > 0 and r_idx.size:
        pct_s = _uncertainty(m, prepared, kept, theme_of, w, tw, higher, bounds, workers)

    # Ranked rows scattered into the population rows.
    def scatter(a: np.ndarray, fill: Any, dtype: Any = np.float64) -> np.ndarray:
        if r_idx.size == n:
            return np.asarray(a, dtype=dtype)
        out = np.full((n, *a.shape[1:]), fill, dtype=dtype)
        out[r_idx] = a
        return out

    size_by_group = np.bincount(gs, minlength=len(group_names))

    # Winsorisation record (canonical order of organisations within an indicator).
    winsorised: list[WinsorisedValue] = []
    n_changed: dict[int, int] = {}
    for j, steps in wlog:
        first: dict[int, tuple[str, int]] = {}
        for st in steps:
            for row in st.indices:
                first.setdefault(row, (st.side, st.step))
        n_changed[j] = len(first)
        for row, (side, step) in sorted(first.items()):
            winsorised.append(WinsorisedValue(
                codes_c[r_idx[row]], ind_codes[j], float(filled_s[row, j]),
                float(treated_s[row, j]), side, step, bool(flags_s[row, j])))

    # Summaries.
    peer_summ = {}
    theme_cols = _summaries(theme_s) if theme_s.size else []
    for g, name in enumerate(group_names):
        sel = gs == g
        sub = _summaries(np.column_stack((total_s[sel], theme_s[sel])))
        peer_summ[name] = GroupSummary(name, int((gid == g).sum()), int(sel.sum()), sub[0],
                                       dict(zip(theme_codes, sub[1:])))
    overall = GroupSummary("overall", n, int(r_idx.size), Summary.of(total_s),
                           dict(zip(theme_codes, theme_cols)) if theme_cols else
                           {c: Summary(0) for c in theme_codes})
    raw_summ, treated_summ, norm_summ = (_summaries(a) for a in (xs, treated_s, norm_s))
    ind_summ = {}
    for j, c in enumerate(ind_codes):
        before = _skew_kurt(filled_s[:, j][~np.isnan(filled_s[:, j])])
        after = _skew_kurt(treated_s[:, j][~np.isnan(treated_s[:, j])])
        ind_summ[c] = IndicatorSummary(
            indicator=c, dropped=not bool(kept[j]),
            n_observed=raw_summ[j].n, n_imputed=int(flags_s[:, j].sum()),
            raw=raw_summ[j], treated=treated_summ[j], normalised=norm_summ[j],
            skewness=before and before[0], kurtosis=before and before[1],
            skewness_treated=after and after[0], kurtosis_treated=after and after[1],
            n_winsorised=n_changed.get(j, 0),
            still_outlying=m.outliers == "winsorise" and _fails(after))

    return EditionResult(
        methodology=m, codes=tuple(codes_c), indicator_codes=ind_codes,
        theme_codes=theme_codes,
        status=tuple(STATUS_RANKED if r else STATUS_INSUFFICIENT for r in ranked.tolist()),
        peer_groups_of=tuple(groups_c), peer_group_size=_frozen(size_by_group[gid]),
        coverage=_frozen(coverage), raw=_frozen(x),
        imputed=_frozen(scatter(flags_s, False, bool)),
        treated=_frozen(scatter(treated_s, np.nan)), normalised=_frozen(scatter(norm_s, np.nan)),
        theme_scores=_frozen(scatter(theme_s, np.nan)), total=_frozen(scatter(total_s, np.nan)),
        rank_overall=_frozen(scatter(rank_all_s, 0, np.int64)),
        rank_peer=_frozen(scatter(rank_peer_s, 0, np.int64)),
        rank_peer_pct=_frozen(scatter(pct_s, np.nan)),
        excluded=excluded, dropped_indicators=dropped, winsorised=tuple(winsorised),
        peer_groups=peer_summ, overall=overall, indicators=ind_summ)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


def _group_bounds(g: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of equal, sorted group ids."""
    if g.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(g)) + 1
    starts = np.concatenate(([0], cuts))
    stops = np.concatenate((cuts, [g.size]))
    return list(zip(starts.tolist(), stops.tolist()))


def _workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus))


def _uncertainty(m: Methodology, prepared: Any, kept: np.ndarray, theme_of: np.ndarray,
                 w0: np.ndarray, tw0: np.ndarray, higher: np.ndarray,
                 bounds: list[tuple[int, int]], workers: int | None = None) -> np.ndarray:
    """(n_ranked, 3) peer-rank percentiles over the Monte Carlo draws (step 8).

    All random numbers are drawn first.  Then, one peer group at a time, the draws are split
    by (imputation, normalisation, aggregation) and into chunks of at most _CHUNK_ELEMENTS
    cells, which run on a few threads (numpy releases the GIL in matrix products and
    sorts).  Each chunk writes only its own rows of the group's ranks, so the result does
    not depend on chunks or threads; memory for ranks is (draws x largest group).
    """
    u = m.uncertainty
    draws, a = u.draws, u.weight_noise
    rng = np.random.default_rng(u.seed)
    r1 = rng.random((draws, len(w0)))
    r2 = rng.random((draws, len(tw0)))
    r3 = rng.random((draws, 3))
    w = w0 * (1.0 - a + 2.0 * a * r1)
    tw = tw0 * (1.0 - a + 2.0 * a * r2)
    w[:, ~kept] = 0.0  # dropped indicators
    choice = r3 >= 0.5
    norm_k, agg_k, imp_k = choice[:, 0], choice[:, 1], choice[:, 2]
    theme_cols = [np.flatnonzero((theme_of == t) & kept) for t in range(len(tw0))]
    imputations = ("none",) if m.imputation == "none" else ("peer_median", "peer_mean")

    variants = []  # (values, availability or None when complete, geometric?, draw indices)
    for imp in imputations:
        treated_t = np.ascontiguousarray(prepared(imp)[1].T)  # indicators x organisations
        avail = ~np.isnan(treated_t)
        availf = None if bool(avail[kept].all()) else avail.astype(np.float64)
        imp_sel = np.ones(draws, bool) if imp == "none" else (imp_k == (imp == "peer_mean"))
        for zscore in (False, True):
            nv = _normalise_t(treated_t, higher, "zscore" if zscore else "minmax")
            nv[~avail] = 0.0
            logv = np.log(np.maximum(nv, GEOMETRIC_FLOOR))
            logv[~avail] = 0.0
            for geo in (False, True):
                sel = np.flatnonzero(imp_sel & (norm_k == zscore) & (agg_k == geo))
                if sel.size:
                    variants.append((logv if geo else nv, availf, geo, sel))

    n = prepared(m.imputation)[1].shape[0]
    pct = np.empty((n, len(PERCENTILES)))
    workers = workers or _workers()
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        for s, b in bounds:  # one peer group at a time bounds the memory for its ranks
            size = b - s
            ranks = np.empty((draws, size), dtype=np.uint16 if size < 2 ** 16 else np.int32)
            chunk = max(1, min(draws, _CHUNK_ELEMENTS // size))

            def run(task: tuple, s: int = s, b: int = b, ranks: np.ndarray = ranks) -> None:
                vals, availf, geo, dsel = task
                if availf is None:
                    tot = _totals_complete(vals[:, s:b], w[dsel], tw[dsel], theme_cols)
                else:
                    tot = _totals_masked(vals[:, s:b], availf[:, s:b], w[dsel], tw[dsel],
                                         theme_cols)
                if geo:
                    np.exp(tot, out=tot)
                ranks[dsel] = _ranks_rows(tot, ranks.dtype)

            tasks = [(vals, availf, geo, sel[c0:c0 + chunk])
                     for vals, availf, geo, sel in variants
                     for c0 in range(0, sel.size, chunk)]
            if pool is None or len(tasks) == 1:
                for task in tasks:
                    run(task)
            else:
                list(pool.map(run, tasks))  # re-raises the first error
            pct[s:b] = _percentiles(ranks)
    finally:
        if pool is not None:
            pool.shutdown()
    return pct


def _percentiles(ranks: np.ndarray) -> np.ndarray:
    """numpy.percentile(ranks, PERCENTILES, axis=0, method="linear").T rounded, computed the
    way numpy does but on sorted columns: h = (d - 1) (p / 100), g = h - floor(h),
    a = v[floor(h)], b = v[floor(h) + 1]; a + (b - a) g, or b - (b - a)(1 - g) when g >= 0.5."""
    d, n = ranks.shape
    h = (d - 1) * (np.asarray(PERCENTILES) / 100.0)
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, d - 1)
    g = h - lo
    out = np.empty((n, len(PERCENTILES)))
    step = max(1, _CHUNK_ELEMENTS // max(d, 1))
    for c0 in range(0, n, step):
        block = np.sort(np.ascontiguousarray(ranks[:, c0:c0 + step].T), axis=1)
        a = block[:, lo].astype(np.float64)
        diff = block[:, hi].astype(np.float64) - a
        out[c0:c0 + step] = np.where(g >= 0.5, (a + diff) - diff * (1 - g), a + diff * g)
    return np.round(out, PERCENTILE_DECIMALS)


def _totals_complete(vals_t: np.ndarray, w: np.ndarray, tw: np.ndarray,
                     theme_cols: list[np.ndarray]) -> np.ndarray:
    """(d, n) totals when every kept value is present: one matrix product with effective
    weights e_i = (W_t / sum W) * (w_i / sum_{i in t} w_i).  ``vals_t``: indicators x n."""
    e = np.zeros_like(w)
    live = [t for t, cols in enumerate(theme_cols) if cols.size]
    wsum = tw[:, live].sum(axis=1)
    for t in live:
        cols = theme_cols[t]
        e[:, cols] = w[:, cols] * (tw[:, t] / (wsum * w[:, cols].sum(axis=1)))[:, None]
    return e @ vals_t


def _totals_masked(vals_t: np.ndarray, avail_t: np.ndarray, w: np.ndarray, tw: np.ndarray,
                   theme_cols: list[np.ndarray]) -> np.ndarray:
    """(d, n) totals with missing values (imputation 'none'): per theme and organisation,
    weights renormalised over the values present; themes without values left out."""
    d, n = w.shape[0], vals_t.shape[1]
    num_total, den_total = np.zeros((d, n)), np.zeros((d, n))
    for t, cols in enumerate(theme_cols):
        if cols.size == 0:
            continue
        den = w[:, cols] @ avail_t[cols]
        num = w[:, cols] @ vals_t[cols]
        has = den > 0
        score = np.divide(num, den, out=np.zeros((d, n)), where=has)
        num_total += np.where(has, tw[:, t:t + 1] * score, 0.0)
        den_total += np.where(has, tw[:, t:t + 1], 0.0)
    return np.divide(num_total, den_total, out=np.zeros((d, n)), where=den_total > 0)
