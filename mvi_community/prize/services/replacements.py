"""The jury after the assignment is released. A conflict declared later (or the automatic one
recorded when a juror's account is linked) withdraws that juror's assignment, so a nomination
can drop below the k jurors the edition asks for. Here the coordinator sees, per nomination,
the active jurors (assigned and without a conflict) against k, adds a replacement juror and
withdraws an assignment that has no submitted scores.

Conflicts come from `jury.conflicts` / `jury.is_conflicted` only; the suggested replacement
comes from the same matching engine as the first assignment (`expertpool.matching.solve`),
solved again with the current active assignments pinned, so that it fills every short
nomination with the jurors that keep the loads most even."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from mvi_community.accounts.models import User
from mvi_community.core.audit import audit
from mvi_community.core.errors import ServiceError
from mvi_community.core.mail import queue_mail
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.urls import external_url
from mvi_community.expertpool import matching
from mvi_community.extensions import db
from mvi_community.prize.models import (
    NOMINATIONS,
    REVIEW,
    SCORING,
    UPCOMING,
    PrizeAssignment,
    PrizeEdition,
    PrizeJuror,
    PrizeNomination,
    PrizeScore,
)
from mvi_community.prize.services.jury import Conflict, conflicts, is_conflicted, jurors

#: Phases in which the released assignment may still change (scoring has not closed).
CHANGE_PHASES = (REVIEW, SCORING)


@dataclass(frozen=True)
class Seat:
    """A juror's assignment to a nomination, with what the coordinator needs to judge it."""

    assignment: PrizeAssignment
    juror: PrizeJuror
    has_drafts: bool  # scores saved but not submitted
    conflicted: bool  # a conflict without the assignment withdrawn (e.g. a membership added later)

    @property
    def submitted(self) -> bool:
        return self.assignment.submitted_at is not None


@dataclass(frozen=True)
class Candidate:
    juror: PrizeJuror
    load: int  # active assignments in the edition
    suggested: bool


@dataclass
class NominationStaffing:
    nomination: PrizeNomination
    required: int
    seats: list[Seat] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)  # suggested first, then least loaded
    conflicted: list[tuple[PrizeJuror, Conflict]] = field(default_factory=list)

    @property
    def active(self) -> int:
        return sum(1 for seat in self.seats if not seat.conflicted)

    @property
    def short(self) -> bool:
        return self.active < self.required


@dataclass
class Staffing:
    edition: PrizeEdition
    rows: list[NominationStaffing]
    loads: dict[int, int]
    jury: list[PrizeJuror]
    locked: object | None  # why the assignment can no longer change (a message), or None

    @property
    def changeable(self) -> bool:
        return self.locked is None

    @property
    def short(self) -> list[NominationStaffing]:
        return [row for row in self.rows if row.short]


def staffing(actor: User, edition: PrizeEdition) -> Staffing:
    """The released assignment per nomination (a bounded number of queries: jurors with their
    memberships, nominations, conflicts, assignments with a draft flag)."""
    require(is_coordinator(actor))
    jury = jurors(edition)
    nominations = list(db.session.scalars(select(PrizeNomination).where(PrizeNomination.edition_id == edition.id)
                                          .options(joinedload(PrizeNomination.organisation))
                                          .order_by(PrizeNomination.id)))
    found = conflicts(edition, jury, nominations)
    drafts = exists().where(PrizeScore.juror_id == PrizeAssignment.juror_id,
                            PrizeScore.nomination_id == PrizeAssignment.nomination_id)
    by_id = {j.id: j for j in jury}
    rows = {n.id: NominationStaffing(n, edition.jurors_per_nomination) for n in nominations}
    for assignment, has_drafts in db.session.execute(
            select(PrizeAssignment, drafts).join(PrizeNomination, PrizeAssignment.nomination_id == PrizeNomination.id)
            .where(PrizeNomination.edition_id == edition.id).order_by(PrizeAssignment.id)):
        juror = by_id.get(assignment.juror_id)
        if juror is None or assignment.nomination_id not in rows:
            continue
        rows[assignment.nomination_id].seats.append(
            Seat(assignment, juror, bool(has_drafts), (juror.id, assignment.nomination_id) in found))
    loads = {j.id: 0 for j in jury}
    pinned: dict[int, set[int]] = {n.id: set() for n in nominations}
    for row in rows.values():
        row.seats.sort(key=lambda seat: seat.juror.name)
        for seat in row.seats:
            if not seat.conflicted:
                loads[seat.juror.id] += 1
                pinned[row.nomination.id].add(seat.juror.id)
    eligible: dict[int, list[PrizeJuror]] = {}
    for nomination in nominations:
        row = rows[nomination.id]
        seated = {seat.juror.id for seat in row.seats}
        row.conflicted = [(j, found[(j.id, nomination.id)]) for j in jury if (j.id, nomination.id) in found]
        eligible[nomination.id] = [j for j in jury if j.id not in seated and (j.id, nomination.id) not in found]
    suggested = _suggest(edition, nominations, jury, found, pinned) if any(
        row.short and eligible[row.nomination.id] for row in rows.values()) else {}
    for nomination in nominations:
        picks = suggested.get(nomination.id, [])
        rows[nomination.id].candidates = sorted(
            (Candidate(j, loads[j.id], j.id in picks) for j in eligible[nomination.id]),
            key=lambda c: (not c.suggested, c.load, c.juror.name.casefold(), c.juror.id))
    return Staffing(edition, [rows[n.id] for n in nominations], loads, jury, _change_problem(edition))


def _suggest(edition: PrizeEdition, nominations: list[PrizeNomination], jury: list[PrizeJuror],
             found: dict[tuple[int, int], Conflict], pinned: dict[int, set[int]]) -> dict[int, list[int]]:
    """Nomination id → the jurors the matching engine would add. The engine fills as much
    demand as it can (level 1), then keeps as many pinned pairs as it can (level 3: a pinned
    pair has affinity 1, a new one 0; with every juror's capacity at the number of nominations
    it keeps all of them), then evens the *total* loads (level 4): the least-loaded eligible
    juror is suggested, and several short nominations do not all get the same juror."""
    k = edition.jurors_per_nomination
    items = []
    for nomination in nominations:
        free = sum(1 for j in jury if (j.id, nomination.id) not in found)
        items.append(matching.Item(nomination.id, max(min(k, free), len(pinned[nomination.id]))))
    agents = [matching.Agent(j.id, len(nominations)) for j in jury]
    affinities = [(n.id, j.id, 1.0 if j.id in pinned[n.id] else 0.0) for n in nominations for j in jury]
    forbidden = [(n_id, j_id) for (j_id, n_id) in found]
    result = matching.solve(items, agents, affinities, forbidden, top_k=None, n_alternates=0)
    picks: dict[int, list[int]] = {}
    for nomination_id, juror_id in result.assignments:
        if juror_id not in pinned[nomination_id]:
            picks.setdefault(nomination_id, []).append(juror_id)
    return picks


def _change_problem(edition: PrizeEdition):
    """Why the released assignment can no longer change, or None."""
    if edition.published:
        return _l("Een gepubliceerde editie kan niet meer worden gewijzigd.")
    if edition.assignments_released_at is None:
        return _l("Geef eerst de toewijzing vrij; daarna kunt u per nominatie juryleden toevoegen of intrekken.")
    phase = edition.phase
    if phase in (UPCOMING, NOMINATIONS):
        return _l("Toewijzen kan pas als de nominatieperiode gesloten is.")
    if phase not in CHANGE_PHASES:
        return _l("De jurering is gesloten; de toewijzing kan niet meer worden gewijzigd.")
    return None


def _require_changeable(edition: PrizeEdition) -> None:
    problem = _change_problem(edition)
    if problem is not None:
        raise ServiceError(problem)


class _AlreadySubmitted(Exception):
    """Inside `remove_assignment`'s savepoint: the assignment was submitted meanwhile."""


def add_juror(actor: User, edition: PrizeEdition, nomination: PrizeNomination, juror_id: int | None) -> PrizeAssignment:
    """Assign one more juror of the edition to the nomination (a replacement after a late
    conflict, or an extra juror): never a conflicted juror, never twice. The juror gets an
    e-mail with a link to the scoring page."""
    require(is_coordinator(actor))
    if nomination.edition_id != edition.id:
        raise ServiceError(_l("Deze nominatie hoort niet bij deze editie."))
    _require_changeable(edition)
    juror = db.session.get(PrizeJuror, juror_id) if juror_id else None
    if juror is None or juror.edition_id != edition.id:
        raise ServiceError(_l("Kies een jurylid van deze editie."), field="juror_id")
    organisation = nomination.organisation.name
    if is_conflicted(juror, nomination):
        raise ServiceError(_l("%(name)s heeft een belangenconflict met %(organisation)s en kan deze nominatie niet "
                              "beoordelen.", name=juror.name, organisation=organisation), field="juror_id")
    already = _l("%(name)s is al aan de nominatie van %(organisation)s toegewezen.", name=juror.name,
                 organisation=organisation)
    if db.session.scalar(select(PrizeAssignment.id).where(PrizeAssignment.juror_id == juror.id,
                                                          PrizeAssignment.nomination_id == nomination.id)):
        raise ServiceError(already, field="juror_id")
    assignment = PrizeAssignment(juror_id=juror.id, nomination_id=nomination.id)
    try:
        with db.session.begin_nested():  # two coordinators adding the same juror at once
            db.session.add(assignment)
            db.session.flush()
    except IntegrityError:
        raise ServiceError(already, field="juror_id") from None
    audit("prize.juror_added", obj=nomination, actor=actor, juror=juror.id, email=juror.email)
    queue_mail(juror.email, _l("Een extra nominatie voor u in de %(title)s", title=edition.title),
               "prize_juror_added", locale=juror.user.locale if juror.user else None, juror=juror, edition=edition,
               nomination=nomination, link=external_url("prize.score", year=edition.year, nomination_id=nomination.id))
    return assignment


def remove_assignment(actor: User, edition: PrizeEdition, nomination: PrizeNomination, juror_id: int) -> PrizeJuror:
    """Withdraw a juror's assignment that has no submitted scores (draft scores go with it).
    The juror is told by e-mail."""
    require(is_coordinator(actor))
    if nomination.edition_id != edition.id:
        raise ServiceError(_l("Deze nominatie hoort niet bij deze editie."))
    _require_changeable(edition)
    assignment = db.session.scalar(select(PrizeAssignment).where(
        PrizeAssignment.juror_id == juror_id, PrizeAssignment.nomination_id == nomination.id)
        .options(joinedload(PrizeAssignment.juror)))
    if assignment is None:
        raise ServiceError(_l("Deze toewijzing bestaat niet (meer)."))
    juror = assignment.juror
    submitted = _l("%(name)s heeft de scores voor %(organisation)s al ingediend; deze toewijzing blijft staan.",
                   name=juror.name, organisation=nomination.organisation.name)
    if assignment.submitted_at is not None:
        raise ServiceError(submitted)
    # Drafts first, then the assignment (the order a juror's save or submit locks them in, so the two
    # cannot deadlock), and only an assignment that is still open: when a submit got in first, the
    # assignment is no longer open and the savepoint puts the scores back.
    try:
        with db.session.begin_nested():
            drafts = db.session.execute(delete(PrizeScore).where(PrizeScore.juror_id == juror.id,
                                                                 PrizeScore.nomination_id == nomination.id)
                                        .execution_options(synchronize_session=False)).rowcount
            removed = db.session.execute(delete(PrizeAssignment).where(PrizeAssignment.id == assignment.id,
                                                                       PrizeAssignment.submitted_at.is_(None))
                                         .execution_options(synchronize_session=False))
            if removed.rowcount != 1:
                raise _AlreadySubmitted()
    except _AlreadySubmitted:
        db.session.expire_all()
        raise ServiceError(submitted) from None
    db.session.expunge(assignment)
    db.session.flush()
    audit("prize.assignment_removed", obj=nomination, actor=actor, juror=juror.id, email=juror.email,
          drafts_removed=drafts)
    queue_mail(juror.email, _l("Een nominatie is niet langer aan u toegewezen in de %(title)s", title=edition.title),
               "prize_assignment_removed", locale=juror.user.locale if juror.user else None, juror=juror,
               edition=edition, nomination=nomination, drafts=drafts, link=external_url("prize.jury", year=edition.year))
    return juror


def tell_coordinators_lapsed(juror: PrizeJuror, nominations: list[PrizeNomination]) -> None:
    """A released assignment lapsed through a conflict of interest (declared, or automatic when the
    juror's account was linked): every coordinator gets one e-mail naming the nominations that need
    a replacement, with a link to the assignment page. Nothing before the release (the assignment
    is then only a preview) or when nothing lapsed."""
    from mvi_community.expertpool.services.common import coordinators

    if not nominations:
        return
    edition = nominations[0].edition
    if edition.assignments_released_at is None:
        return
    names = ", ".join(n.organisation.name for n in nominations)
    for coordinator in coordinators():
        queue_mail(coordinator.email, _l("Vervanger nodig in de %(title)s: %(names)s", title=edition.title, names=names),
                   "prize_assignment_lapsed", locale=coordinator.locale, coordinator=coordinator, juror=juror,
                   edition=edition, nominations=nominations, link=external_url("prize.assignment", year=edition.year))
