"""Scoring: the juror's sheet (draft, submit, others' scores), the optimistic version check,
and the paper-session CSV import (`flask prize import-scores`)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from mvi_community.accounts.models import User
from mvi_community.core.audit import audit
from mvi_community.core.csvrows import csv_rows
from mvi_community.core.errors import ServiceError
from mvi_community.core.permissions import require
from mvi_community.extensions import db
from mvi_community.prize.models import (
    SCORING,
    PrizeAssignment,
    PrizeEdition,
    PrizeJuror,
    PrizeNomination,
    PrizeScore,
)
from mvi_community.prize.services.common import juror_of, now
from mvi_community.prize.services.jury import conflicts, is_conflicted

STALE = _l("Uw scores zijn intussen elders gewijzigd (bijvoorbeeld in een ander venster). Laad de pagina opnieuw; "
           "er is niets opgeslagen.")


@dataclass
class Entry:
    value: float | None
    comment: str | None
    version: int | None  # the version the juror's form was based on (None: no score yet)


@dataclass
class Sheet:
    juror: PrizeJuror
    nomination: PrizeNomination
    assignment: PrizeAssignment
    own: dict[int, PrizeScore]
    others: list[tuple[PrizeJuror, dict[int, PrizeScore], bool]]  # juror, scores by criterion, submitted
    others_visible: bool
    editable: bool


def _assignment(juror: PrizeJuror, nomination: PrizeNomination) -> PrizeAssignment | None:
    return db.session.scalar(select(PrizeAssignment).where(PrizeAssignment.juror_id == juror.id,
                                                           PrizeAssignment.nomination_id == nomination.id))


def scoring_sheet(user: User, edition: PrizeEdition, nomination: PrizeNomination) -> Sheet:
    juror = juror_of(user, edition)
    require(juror is not None, _l("Alleen juryleden van deze editie kunnen scoren."))
    assignment = _assignment(juror, nomination)
    require(assignment is not None, _l("Deze nominatie is niet aan u toegewezen."))
    rows = list(db.session.scalars(select(PrizeScore).where(PrizeScore.nomination_id == nomination.id)
                                   .options(joinedload(PrizeScore.juror))))
    own = {s.criterion_id: s for s in rows if s.juror_id == juror.id}
    visible = (not edition.hide_scores_until_submitted) or assignment.submitted_at is not None
    others: list[tuple[PrizeJuror, dict[int, PrizeScore], bool]] = []
    if visible:
        submitted = set(db.session.scalars(select(PrizeAssignment.juror_id).where(
            PrizeAssignment.nomination_id == nomination.id, PrizeAssignment.submitted_at.is_not(None))))
        by_juror: dict[int, tuple[PrizeJuror, dict[int, PrizeScore]]] = {}
        for score in rows:
            if score.juror_id != juror.id and score.juror_id in submitted:
                by_juror.setdefault(score.juror_id, (score.juror, {}))[1][score.criterion_id] = score
        others = [(j, scores, True) for j, scores in sorted(by_juror.values(), key=lambda v: v[0].name)]
    editable = edition.phase == SCORING and assignment.submitted_at is None
    return Sheet(juror, nomination, assignment, own, others, visible, editable)


def save_scores(actor: User, edition: PrizeEdition, nomination: PrizeNomination, entries: dict[int, Entry],
                submit: bool) -> PrizeAssignment:
    """Save a draft or submit. Every score row is checked against the version the form was based
    on; a concurrent change (another window, a double submit) refuses the whole save."""
    juror = juror_of(actor, edition)
    require(juror is not None, _l("Alleen juryleden van deze editie kunnen scoren."))
    assignment = _assignment(juror, nomination)
    require(assignment is not None, _l("Deze nominatie is niet aan u toegewezen."))
    if edition.phase != SCORING:
        raise ServiceError(_l("De jurering is gesloten; scores kunnen niet meer worden gewijzigd."))
    if assignment.submitted_at is not None:
        raise ServiceError(_l("U heeft uw scores voor deze nominatie al ingediend."))
    if is_conflicted(juror, nomination):
        raise ServiceError(_l("U heeft een belangenconflict met deze nominatie; uw scores zouden niet meetellen. "
                              "De coördinator wijst een vervanger aan."))
    criteria = {c.id: c for c in edition.criteria}
    for criterion_id, entry in entries.items():
        if criterion_id not in criteria:
            raise ServiceError(_l("Onbekend criterium."))
        if entry.value is not None and not (math.isfinite(entry.value)
                                            and edition.scale_min <= entry.value <= edition.scale_max):
            raise ServiceError(_l("Een score ligt tussen %(min)s en %(max)s.", min=edition.scale_min,
                                  max=edition.scale_max), field=f"score_{criterion_id}")
    if submit:
        missing = [c.name for c in edition.criteria if entries.get(c.id) is None or entries[c.id].value is None]
        if missing:
            raise ServiceError(_l("Geef voor indienen een score op elk criterium; ontbreekt: %(names)s.",
                                  names=", ".join(missing)))
    existing = {s.criterion_id: s for s in db.session.scalars(select(PrizeScore).where(
        PrizeScore.juror_id == juror.id, PrizeScore.nomination_id == nomination.id))}
    changes = []
    try:
        with db.session.begin_nested():
            for criterion_id, entry in entries.items():
                row = existing.get(criterion_id)
                if row is not None and entry.version != row.version:
                    raise StaleDataError("version changed")
                if row is None and entry.version is not None:
                    raise StaleDataError("score removed")
                comment = (entry.comment or "").strip() or None
                if entry.value is None:
                    if row is not None:
                        db.session.delete(row)
                        changes.append((criteria[criterion_id].code, None))
                    continue
                if row is None:
                    db.session.add(PrizeScore(juror_id=juror.id, nomination_id=nomination.id,
                                              criterion_id=criterion_id, value=float(entry.value), comment=comment))
                    changes.append((criteria[criterion_id].code, float(entry.value)))
                elif row.value != float(entry.value) or row.comment != comment:
                    row.value, row.comment = float(entry.value), comment
                    changes.append((criteria[criterion_id].code, float(entry.value)))
            db.session.flush()
            # Claim the (still open) assignment: it locks the row, so of two concurrent saves
            # or submits the second sees the first one's result; a submitted one stays closed.
            moment = now() if submit else None
            claimed = db.session.execute(
                update(PrizeAssignment).where(PrizeAssignment.id == assignment.id,
                                              PrizeAssignment.submitted_at.is_(None))
                .values(submitted_at=moment).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                raise StaleDataError("already submitted")
            set_committed_value(assignment, "submitted_at", moment)
    except (StaleDataError, IntegrityError):
        db.session.expire_all()
        raise ServiceError(STALE) from None
    audit("prize.scores_submitted" if submit else "prize.scores_saved", obj=nomination, actor=actor, juror=juror.id,
          changes=changes)
    return assignment


# --- paper sessions ---------------------------------------------------------------------------

@dataclass
class ScoreImportReport:
    created: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def import_scores(edition: PrizeEdition, text: str) -> ScoreImportReport:
    """`juror_email,organisation_code,criterion_code,score[,comment]`; every bad row is reported
    by line and nothing is written. Works until the results are published. Imported scores are
    final: each (juror, nomination) gets a submitted assignment, so the results count them."""
    report = ScoreImportReport()
    if edition.published:
        report.problems.append(_("De uitslag van %(year)s is gepubliceerd; scores kunnen niet meer worden "
                                 "geïmporteerd.", year=edition.year))
        return report
    rows = csv_rows(text, ("juror_email", "organisation_code", "criterion_code", "score"), ("comment",),
                    report.problems)
    jury = {j.email: j for j in edition.jurors}
    nominations = {n.organisation.code: n for n in db.session.scalars(
        select(PrizeNomination).where(PrizeNomination.edition_id == edition.id)
        .options(joinedload(PrizeNomination.organisation)))}
    criteria = {c.code: c for c in edition.criteria}
    found = conflicts(edition, list(jury.values()), list(nominations.values()))
    seen: dict[tuple[int, int, int], int] = {}
    parsed = []
    for line, values in rows:
        problems = []
        juror = jury.get(values["juror_email"].casefold())
        if juror is None:
            problems.append(_("jurylid %(email)r hoort niet bij deze editie", email=values["juror_email"]))
        nomination = nominations.get(values["organisation_code"].lower())
        if nomination is None:
            problems.append(_("organisatie %(code)r is niet genomineerd", code=values["organisation_code"]))
        criterion = criteria.get(values["criterion_code"].lower())
        if criterion is None:
            problems.append(_("criterium %(code)r bestaat niet", code=values["criterion_code"]))
        try:
            value = float(values["score"].replace(",", "."))
            if not (math.isfinite(value) and edition.scale_min <= value <= edition.scale_max):
                raise ValueError
        except ValueError:
            value = None
            problems.append(_("score %(value)r ligt niet op de schaal %(min)s–%(max)s", value=values["score"],
                              min=edition.scale_min, max=edition.scale_max))
        if juror is not None and nomination is not None and (juror.id, nomination.id) in found:
            problems.append(_("%(juror)s heeft een belangenconflict met %(org)s", juror=juror.email,
                              org=nomination.organisation.name))
        if juror is not None and nomination is not None and criterion is not None:
            key = (juror.id, nomination.id, criterion.id)
            if key in seen:
                problems.append(_("dezelfde score staat ook op regel %(other)s", other=seen[key]))
            seen.setdefault(key, line)
        if problems:
            report.problems.append(_("Regel %(line)s: %(problems)s.", line=line, problems="; ".join(problems)))
        else:
            parsed.append((juror, nomination, criterion, value, values.get("comment") or None))
    if report.problems:
        return report
    existing = {(s.juror_id, s.nomination_id, s.criterion_id): s for s in db.session.scalars(
        select(PrizeScore).join(PrizeJuror).where(PrizeJuror.edition_id == edition.id))}
    moment = now()
    assignments = {(a.juror_id, a.nomination_id): a for a in db.session.scalars(
        select(PrizeAssignment).join(PrizeJuror).where(PrizeJuror.edition_id == edition.id))}
    for juror, nomination, criterion, value, comment in parsed:
        # a paper session's scores are final: the (juror, nomination) counts as submitted
        assignment = assignments.get((juror.id, nomination.id))
        if assignment is None:
            assignment = PrizeAssignment(juror_id=juror.id, nomination_id=nomination.id, submitted_at=moment)
            db.session.add(assignment)
            assignments[(juror.id, nomination.id)] = assignment
        elif assignment.submitted_at is None:
            assignment.submitted_at = moment
        row = existing.get((juror.id, nomination.id, criterion.id))
        if row is None:
            db.session.add(PrizeScore(juror_id=juror.id, nomination_id=nomination.id, criterion_id=criterion.id,
                                      value=value, comment=comment))
            report.created += 1
        else:
            row.value, row.comment = value, comment
            report.updated += 1
    db.session.flush()
    audit("prize.scores_imported", obj=edition, created=report.created, updated=report.updated)
    return report


def unscored_jurors(edition: PrizeEdition) -> list[tuple[PrizeJuror, int]]:
    """Jurors with assignments they have not submitted yet, and how many (for the reminder)."""
    counts: dict[int, int] = {}
    for assignment in db.session.scalars(select(PrizeAssignment).join(PrizeJuror).where(
            PrizeJuror.edition_id == edition.id, PrizeAssignment.submitted_at.is_(None))):
        counts[assignment.juror_id] = counts.get(assignment.juror_id, 0) + 1
    return [(j, counts[j.id]) for j in edition.jurors if j.id in counts]

