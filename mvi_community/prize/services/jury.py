"""The jury: invitations and the chair, conflicts (automatic and declared), and the juror
assignment computed with the expert-pool matching engine, previewed, then released."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.accounts.models import Organisation, User
from mvi_community.core.audit import audit
from mvi_community.core.errors import ServiceError
from mvi_community.core.mail import queue_mail
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.expertpool import matching
from mvi_community.extensions import db
from mvi_community.prize.models import (
    AUTO,
    DECLARED,
    NOMINATIONS,
    REVIEW,
    SCORING,
    UPCOMING,
    PrizeAssignment,
    PrizeConflict,
    PrizeEdition,
    PrizeJuror,
    PrizeNomination,
    PrizeScore,
)
from mvi_community.prize.services.common import juror_organisation_ids, now


def jurors(edition: PrizeEdition) -> list[PrizeJuror]:
    return list(db.session.scalars(select(PrizeJuror).where(PrizeJuror.edition_id == edition.id)
                                   .options(joinedload(PrizeJuror.organisation),
                                            joinedload(PrizeJuror.user).selectinload(User.memberships))
                                   .order_by(PrizeJuror.name)).unique())


def invite_juror(actor: User, edition: PrizeEdition, email: str, name: str, organisation_id: int | None,
                 chair: bool = False) -> PrizeJuror:
    require(is_coordinator(actor))
    require(not edition.published, _l("Een gepubliceerde editie kan niet meer worden gewijzigd."))
    email = (email or "").strip().casefold()
    if "@" not in email or len(email) > 320:
        raise ServiceError(_l("Geef een geldig e-mailadres."), field="email")
    if any(j.email == email for j in edition.jurors):
        raise ServiceError(_l("%(email)s is al jurylid van deze editie.", email=email), field="email")
    user = db.session.scalar(select(User).where(User.email == email))
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None and user is not None and user.memberships:
        organisation = user.memberships[0].organisation
    juror = PrizeJuror(email=email, name=(name or "").strip() or (user.name if user else email), user=user,
                       organisation=organisation)
    edition.jurors.append(juror)
    if chair:
        for other in edition.jurors:
            other.is_chair = other is juror
    db.session.flush()
    audit("prize.juror_invited", obj=juror, actor=actor, email=email, chair=chair)
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("prize.jury", year=edition.year)
    queue_mail(email, _l("Uitnodiging voor de jury van de %(title)s", title=edition.title), "prize_jury_invitation",
               locale=user.locale if user else None, juror=juror, edition=edition, link=link)
    return juror


def set_chair(actor: User, edition: PrizeEdition, juror_id: int) -> None:
    require(is_coordinator(actor))
    if not any(j.id == juror_id for j in edition.jurors):
        raise ServiceError(_l("Dit jurylid hoort niet bij deze editie."))
    for juror in edition.jurors:
        juror.is_chair = juror.id == juror_id
    db.session.flush()
    audit("prize.chair_set", obj=edition, actor=actor, juror=juror_id)


@dataclass(frozen=True)
class Conflict:
    juror_id: int
    nomination_id: int
    kind: str
    reason: str | None


def conflicts(edition: PrizeEdition, jury: list[PrizeJuror] | None = None,
              nominations: list[PrizeNomination] | None = None,
              memberships: bool = True) -> dict[tuple[int, int], Conflict]:
    """(juror id, nomination id) → conflict: automatic when the juror's organisation (and, with
    `memberships`, any organisation the juror's account is a member of now) is the nominee, plus
    every recorded conflict (declared, or automatic when an account was linked or scoring closed)."""
    jury = jury if jury is not None else jurors(edition)
    if nominations is None:
        nominations = list(db.session.scalars(select(PrizeNomination).where(PrizeNomination.edition_id == edition.id)))
    found: dict[tuple[int, int], Conflict] = {}
    for juror in jury:
        own = juror_organisation_ids(juror) if memberships else {juror.organisation_id} - {None}
        for nomination in nominations:
            if nomination.organisation_id in own:
                found[(juror.id, nomination.id)] = Conflict(juror.id, nomination.id, AUTO, None)
    rows = db.session.scalars(select(PrizeConflict).join(PrizeJuror).where(PrizeJuror.edition_id == edition.id))
    for row in rows:
        found[(row.juror_id, row.nomination_id)] = Conflict(row.juror_id, row.nomination_id, row.kind, row.reason)
    return found


def is_conflicted(juror: PrizeJuror, nomination: PrizeNomination) -> bool:
    if nomination.organisation_id in juror_organisation_ids(juror):
        return True
    return db.session.scalar(select(PrizeConflict.id).where(PrizeConflict.juror_id == juror.id,
                                                            PrizeConflict.nomination_id == nomination.id)) is not None


#: Phases in which a juror may still declare a conflict (and so withdraw their scores).
CONFLICT_PHASES = (UPCOMING, NOMINATIONS, REVIEW, SCORING)


def declare_conflict(actor: User, juror: PrizeJuror, nomination: PrizeNomination, reason: str) -> PrizeConflict:
    """The juror declares a conflict of interest; an assignment for it (and its scores) is removed.
    Only until scoring closes: after that the scores are part of the deliberation and stay."""
    require(juror.user_id == actor.id)
    if nomination.edition_id != juror.edition_id or nomination.edition.published:
        raise ServiceError(_l("Deze nominatie hoort niet bij uw jury."))
    if nomination.edition.phase not in CONFLICT_PHASES:
        raise ServiceError(_l("De jurering is gesloten; een belangenconflict melden kan niet meer. Neem contact op "
                              "met de coördinator."))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ServiceError(_l("Geef kort de reden van het belangenconflict."), field="reason")
    existing = db.session.scalar(select(PrizeConflict).where(PrizeConflict.juror_id == juror.id,
                                                             PrizeConflict.nomination_id == nomination.id))
    if existing is not None:
        raise ServiceError(_l("U heeft voor deze nominatie al een belangenconflict gemeld."))
    conflict = PrizeConflict(juror=juror, nomination=nomination, kind=DECLARED, reason=reason)
    db.session.add(conflict)
    db.session.execute(delete(PrizeScore).where(PrizeScore.juror_id == juror.id,
                                                PrizeScore.nomination_id == nomination.id))
    lapsed = db.session.execute(delete(PrizeAssignment).where(PrizeAssignment.juror_id == juror.id,
                                                              PrizeAssignment.nomination_id == nomination.id)).rowcount
    db.session.flush()
    audit("prize.conflict_declared", obj=nomination, actor=actor, juror=juror.id, reason=reason)
    if lapsed:
        from mvi_community.prize.services.replacements import tell_coordinators_lapsed

        tell_coordinators_lapsed(juror, [nomination])
    return conflict


@dataclass
class AssignmentPreview:
    pairs: list[tuple[PrizeNomination, list[PrizeJuror]]]
    loads: dict[int, int]
    demand: dict[int, int]
    short: list[PrizeNomination]
    conflicts: dict[tuple[int, int], Conflict]
    jury: list[PrizeJuror]


def assignment_preview(edition: PrizeEdition) -> AssignmentPreview:
    """Every nomination gets k jurors (fewer only when fewer unconflicted jurors exist), loads
    as even as possible, never a conflicted juror (expertpool.matching, pure)."""
    jury = jurors(edition)
    nominations = list(db.session.scalars(select(PrizeNomination).where(PrizeNomination.edition_id == edition.id)
                                          .options(joinedload(PrizeNomination.organisation))
                                          .order_by(PrizeNomination.id)))
    found = conflicts(edition, jury, nominations)
    demand: dict[int, int] = {}
    for nomination in nominations:
        free = sum(1 for j in jury if (j.id, nomination.id) not in found)
        demand[nomination.id] = min(edition.jurors_per_nomination, free)
    pairs_by_nomination: dict[int, list[PrizeJuror]] = {n.id: [] for n in nominations}
    loads = {j.id: 0 for j in jury}
    if jury and nominations:
        items = [matching.Item(n.id, demand[n.id]) for n in nominations]
        agents = [matching.Agent(j.id, len(nominations)) for j in jury]
        affinities = [(n.id, j.id, 0.0) for n in nominations for j in jury]
        forbidden = [(n_id, j_id) for (j_id, n_id) in found]
        result = matching.solve(items, agents, affinities, forbidden, top_k=None)
        by_id = {j.id: j for j in jury}
        for nomination_id, juror_id in result.assignments:
            pairs_by_nomination[nomination_id].append(by_id[juror_id])
        loads = dict(result.loads)
    short = [n for n in nominations if len(pairs_by_nomination[n.id]) < edition.jurors_per_nomination]
    return AssignmentPreview([(n, pairs_by_nomination[n.id]) for n in nominations], loads, demand, short, found, jury)


def release_assignments(actor: User, edition: PrizeEdition) -> int:
    """Store the previewed assignment and tell the jurors. Once, after nominations closed."""
    require(is_coordinator(actor))
    if edition.assignments_released_at is not None:
        raise ServiceError(_l("De toewijzing is al vrijgegeven."))
    if edition.phase not in (REVIEW, SCORING):
        raise ServiceError(_l("Toewijzen kan pas als de nominatieperiode gesloten is."))
    preview = assignment_preview(edition)
    if not preview.jury:
        raise ServiceError(_l("Nodig eerst juryleden uit."))
    count = 0
    for nomination, assigned in preview.pairs:
        for juror in assigned:
            db.session.add(PrizeAssignment(juror_id=juror.id, nomination_id=nomination.id))
            count += 1
    edition.assignments_released_at = now()
    db.session.flush()
    audit("prize.assignments_released", obj=edition, actor=actor, assignments=count)
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("prize.jury", year=edition.year)
    for juror in preview.jury:
        if preview.loads.get(juror.id):
            queue_mail(juror.email, _l("Uw nominaties voor de %(title)s", title=edition.title),
                       "prize_assignments", locale=juror.user.locale if juror.user else None, juror=juror,
                       edition=edition, count=preview.loads[juror.id], link=link)
    return count


def juror_assignments(juror: PrizeJuror) -> list[PrizeAssignment]:
    return list(db.session.scalars(select(PrizeAssignment).where(PrizeAssignment.juror_id == juror.id)
                                   .options(joinedload(PrizeAssignment.nomination)
                                            .joinedload(PrizeNomination.organisation))
                                   .order_by(PrizeAssignment.nomination_id)))


def edition_nominations(edition: PrizeEdition) -> list[PrizeNomination]:
    return list(db.session.scalars(select(PrizeNomination).where(PrizeNomination.edition_id == edition.id)
                                   .options(joinedload(PrizeNomination.organisation),
                                            selectinload(PrizeNomination.supporters))
                                   .order_by(PrizeNomination.id)).unique())


def juror_may_view_result(user, organisation, benchmark_edition) -> bool:
    """Benchmark hook: a juror may see the (private) benchmark result of a nominee assigned to them."""
    from mvi_community.prize.services.common import link_juror_seats

    link_juror_seats(user)
    return db.session.scalar(
        select(PrizeAssignment.id).join(PrizeJuror).join(PrizeNomination, PrizeAssignment.nomination_id
                                                         == PrizeNomination.id)
        .join(PrizeEdition, PrizeNomination.edition_id == PrizeEdition.id)
        .where(PrizeJuror.user_id == user.id, PrizeNomination.organisation_id == organisation.id,
               PrizeEdition.benchmark_year == benchmark_edition.year).limit(1)) is not None
