"""Shared prize helpers: settings (eligibility), time, lookups and role checks."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from mvi_community.core.errors import NotFound
from mvi_community.core.models import Setting
from mvi_community.core.permissions import is_coordinator, is_member
from mvi_community.db import utcnow
from mvi_community.extensions import db
from mvi_community.prize.models import PrizeEdition, PrizeJuror, PrizeNomination

DOMAIN = "prize"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ELIGIBLE_TYPES = ("provincie", "gemeente", "waterschap")

#: Eligibility settings (core Setting rows, domain "prize") with their defaults.
DEFAULT_SETTINGS: dict[str, Any] = {
    "eligible_types": list(ELIGIBLE_TYPES),
    "require_benchmark": True,
    "require_manifest": False,
}

PHASE_LABELS = {
    "upcoming": _l("Nog niet geopend"),
    "nominations": _l("Nomineren"),
    "review": _l("Nominaties gesloten"),
    "scoring": _l("Jurering"),
    "deliberation": _l("Juryberaad"),
    "ceremony": _l("Uitreiking"),
    "published": _l("Uitslag gepubliceerd"),
    "archive": _l("Archief"),
}


def now() -> datetime:
    return utcnow()


def local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(AMSTERDAM) if moment is not None else None


def start_of_day(day) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM).astimezone(UTC)


def get_settings() -> dict[str, Any]:
    values = dict(DEFAULT_SETTINGS)
    for row in db.session.scalars(select(Setting).where(Setting.domain == DOMAIN)):
        if row.key in values:
            values[row.key] = row.value
    return values


def save_settings(actor, values: dict[str, Any]) -> dict[str, Any]:
    from mvi_community.core.audit import audit
    from mvi_community.core.permissions import require

    require(is_coordinator(actor))
    rows = {r.key: r for r in db.session.scalars(select(Setting).where(Setting.domain == DOMAIN))}
    for key in DEFAULT_SETTINGS:
        if key not in values:
            continue
        if key in rows:
            rows[key].value = values[key]
        else:
            db.session.add(Setting(domain=DOMAIN, key=key, value=values[key]))
    db.session.flush()
    audit("prize.settings_changed", actor=actor, **{k: values[k] for k in DEFAULT_SETTINGS if k in values})
    return get_settings()


def list_editions() -> list[PrizeEdition]:
    return list(db.session.scalars(select(PrizeEdition).order_by(PrizeEdition.year.desc())))


def find_edition(year: int) -> PrizeEdition | None:
    return db.session.scalar(select(PrizeEdition).where(PrizeEdition.year == year)
                             .options(selectinload(PrizeEdition.categories), selectinload(PrizeEdition.criteria)))


def get_edition(year: int) -> PrizeEdition:
    edition = find_edition(year)
    if edition is None:
        raise NotFound(_l("De prijseditie %(year)s bestaat niet.", year=year))
    return edition


def get_nomination(edition: PrizeEdition, nomination_id: int) -> PrizeNomination:
    nomination = db.session.get(PrizeNomination, nomination_id)
    if nomination is None or nomination.edition_id != edition.id:
        raise NotFound(_l("Deze nominatie bestaat niet."))
    return nomination


def juror_of(user, edition: PrizeEdition) -> PrizeJuror | None:
    """The user's jury seat in the edition: by account; an invitation not yet linked to an
    account matches the user's e-mail address once, and is then linked (`link_juror`), so a
    later change of address never moves the seat to someone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    juror = db.session.scalar(select(PrizeJuror).where(
        PrizeJuror.edition_id == edition.id,
        or_(PrizeJuror.user_id == user.id,
            and_(PrizeJuror.user_id.is_(None), PrizeJuror.email == user.email.casefold())))
        .order_by(PrizeJuror.user_id.is_(None)).limit(1))
    if juror is not None and juror.user_id is None:
        link_juror(juror, user)
    return juror


def link_juror_seats(user) -> None:
    """Link every jury invitation sent to the user's address that has no account yet."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    for juror in db.session.scalars(select(PrizeJuror).where(
            PrizeJuror.user_id.is_(None), PrizeJuror.email == user.email.casefold())):
        link_juror(juror, user)


def link_juror(juror: PrizeJuror, user) -> None:
    """Link an invitation to the account, and record an automatic conflict for every nomination
    of an organisation the user is a member of at this moment (an unsubmitted assignment for it,
    with its draft scores, is withdrawn; submitted scores are never touched)."""
    from sqlalchemy import delete

    from mvi_community.core.audit import audit
    from mvi_community.prize.models import AUTO, PrizeAssignment, PrizeConflict, PrizeScore

    juror.user = user
    own = {m.organisation_id for m in user.memberships}
    if juror.organisation_id is None and user.memberships:
        juror.organisation_id = user.memberships[0].organisation_id
    if juror.organisation_id:
        own.add(juror.organisation_id)
    conflicted: list[int] = []
    open_assignments: list[int] = []
    if own:
        declared = set(db.session.scalars(select(PrizeConflict.nomination_id).where(
            PrizeConflict.juror_id == juror.id)))
        for nomination_id in db.session.scalars(select(PrizeNomination.id).where(
                PrizeNomination.edition_id == juror.edition_id, PrizeNomination.organisation_id.in_(own))):
            conflicted.append(nomination_id)
            if nomination_id not in declared:
                db.session.add(PrizeConflict(juror_id=juror.id, nomination_id=nomination_id, kind=AUTO))
        open_assignments = list(db.session.scalars(select(PrizeAssignment.nomination_id).where(
            PrizeAssignment.juror_id == juror.id, PrizeAssignment.nomination_id.in_(conflicted),
            PrizeAssignment.submitted_at.is_(None)))) if conflicted else []
        if open_assignments:
            db.session.execute(delete(PrizeScore).where(PrizeScore.juror_id == juror.id,
                                                        PrizeScore.nomination_id.in_(open_assignments)))
            db.session.execute(delete(PrizeAssignment).where(PrizeAssignment.juror_id == juror.id,
                                                             PrizeAssignment.nomination_id.in_(open_assignments)))
    db.session.flush()
    audit("prize.juror_linked", obj=juror, user_id=user.id, conflicts=conflicted)
    if open_assignments:
        from mvi_community.prize.services.replacements import tell_coordinators_lapsed

        tell_coordinators_lapsed(juror, list(db.session.scalars(
            select(PrizeNomination).where(PrizeNomination.id.in_(open_assignments)).order_by(PrizeNomination.id))))


def juror_organisation_ids(juror: PrizeJuror) -> set[int]:
    ids = {juror.organisation_id} if juror.organisation_id else set()
    if juror.user is not None:
        ids |= {m.organisation_id for m in juror.user.memberships}
    return ids


def is_nomination_party(user, nomination: PrizeNomination) -> bool:
    """A member of the nominee, the nominating organisation or a supporting organisation."""
    if is_member(user, nomination.organisation) or (
            nomination.nominator_organisation is not None and is_member(user, nomination.nominator_organisation)):
        return True
    if getattr(user, "is_authenticated", False) and nomination.nominator_id == user.id:
        return True
    return any(s.organisation is not None and is_member(user, s.organisation) for s in nomination.supporters)
