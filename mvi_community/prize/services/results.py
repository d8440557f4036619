"""Results: the stored scores through the pure engine (`prize/scoring.py`), the jury report,
who may see it, the chair's tie decisions, and the exports (CSV, JSON, API)."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mvi_community.core.audit import audit
from mvi_community.core.errors import ServiceError
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.extensions import db
from mvi_community.prize import scoring
from mvi_community.prize.models import (
    CEREMONY,
    DELIBERATION,
    PrizeEdition,
    PrizeJuror,
    PrizeNomination,
    PrizeTieDecision,
)
from mvi_community.prize.services.common import juror_of
from mvi_community.prize.services.jury import CONFLICT_PHASES, conflicts
from mvi_community.prize.services.jury import jurors as jurors_of

CSV_COLUMNS = ("organisation_code", "organisation_name", "category", "jurors", "raw_mean", "jury_score",
               "benchmark_score", "combined_score", "rank")


@dataclass
class Outcome:
    edition: PrizeEdition
    result: scoring.ScoringResult
    nominations: dict[int, PrizeNomination]
    jurors: dict[int, PrizeJuror]

    def ranked(self) -> list[tuple[PrizeNomination, scoring.NominationResult]]:
        """Every nomination, by category (rubric order), then rank (unranked last)."""
        order = {c.code: i for i, c in enumerate(self.edition.categories)}
        rows = [(self.nominations[nid], r) for nid, r in self.result.nominations.items()]
        return sorted(rows, key=lambda p: (order.get(p[1].category, 99), p[1].rank is None, p[1].rank or 0,
                                           p[0].organisation.name))

    def winners(self) -> list[PrizeNomination]:
        return [n for n, r in self.ranked() if r.rank == 1]


def rules_of(edition: PrizeEdition) -> scoring.Rules:
    return scoring.Rules(
        scale_min=float(edition.scale_min), scale_max=float(edition.scale_max),
        criteria=tuple(scoring.Criterion(c.code, float(c.weight)) for c in edition.criteria),
        normalise=edition.normalise, min_scores_for_normalisation=edition.min_scores_for_normalisation,
        trim_from=edition.trim_from, benchmark_weight=float(edition.benchmark_weight))


def _score_rows(edition_id: int) -> list[tuple[int, int, int, float]]:
    """(juror, nomination, criterion, value) of an edition as plain DBAPI tuples, only of submitted
    assignments (a juror's draft never counts; imported paper scores are marked submitted): 30,000 scores
    (200 nominations × 15 jurors × 10 criteria) load in a third of the time SQLAlchemy's Row
    objects take. The statement still goes through the engine (events, query counting)."""
    connection = db.session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    result = connection.exec_driver_sql(
        "SELECT s.juror_id, s.nomination_id, s.criterion_id, s.value FROM prize_score s "
        "JOIN prize_juror j ON s.juror_id = j.id "
        "JOIN prize_assignment a ON a.juror_id = s.juror_id AND a.nomination_id = s.nomination_id "
        f"WHERE j.edition_id = {mark} AND a.submitted_at IS NOT NULL", (edition_id,))
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def compute(edition: PrizeEdition) -> Outcome:
    """Five queries (six while scoring is open): nominations (with organisations and categories),
    jurors (and their accounts' memberships), recorded conflicts, scores, tie decisions."""
    nominations = {n.id: n for n in db.session.scalars(
        select(PrizeNomination).where(PrizeNomination.edition_id == edition.id)
        .options(joinedload(PrizeNomination.organisation), joinedload(PrizeNomination.category)))}
    # A conflicted juror's scores never count. While scoring is open that includes the juror's current
    # memberships (loaded with the jurors); closing records those conflicts, so a later change of
    # membership cannot change a result.
    live = edition.phase in CONFLICT_PHASES
    jury = jurors_of(edition) if live else list(edition.jurors)
    jurors = {juror.id: juror for juror in jury}
    conflicted = conflicts(edition, jury, list(nominations.values()), memberships=live)
    scores = [row for row in _score_rows(edition.id) if (row[0], row[1]) not in conflicted]
    codes = {c.id: c.code for c in edition.criteria}
    decisions = [d.nomination_order for d in db.session.scalars(
        select(PrizeTieDecision).where(PrizeTieDecision.edition_id == edition.id).order_by(PrizeTieDecision.id))]
    result = scoring.compute_results(
        rules_of(edition),
        [scoring.Nomination(n.id, n.category.code, n.benchmark_total if n.benchmark_total is not None else 0.0)
         for n in nominations.values()],
        [scoring.Score(juror_id, nomination_id, codes[criterion_id], value)
         for juror_id, nomination_id, criterion_id, value in scores if nomination_id in nominations],
        [[i for i in order if i in nominations] for order in decisions])
    return Outcome(edition, result, nominations, jurors)


def can_view_report(user, edition: PrizeEdition) -> bool:
    if edition.published or is_coordinator(user):
        return True
    return edition.phase in (DELIBERATION, CEREMONY) and juror_of(user, edition) is not None


def report(user, edition: PrizeEdition) -> Outcome:
    require(can_view_report(user, edition), _l("De uitslag is nog niet gepubliceerd."))
    return compute(edition)


def can_decide_ties(user, edition: PrizeEdition) -> bool:
    if edition.published or not getattr(user, "is_authenticated", False):
        return False
    juror = juror_of(user, edition)
    return is_coordinator(user) or (juror is not None and juror.is_chair)


def juror_letters(outcome: Outcome) -> dict[int, str]:
    """Jurors in the report are anonymous: A, B, C … in an order that is fixed per edition but
    says nothing about the jurors: by the SHA-256 digest of "<edition id>:<juror id>" (not by
    name, e-mail or invitation order, which readers could match against the published jury)."""
    ordered = sorted(outcome.jurors.values(), key=lambda j: (_letter_key(outcome.edition.id, j.id), j.id))
    return {j.id: _letter(i) for i, j in enumerate(ordered)}


def _letter_key(edition_id: int, juror_id: int) -> str:
    return hashlib.sha256(f"{edition_id}:{juror_id}".encode()).hexdigest()


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def record_tie_decision(actor, edition: PrizeEdition, order: list[int], note: str | None) -> PrizeTieDecision:
    """The chair (or a coordinator on the chair's behalf) records the order of a tie group."""
    require(can_decide_ties(actor, edition) or edition.published,
            _l("Alleen de juryvoorzitter legt een beslissing bij gelijke stand vast."))
    if edition.published:
        raise ServiceError(_l("De uitslag is al gepubliceerd."))
    known = {n.id for n in db.session.scalars(select(PrizeNomination).where(PrizeNomination.edition_id == edition.id))}
    if len(order) < 2 or len(set(order)) != len(order) or not set(order) <= known:
        raise ServiceError(_l("Kies minstens twee verschillende nominaties van deze editie."))
    decision = PrizeTieDecision(edition_id=edition.id, nomination_order=order, note=note,
                                decided_by_id=getattr(actor, "id", None))
    db.session.add(decision)
    db.session.flush()
    audit("prize.tie_decided", obj=edition, actor=actor, order=order)
    return decision


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def result_rows(outcome: Outcome) -> list[dict[str, Any]]:
    rows = []
    for nomination, r in outcome.ranked():
        rows.append({
            "organisation_code": nomination.organisation.code, "organisation_name": nomination.organisation.name,
            "category": r.category, "jurors": r.jurors, "raw_mean": _round(r.raw_mean),
            "jury_score": _round(r.jury_score), "benchmark_score": _round(r.benchmark_score),
            "combined_score": _round(r.combined_score), "rank": r.rank})
    return rows


def results_csv(outcome: Outcome) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in result_rows(outcome):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def results_document(outcome: Outcome) -> dict[str, Any]:
    edition = outcome.edition
    emails = {j.id: j.email for j in outcome.jurors.values()}
    nominations = []
    for (nomination, r), row in zip(outcome.ranked(), result_rows(outcome)):
        stability = None
        if r.stability is not None:
            s = r.stability
            stability = {"weight_minus": s.weight_minus, "rank_weight_minus": s.rank_weight_minus,
                         "weight_plus": s.weight_plus, "rank_weight_plus": s.rank_weight_plus,
                         "rank_unnormalised": s.rank_unnormalised, "stable": s.stable}
        nominations.append({
            **row, "disagreement": r.disagreement, "trimmed": r.trimmed,
            "juror_totals": [{"juror": emails.get(j, str(j)), "raw_total": _round(v, 6),
                              "normalised_total": _round(r.adjusted_totals.get(j), 6)}
                             for j, v in sorted(r.raw_totals.items(), key=lambda p: emails.get(p[0], ""))],
            "tie_break": [{**t, "against": outcome.nominations[t["against"]].organisation.code} for t in r.trail],
            "stability": stability})
    return {
        "year": edition.year, "title": edition.title, "benchmark_edition": edition.benchmark_year,
        "benchmark_weight": edition.benchmark_weight, "scale": {"min": edition.scale_min, "max": edition.scale_max},
        "normalise": edition.normalise, "min_scores_for_normalisation": edition.min_scores_for_normalisation,
        "trim_from": edition.trim_from, "published": edition.published,
        "published_at": edition.published_at.isoformat() if edition.published_at else None,
        "statement": edition.statement,
        "krippendorff_alpha": _round(outcome.result.krippendorff_alpha, 6),
        "categories": {code: {"krippendorff_alpha": _round(c.krippendorff_alpha, 6), "ranking": [
            outcome.nominations[i].organisation.code for i in c.ranking]}
            for code, c in outcome.result.categories.items()},
        "nominations": nominations,
    }


def results_json(outcome: Outcome) -> str:
    return json.dumps(results_document(outcome), ensure_ascii=False, indent=2)


def published_editions_page(page: int, per_page: int = 25):
    from mvi_community.core.pagination import paginate

    return paginate(select(PrizeEdition).where(PrizeEdition.published_at.is_not(None))
                    .order_by(PrizeEdition.year.desc()), page, per_page)


def published_edition(year: int) -> PrizeEdition:
    from mvi_community.core.errors import NotFound
    from mvi_community.prize.services.common import find_edition

    edition = find_edition(year)
    if edition is None or not edition.published:
        raise NotFound(_l("Er is geen gepubliceerde uitslag van de MVI-prijs %(year)s.", year=year))
    return edition
