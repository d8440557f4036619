"""Jury scoring for the MVI prize: a pure, deterministic engine.

Plain dataclasses in, plain dataclasses out; no Flask, no SQLAlchemy, no randomness. The
same input (in any order) gives the same output, bit for bit: jurors, nominations and
categories are processed in a canonical order (ids sorted by ``(type name, value)``),
criteria in the order of the rubric.

Inputs
------
* :class:`Rules` -- the published rubric: the score scale ``[scale_min, scale_max]``, the
  criteria (unique ``code``, ``weight`` > 0), ``normalise`` (default on),
  ``min_scores_for_normalisation`` (default 3), ``trim_from`` (default 5; ``None`` = never
  trim), ``benchmark_weight`` (default 0.3) and ``disagreement_span`` (default 3.0 points).
* :class:`Nomination` -- id, category and the benchmark total (0-100). A ``None`` benchmark
  total is an **error** (:class:`ScoringError`): eligibility for the prize requires a ranked
  benchmark result, so the caller must exclude such a nomination before scoring.
* :class:`Score` -- one juror's score for one criterion of one nomination, on the scale.
  Unknown nominations or criteria, values off the scale and duplicates are errors.
* ``tie_decisions`` -- the chair's recorded decisions: ordered lists of nomination ids,
  best first, one list per tie group.

The rules, in the order they are applied (all arithmetic in IEEE doubles)
--------------------------------------------------------------------------
1. **Juror total.** For juror *j* and nomination *n*:
   ``total = sum(w_c * s_c) / sum(w_c)`` over all criteria *c*, computed only when *j*
   scored every criterion of *n*. A juror who scored some but not all criteria of a
   nomination has an *incomplete set*: it is reported (juror, nomination, missing codes)
   and not used anywhere below. A juror who scored none simply did not judge *n*.
2. **Normalisation** (when ``normalise``), per category. For each juror with at least
   ``min_scores_for_normalisation`` totals in the category, ``mean_j`` and ``sd_j`` are the
   mean and *population* standard deviation (divide by N) of that juror's totals in the
   category, and ``z = (total - mean_j) / sd_j`` (``z = 0`` when ``sd_j = 0``; a ``sd_j``
   below ``1e-12 * (scale_max - scale_min)`` counts as 0, which only absorbs rounding
   noise). Their adjusted total is ``mu + sigma * z``, where ``mu`` and ``sigma`` are the
   mean and population standard deviation of *all* juror totals in the category (every
   juror, every nomination of the category). Jurors below the threshold, and everybody when
   ``normalise`` is off, keep their raw total as adjusted total. Adjusted totals may leave
   the scale; step 4 clips.
3. **Jury aggregate.** The mean of the nomination's adjusted totals; when it has
   ``trim_from`` or more totals, first drop exactly one highest and one lowest, i.e.
   ``(sum - max - min) / (k - 2)``.
4. **Jury score.** ``jury = 100 * (aggregate - scale_min) / (scale_max - scale_min)``,
   clipped to ``[0, 100]``.
5. **Combined score.** ``combined = (1 - benchmark_weight) * jury + benchmark_weight *
   benchmark_total``.
6. **Rank**, within the category, 1 = best, over the nominations that have a jury score.
   Sort by combined score, descending. Nominations whose combined scores chain within
   ``1e-9`` of each other (each within 1e-9 of the next in sorted order) form a tie group.
   A tie group is ordered by, in turn: the higher benchmark total; the higher *median raw
   total* (the median of its juror totals from step 1; mean of the two middle ones for an
   even count); the chair's decision -- applied when one recorded list contains every
   member of the (remaining) group, which is then ordered by position in that list. Each
   of the first two levels splits the group the same way (values within 1e-9 stay
   together). Members still together after all levels *share* a rank. Ranks are
   competition ranks: ``1 + the number of nominations strictly ahead`` ("1, 2, 2, 4").
   Each nomination's ``trail`` has one entry per other member of its tie group (in final
   order), saying which rule decided between the two: a plain dict ``{"rule":
   "benchmark_total" | "median_raw_total" | "chair_decision" | "shared", "against": <the
   other nomination id>, "outcome": "ahead" | "behind" | "shared", "value": <own value
   under that rule>, "other_value": <theirs>}`` (for the chair: 1-based positions in the
   list; for ``shared``: ``None``). Untied nominations have an empty trail.
7. **Agreement and robustness** (reported, never used for the rank).
   *Krippendorff's alpha*, interval level, over the juror x nomination matrix of raw totals
   from step 1 (missing cells allowed), per category and over all nominations; ``None``
   when undefined (no nomination with two or more totals, or no variation among those
   totals). Computed with the ``krippendorff`` package when that is cheap (its cost grows
   with units x distinct values^2; used up to :data:`KRIPPENDORFF_PACKAGE_MAX_CELLS`),
   otherwise with the algebraically identical closed form
   ``alpha = 1 - (n - 1) * sum_u(m_u / (m_u - 1) * SS_u) / (n * SS)`` over the units *u*
   with ``m_u >= 2`` values (``SS_u``: squared deviations from the unit mean; ``n = sum
   m_u``; ``SS``: squared deviations of all those values from their grand mean); the tests
   check that both agree. *Disagreement*: a nomination's raw totals span ``max - min >=
   disagreement_span`` (tolerance 1e-9). *Stability*: the nomination's rank recomputed
   with the benchmark weight moved by -0.1 and +0.1 (clipped to ``[0, 1]`` and rounded to
   12 decimals, so 0.3 - 0.1 is 0.2) and with normalisation off, all other rules and the
   chair's decisions unchanged; ``stable`` when all three equal the published rank.

A nomination without any complete juror total has no jury score: status ``no_scores``,
not ranked (rank ``None``). Every other nomination has status ``ranked``.

Note on normalisation: adding a constant to one normalised juror's scores leaves that
juror's z-scores unchanged, but ``mu`` and ``sigma`` are pooled over the category, so they
move. With every juror normalised and benchmark weight 0 that is an increasing affine change
for all nominations alike and the ranking holds; otherwise the spread of the jury score
against the benchmark (or against un-normalised jurors) changes and the ranking can move.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import krippendorff
import numpy as np

__all__ = [
    "TIE_TOLERANCE",
    "TRAIL_RULES",
    "CategoryResult",
    "Criterion",
    "IncompleteSet",
    "JurorStats",
    "Nomination",
    "NominationResult",
    "Rules",
    "Score",
    "ScoringError",
    "ScoringResult",
    "Stability",
    "compute_results",
    "krippendorff_interval_alpha",
]

TIE_TOLERANCE = 1e-9
#: Rules that can appear in a trail entry, in the order they are tried.
TRAIL_RULES = ("benchmark_total", "median_raw_total", "chair_decision", "shared")
STABILITY_STEP = 0.1
_SD_ZERO_RELATIVE = 1e-12
#: Above this many units x distinct values^2 the closed form replaces the package.
KRIPPENDORFF_PACKAGE_MAX_CELLS = 250_000

STATUS_RANKED = "ranked"
STATUS_NO_SCORES = "no_scores"


class ScoringError(ValueError):
    """Invalid scoring input; ``problems`` lists the individual findings."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems = tuple(problems)
        if self.problems:
            shown = "; ".join(self.problems[:10])
            more = len(self.problems) - 10
            message = f"{message}: {shown}" + (f" (and {more} more)" if more > 0 else "")
        super().__init__(message)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Criterion:
    code: str
    weight: float


@dataclass(frozen=True)
class Rules:
    scale_min: float
    scale_max: float
    criteria: tuple[Criterion, ...]
    normalise: bool = True
    min_scores_for_normalisation: int = 3
    trim_from: int | None = 5
    benchmark_weight: float = 0.3
    disagreement_span: float = 3.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "criteria", tuple(self.criteria))
        problems = []
        if not (_is_real(self.scale_min) and _is_real(self.scale_max)):
            problems.append("scale bounds must be finite numbers")
        elif not self.scale_min < self.scale_max:
            problems.append("scale_min must be below scale_max")
        if not self.criteria:
            problems.append("at least one criterion is required")
        codes = [c.code for c in self.criteria]
        if len(set(codes)) != len(codes):
            problems.append(f"criterion codes must be unique: {codes}")
        for c in self.criteria:
            if not isinstance(c.code, str) or not c.code:
                problems.append(f"criterion code must be a non-empty string: {c.code!r}")
            if not (_is_real(c.weight) and c.weight > 0):
                problems.append(f"criterion {c.code!r}: weight must be a number > 0")
        if not isinstance(self.normalise, bool):
            problems.append("normalise must be a bool")
        if not _is_int(self.min_scores_for_normalisation) or self.min_scores_for_normalisation < 2:
            problems.append("min_scores_for_normalisation must be an integer >= 2")
        if self.trim_from is not None and (not _is_int(self.trim_from) or self.trim_from < 3):
            problems.append("trim_from must be None or an integer >= 3")
        if not (_is_real(self.benchmark_weight) and 0 <= self.benchmark_weight <= 1):
            problems.append("benchmark_weight must be between 0 and 1")
        if not (_is_real(self.disagreement_span) and self.disagreement_span > 0):
            problems.append("disagreement_span must be a number > 0")
        if problems:
            raise ScoringError("invalid rules", problems)


@dataclass(frozen=True)
class Nomination:
    id: Hashable
    category: str
    benchmark_total: float | None


@dataclass(frozen=True)
class Score:
    juror: Hashable
    nomination: Hashable
    criterion: str
    value: float


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class IncompleteSet:
    juror: Hashable
    nomination: Hashable
    missing: tuple[str, ...]  # criterion codes, in rubric order


@dataclass(frozen=True)
class JurorStats:
    """One juror's totals in one category (step 2)."""

    juror: Hashable
    count: int
    mean: float
    sd: float  # population standard deviation
    normalised: bool


@dataclass(frozen=True)
class Stability:
    weight_minus: float
    rank_weight_minus: int
    weight_plus: float
    rank_weight_plus: int
    rank_unnormalised: int
    stable: bool


@dataclass(frozen=True)
class NominationResult:
    nomination: Hashable
    category: str
    status: str  # "ranked" | "no_scores"
    jurors: int  # number of complete juror totals
    raw_totals: dict[Hashable, float]  # juror -> step-1 total
    adjusted_totals: dict[Hashable, float]  # juror -> step-2 total
    raw_mean: float | None
    raw_median: float | None
    aggregate: float | None  # step 3, on the score scale
    trimmed: bool
    jury_score: float | None
    benchmark_score: float
    combined_score: float | None
    rank: int | None
    trail: tuple[dict[str, Any], ...]
    disagreement: bool
    stability: Stability | None


@dataclass(frozen=True)
class CategoryResult:
    category: str
    mean: float | None  # mu: mean of all raw totals in the category
    sd: float | None  # sigma: their population standard deviation
    juror_stats: tuple[JurorStats, ...]
    krippendorff_alpha: float | None
    ranking: tuple[Hashable, ...]  # ranked nominations, best first
    no_scores: tuple[Hashable, ...]
    shared_ranks: tuple[tuple[Hashable, ...], ...]  # tie groups no rule could split
    incomplete: tuple[IncompleteSet, ...]


@dataclass(frozen=True)
class ScoringResult:
    rules: Rules
    nominations: dict[Hashable, NominationResult]  # by category, then rank
    categories: dict[str, CategoryResult]
    krippendorff_alpha: float | None  # over all nominations
    incomplete: tuple[IncompleteSet, ...] = field(default=())


# --------------------------------------------------------------------------- helpers


def _is_real(x: object) -> bool:
    return (
        isinstance(x, (numbers.Real, Decimal))
        and not isinstance(x, bool)
        and math.isfinite(float(x))  # type: ignore[arg-type]
    )


def _is_int(x: object) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _canon(x: Hashable) -> tuple[str, Any]:
    return (type(x).__name__, x)


def _numeric_types_ok(types: Iterable[type]) -> bool:
    return all(
        (issubclass(t, (numbers.Real, Decimal))) and not issubclass(t, bool) for t in types
    )


# --------------------------------------------------------------------------- engine


def compute_results(
    rules: Rules,
    nominations: Iterable[Nomination],
    scores: Iterable[Score],
    tie_decisions: Iterable[Sequence[Hashable]] = (),
) -> ScoringResult:
    """Apply the rules in the module docstring; raise :class:`ScoringError` on bad input."""
    noms = _check_nominations(nominations)
    nom_index = {n.id: i for i, n in enumerate(noms)}
    jurors, cube = _score_cube(rules, list(scores), nom_index)
    chair = _check_tie_decisions(tie_decisions, nom_index)

    n_crit = len(rules.criteria)
    weights = np.array([float(c.weight) for c in rules.criteria])
    present = ~np.isnan(cube)
    counts = present.sum(axis=2)
    complete = counts == n_crit
    totals = np.where(complete, (cube * weights).sum(axis=2) / weights.sum(), np.nan)

    incomplete_all: list[IncompleteSet] = []
    for j, n in zip(*np.nonzero((counts > 0) & ~complete), strict=True):
        missing = tuple(
            c.code for k, c in enumerate(rules.criteria) if not present[j, n, k]
        )
        incomplete_all.append(IncompleteSet(jurors[j], noms[n].id, missing))

    bench = np.array([float(n.benchmark_total) for n in noms])  # type: ignore[arg-type]
    span = rules.scale_max - rules.scale_min
    bw = float(rules.benchmark_weight)
    bw_minus = round(max(0.0, bw - STABILITY_STEP), 12)
    bw_plus = round(min(1.0, bw + STABILITY_STEP), 12)

    by_category: dict[str, list[int]] = {}
    for i, n in enumerate(noms):
        by_category.setdefault(n.category, []).append(i)

    results: dict[Hashable, NominationResult] = {}
    categories: dict[str, CategoryResult] = {}
    for category in sorted(by_category):
        idx = np.array(by_category[category])
        raw = totals[:, idx]  # jurors x nominations of this category
        mask = ~np.isnan(raw)
        stats, adjusted, mu, sigma = _normalise(raw, mask, rules, rules.normalise)
        agg, k, trimmed = _aggregate(adjusted, mask, rules.trim_from)
        jury = _jury_score(agg, rules, span)
        scored = k > 0
        combined = (1.0 - bw) * jury + bw * bench[idx]
        median = _column_median(raw, mask)
        members = [int(p) for p in np.nonzero(scored)[0]]
        ids = [noms[i].id for i in idx]
        chair_local = _localise_chair(chair, idx)

        ranks, order, shared, trails = _rank(
            members, combined, bench[idx], median, chair_local, ids, with_trail=True
        )
        ranks_minus = _rank(
            members, (1 - bw_minus) * jury + bw_minus * bench[idx], bench[idx], median,
            chair_local, ids,
        )[0]
        ranks_plus = _rank(
            members, (1 - bw_plus) * jury + bw_plus * bench[idx], bench[idx], median,
            chair_local, ids,
        )[0]
        if rules.normalise:
            _, adj_raw, _, _ = _normalise(raw, mask, rules, False)
            jury_raw = _jury_score(_aggregate(adj_raw, mask, rules.trim_from)[0], rules, span)
            ranks_unnorm = _rank(
                members, (1 - bw) * jury_raw + bw * bench[idx], bench[idx], median,
                chair_local, ids,
            )[0]
        else:
            ranks_unnorm = ranks

        raw_l, adj_l = raw.T.tolist(), adjusted.T.tolist()
        mask_l = mask.T.tolist()
        stats_l = [
            JurorStats(jurors[j], int(c), float(m), float(s), bool(z))
            for j, (c, m, s, z) in enumerate(zip(*stats, strict=True))
            if c > 0
        ]
        disagree_tol = rules.disagreement_span - TIE_TOLERANCE
        cat_results: dict[int, NominationResult] = {}
        for p, i in enumerate(idx):
            juror_pos = [j for j, ok in enumerate(mask_l[p]) if ok]
            raw_totals = {jurors[j]: raw_l[p][j] for j in juror_pos}
            adj_totals = {jurors[j]: adj_l[p][j] for j in juror_pos}
            if scored[p]:
                values = list(raw_totals.values())
                stab = Stability(
                    bw_minus, ranks_minus[p], bw_plus, ranks_plus[p], ranks_unnorm[p],
                    ranks_minus[p] == ranks_plus[p] == ranks_unnorm[p] == ranks[p],
                )
                cat_results[p] = NominationResult(
                    nomination=ids[p], category=category, status=STATUS_RANKED,
                    jurors=len(values), raw_totals=raw_totals, adjusted_totals=adj_totals,
                    raw_mean=float(np.mean(values)), raw_median=float(median[p]),
                    aggregate=float(agg[p]), trimmed=bool(trimmed[p]),
                    jury_score=float(jury[p]), benchmark_score=float(bench[i]),
                    combined_score=float(combined[p]), rank=ranks[p],
                    trail=tuple(trails.get(p, ())),
                    disagreement=max(values) - min(values) >= disagree_tol,
                    stability=stab,
                )
            else:
                cat_results[p] = NominationResult(
                    nomination=ids[p], category=category, status=STATUS_NO_SCORES,
                    jurors=0, raw_totals={}, adjusted_totals={}, raw_mean=None,
                    raw_median=None, aggregate=None, trimmed=False, jury_score=None,
                    benchmark_score=float(bench[i]), combined_score=None, rank=None,
                    trail=(), disagreement=False, stability=None,
                )
        no_scores = [p for p in range(len(idx)) if not scored[p]]
        for p in [*order, *no_scores]:
            results[ids[p]] = cat_results[p]
        id_set = set(ids)
        categories[category] = CategoryResult(
            category=category,
            mean=None if mu is None else float(mu),
            sd=None if sigma is None else float(sigma),
            juror_stats=tuple(stats_l),
            krippendorff_alpha=krippendorff_interval_alpha(raw),
            ranking=tuple(ids[p] for p in order),
            no_scores=tuple(ids[p] for p in no_scores),
            shared_ranks=tuple(tuple(ids[p] for p in g) for g in shared),
            incomplete=tuple(s for s in incomplete_all if s.nomination in id_set),
        )

    return ScoringResult(
        rules=rules,
        nominations=results,
        categories=categories,
        krippendorff_alpha=krippendorff_interval_alpha(totals),
        incomplete=tuple(incomplete_all),
    )


# --------------------------------------------------------------------------- validation


def _check_nominations(nominations: Iterable[Nomination]) -> list[Nomination]:
    noms = list(nominations)
    problems = []
    seen: set[Hashable] = set()
    for n in noms:
        if n.id in seen:
            problems.append(f"duplicate nomination id {n.id!r}")
        seen.add(n.id)
        if not isinstance(n.category, str) or not n.category:
            problems.append(f"nomination {n.id!r}: category must be a non-empty string")
        if n.benchmark_total is None:
            problems.append(
                f"nomination {n.id!r} has no benchmark total (eligibility requires a ranked "
                "benchmark result)"
            )
        elif not _is_real(n.benchmark_total) or not 0 <= float(n.benchmark_total) <= 100:
            problems.append(f"nomination {n.id!r}: benchmark total must be a number in 0-100")
    if problems:
        raise ScoringError("invalid nominations", problems)
    return sorted(noms, key=lambda n: _canon(n.id))


def _score_cube(
    rules: Rules, scores: list[Score], nom_index: Mapping[Hashable, int]
) -> tuple[list[Hashable], np.ndarray]:
    """Return (canonically sorted juror ids, jurors x nominations x criteria, NaN = none)."""
    n_nom, n_crit = len(nom_index), len(rules.criteria)
    juror_ids = [s.juror for s in scores]
    jurors = sorted(set(juror_ids), key=_canon)
    if not scores:
        return jurors, np.full((0, n_nom, n_crit), np.nan)
    crit_index = {c.code: k for k, c in enumerate(rules.criteria)}
    juror_index = {j: i for i, j in enumerate(jurors)}
    count = len(scores)
    ni = np.fromiter((nom_index.get(s.nomination, -1) for s in scores), np.intp, count)
    ci = np.fromiter((crit_index.get(s.criterion, -1) for s in scores), np.intp, count)
    ji = np.fromiter((juror_index[j] for j in juror_ids), np.intp, count)
    problems = []
    for p in np.nonzero(ni < 0)[0][:10]:
        problems.append(f"score for unknown nomination {scores[p].nomination!r}")
    for p in np.nonzero(ci < 0)[0][:10]:
        problems.append(f"score for unknown criterion {scores[p].criterion!r}")
    if problems:
        raise ScoringError("invalid scores", problems)
    if not _numeric_types_ok({type(s.value) for s in scores}):
        bad = [s for s in scores if not _numeric_types_ok([type(s.value)])]
        raise ScoringError(
            "invalid scores", [f"{s.juror!r}/{s.nomination!r}/{s.criterion}: {s.value!r}"
                               for s in bad]
        )
    values = np.fromiter((s.value for s in scores), float, count)
    lo, hi = float(rules.scale_min), float(rules.scale_max)
    bad_pos = np.nonzero(~(np.isfinite(values) & (values >= lo) & (values <= hi)))[0]
    if bad_pos.size:
        raise ScoringError(
            f"scores outside the scale {lo:g}-{hi:g}",
            [f"{scores[p].juror!r}/{scores[p].nomination!r}/{scores[p].criterion}: "
             f"{scores[p].value!r}" for p in bad_pos],
        )
    flat = (ji * n_nom + ni) * n_crit + ci
    size = len(jurors) * n_nom * n_crit
    dup = np.nonzero(np.bincount(flat, minlength=size) > 1)[0]
    if dup.size:
        problems = []
        for f in dup:
            j, rest = divmod(int(f), n_nom * n_crit)
            n, k = divmod(rest, n_crit)
            problems.append(f"{jurors[j]!r} scored {rules.criteria[k].code} of nomination "
                            f"#{n} twice")
        raise ScoringError("duplicate scores", problems)
    cube = np.full(size, np.nan)
    cube[flat] = values
    return jurors, cube.reshape(len(jurors), n_nom, n_crit)


def _check_tie_decisions(
    decisions: Iterable[Sequence[Hashable]], nom_index: Mapping[Hashable, int]
) -> list[dict[int, int]]:
    """Return each decision as {nomination index: position}; reject contradictions."""
    out: list[dict[int, int]] = []
    before: set[tuple[int, int]] = set()
    problems = []
    for d, decision in enumerate(decisions):
        if isinstance(decision, (str, bytes)):
            problems.append(f"tie decision #{d} must be a list of nomination ids")
            continue
        positions: dict[int, int] = {}
        for pos, nid in enumerate(decision):
            if nid not in nom_index:
                problems.append(f"tie decision #{d}: unknown nomination {nid!r}")
            elif nom_index[nid] in positions:
                problems.append(f"tie decision #{d}: nomination {nid!r} listed twice")
            else:
                positions[nom_index[nid]] = pos
        ordered = sorted(positions, key=positions.__getitem__)
        for a_pos, a in enumerate(ordered):
            for b in ordered[a_pos + 1:]:
                if (b, a) in before:
                    problems.append(f"tie decisions contradict each other (#{d})")
                before.add((a, b))
        out.append(positions)
    if problems:
        raise ScoringError("invalid tie decisions", sorted(set(problems)))
    return out


# --------------------------------------------------------------------------- steps 2-4


def _normalise(
    raw: np.ndarray, mask: np.ndarray, rules: Rules, normalise: bool
) -> tuple[tuple[np.ndarray, ...], np.ndarray, float | None, float | None]:
    """Step 2 for one category. Returns ((count, mean, sd, normalised) per juror,
    adjusted totals (NaN where no total), mu, sigma)."""
    count = mask.sum(axis=1)
    filled = np.where(mask, raw, 0.0)
    mean = np.divide(filled.sum(axis=1), count, out=np.zeros(len(count)), where=count > 0)
    dev = np.where(mask, raw - mean[:, None], 0.0)
    sd = np.sqrt(
        np.divide((dev**2).sum(axis=1), count, out=np.zeros(len(count)), where=count > 0)
    )
    normalised = (count >= rules.min_scores_for_normalisation) & normalise
    values = raw[mask]
    if values.size == 0:
        return (count, mean, sd, normalised), raw.copy(), None, None
    mu = float(values.mean())
    sigma = float(np.sqrt(((values - mu) ** 2).mean()))
    flat = sd <= _SD_ZERO_RELATIVE * (rules.scale_max - rules.scale_min)
    z = np.where(flat[:, None], 0.0, dev / np.where(flat, 1.0, sd)[:, None])
    adjusted = np.where(normalised[:, None], mu + sigma * z, raw)
    adjusted = np.where(mask, adjusted, np.nan)
    return (count, mean, sd, normalised), adjusted, mu, sigma


def _aggregate(
    adjusted: np.ndarray, mask: np.ndarray, trim_from: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step 3: (aggregate or NaN, number of totals, trimmed?) per nomination."""
    k = mask.sum(axis=0)
    total = np.where(mask, adjusted, 0.0).sum(axis=0)
    if trim_from is None:
        trimmed = np.zeros(len(k), dtype=bool)
    else:
        trimmed = k >= trim_from
    if adjusted.shape[0]:
        high = np.where(k > 0, np.where(mask, adjusted, -np.inf).max(axis=0), 0.0)
        low = np.where(k > 0, np.where(mask, adjusted, np.inf).min(axis=0), 0.0)
        total = np.where(trimmed, total - high - low, total)
    kept = np.where(trimmed, k - 2, k)
    agg = np.divide(total, kept, out=np.full(len(k), np.nan), where=kept > 0)
    return agg, k, trimmed


def _jury_score(agg: np.ndarray, rules: Rules, span: float) -> np.ndarray:
    """Step 4 (NaN stays NaN)."""
    scaled = 100.0 * (agg - rules.scale_min) / span
    return np.clip(scaled, 0.0, 100.0)


def _column_median(raw: np.ndarray, mask: np.ndarray) -> np.ndarray:
    k = mask.sum(axis=0)
    if raw.shape[0] == 0:
        return np.full(raw.shape[1], np.nan)
    srt = np.sort(np.where(mask, raw, np.inf), axis=0)  # missing cells sort last
    lo = np.maximum((k - 1) // 2, 0)
    hi = np.maximum(k // 2, 0)
    hi = np.minimum(hi, raw.shape[0] - 1)
    a = np.take_along_axis(srt, lo[None, :], axis=0)[0]
    b = np.take_along_axis(srt, hi[None, :], axis=0)[0]
    med = np.full(raw.shape[1], np.nan)
    ok = k > 0
    med[ok] = (a[ok] + b[ok]) / 2.0
    return med


# --------------------------------------------------------------------------- step 6


def _localise_chair(chair: list[dict[int, int]], idx: np.ndarray) -> list[dict[int, int]]:
    local = {int(g): p for p, g in enumerate(idx)}
    out = []
    for positions in chair:
        here = {local[g]: pos for g, pos in positions.items() if g in local}
        if len(here) >= 2:
            out.append(here)
    return out


def _split(group: list[int], key: np.ndarray) -> list[list[int]]:
    """Order a group by key, descending; consecutive values within tolerance stay together."""
    srt = sorted(group, key=lambda i: (-key[i], i))
    out = [[srt[0]]]
    for prev, cur in itertools.pairwise(srt):
        if key[prev] - key[cur] <= TIE_TOLERANCE:
            out[-1].append(cur)
        else:
            out.append([cur])
    return out


def _rank(
    members: list[int],
    combined: np.ndarray,
    bench: np.ndarray,
    median: np.ndarray,
    chair: list[dict[int, int]],
    ids: list[Hashable],
    with_trail: bool = False,
) -> tuple[dict[int, int], list[int], list[list[int]], dict[int, list[dict[str, Any]]]]:
    """Return (rank per position, order, shared groups, trail per position)."""
    ranks: dict[int, int] = {}
    order: list[int] = []
    shared: list[list[int]] = []
    decided: dict[int, dict[int, dict[str, Any]]] = {}
    levels = (("benchmark_total", bench), ("median_raw_total", median))

    def note(a: int, b: int, rule: str, outcome: str, va: Any, vb: Any) -> None:
        decided.setdefault(a, {})[b] = {
            "rule": rule, "against": ids[b], "outcome": outcome, "value": va, "other_value": vb,
        }

    def note_split(subs: list[list[int]], rule: str, value: Any) -> None:
        if not with_trail:
            return
        for s, upper in enumerate(subs):
            for lower in subs[s + 1:]:
                for a in upper:
                    for b in lower:
                        note(a, b, rule, "ahead", value(a), value(b))
                        note(b, a, rule, "behind", value(b), value(a))

    def emit(group: list[int]) -> None:
        rank = len(order) + 1
        for p in group:
            ranks[p] = rank
        order.extend(group)

    def resolve(group: list[int], level: int) -> None:
        if len(group) == 1:
            emit(group)
            return
        if level < len(levels):
            rule, key = levels[level]
            subs = _split(group, key)
            note_split(subs, rule, lambda p, key=key: float(key[p]))
            for sub in subs:
                resolve(sub, level + 1)
            return
        covering = next((c for c in chair if all(p in c for p in group)), None)
        if covering is not None:
            subs = [[p] for p in sorted(group, key=covering.__getitem__)]
            note_split(subs, "chair_decision", lambda p: covering[p] + 1)
            for sub in subs:
                emit(sub)
            return
        group = sorted(group)
        if with_trail:
            for a in group:
                for b in group:
                    if a != b:
                        note(a, b, "shared", "shared", None, None)
        shared.append(group)
        emit(group)

    if members:
        for group in _split(members, combined):
            resolve(group, 0)
    position = {p: n for n, p in enumerate(order)}
    trails = {
        a: [entries[b] for b in sorted(entries, key=position.__getitem__)]
        for a, entries in decided.items()
    }
    return ranks, order, shared, trails


# --------------------------------------------------------------------------- step 7


def krippendorff_interval_alpha(data: np.ndarray | Sequence[Sequence[float]]) -> float | None:
    """Krippendorff's alpha, interval level, for a coders x units matrix (NaN = missing).

    ``None`` when undefined: no unit has two or more values, or those values do not vary.
    """
    data = np.asarray(data, dtype=float)
    if data.ndim != 2 or data.size == 0:
        return None
    mask = ~np.isnan(data)
    pairable = mask.sum(axis=0) >= 2
    if not pairable.any():
        return None
    sub, smask = data[:, pairable], mask[:, pairable]
    values = sub[smask]
    if float(values.max() - values.min()) <= TIE_TOLERANCE:
        return None
    distinct = np.unique(values).size
    if sub.shape[1] * distinct**2 <= KRIPPENDORFF_PACKAGE_MAX_CELLS:
        return float(krippendorff.alpha(reliability_data=sub, level_of_measurement="interval"))
    return _interval_alpha_closed_form(sub, smask)


def _interval_alpha_closed_form(sub: np.ndarray, smask: np.ndarray) -> float:
    m = smask.sum(axis=0).astype(float)
    unit_mean = np.where(smask, sub, 0.0).sum(axis=0) / m
    ss_unit = (np.where(smask, sub - unit_mean, 0.0) ** 2).sum(axis=0)
    values = sub[smask]
    n = float(values.size)
    ss_all = float(((values - values.mean()) ** 2).sum())
    return float(1.0 - (n - 1.0) * float((m / (m - 1.0) * ss_unit).sum()) / (n * ss_all))
