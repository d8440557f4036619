"""Nominations: eligibility, nominating (with merging into supporters), case links,
attachments, and who may see what."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.accounts.models import Organisation, User
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.permissions import is_coordinator, is_member, require
from mvi_community.extensions import db
from mvi_community.prize.models import (
    NOMINATIONS,
    PrizeAssignment,
    PrizeAttachment,
    PrizeCaseLink,
    PrizeEdition,
    PrizeNomination,
    PrizeSupporter,
)
from mvi_community.prize.services.common import get_settings, is_nomination_party, juror_of

TYPE_NAMES = {"provincie": _l("provincie"), "gemeente": _l("gemeente"), "waterschap": _l("waterschap"),
              "rijk": _l("Rijksorganisatie"), "uitvoeringsorganisatie": _l("uitvoeringsorganisatie"),
              "overig": _l("overige organisatie")}


def has_signed_manifest(organisation: Organisation) -> bool:
    from mvi_community.manifest import services as manifest_services

    manifest = manifest_services.current_manifest()
    if manifest is None:
        return False
    try:
        signatory = manifest_services.get_signatory(manifest, organisation.code)
    except NotFound:
        return False
    return not signatory.withdrawn


def eligibility_problems(organisation: Organisation, totals: dict[int, float], settings: dict[str, Any],
                         benchmark_year: int) -> list[Any]:
    """Why `organisation` may not be nominated (empty: eligible). `totals`: ranked benchmark totals."""
    reasons: list[Any] = []
    if organisation.type not in settings["eligible_types"]:
        reasons.append(_l("%(name)s is een %(type)s; alleen provincies, gemeenten en waterschappen kunnen worden "
                          "genomineerd.", name=organisation.name, type=TYPE_NAMES.get(organisation.type, organisation.type)))
    if settings["require_benchmark"] and organisation.id not in totals:
        reasons.append(_l("%(name)s heeft geen gerangschikt resultaat in de benchmark %(year)s.",
                          name=organisation.name, year=benchmark_year))
    if settings["require_manifest"] and not has_signed_manifest(organisation):
        reasons.append(_l("%(name)s heeft het Manifest MVOI niet ondertekend.", name=organisation.name))
    return reasons


def nominee_choices() -> list[Organisation]:
    """Every organisation: an ineligible choice is refused with its reason, not hidden."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def nominator_choices(user: User) -> list[Organisation]:
    return sorted((m.organisation for m in user.memberships), key=lambda o: o.name)


@dataclass
class NominationData:
    nominee_id: int
    nominator_organisation_id: int
    category_code: str
    motivation: str
    project: str | None = None
    evidence: str | None = None
    case_ids: list[int] = field(default_factory=list)


def can_nominate(user, edition: PrizeEdition) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if is_coordinator(user):
        return not edition.published
    return edition.phase == NOMINATIONS and bool(user.memberships)


def nominate(actor: User, edition: PrizeEdition, data: NominationData) -> tuple[PrizeNomination, bool]:
    """Create a nomination, or merge it into the existing one for the same nominee and category
    (the nominator becomes a supporter). Returns (nomination, merged)."""
    from mvi_community.benchmark.services import ranked_totals

    if not can_nominate(actor, edition):
        raise ServiceError(_l("Nomineren kan alleen terwijl de nominatieperiode open is."))
    nominator = db.session.get(Organisation, data.nominator_organisation_id)
    if nominator is None or not (is_member(actor, nominator) or is_coordinator(actor)):
        raise ServiceError(_l("U kunt alleen nomineren namens een organisatie waarvan u lid bent."),
                           field="nominator_organisation_id")
    nominee = db.session.get(Organisation, data.nominee_id)
    if nominee is None:
        raise ServiceError(_l("Kies een organisatie om te nomineren."), field="nominee_id")
    category = next((c for c in edition.categories if c.code == data.category_code), None)
    if category is None:
        raise ServiceError(_l("Kies een categorie."), field="category_code")
    if category.organisation_type is not None and category.organisation_type != nominee.type:
        raise ServiceError(_l("De categorie %(category)s is niet bedoeld voor een %(type)s.", category=category.name,
                              type=TYPE_NAMES.get(nominee.type, nominee.type)), field="category_code")
    motivation = (data.motivation or "").strip()
    if len(motivation) < 20:
        raise ServiceError(_l("Geef een motivering van minstens 20 tekens."), field="motivation")
    totals = ranked_totals(edition.benchmark_year, [nominee.id])
    reasons = eligibility_problems(nominee, totals, get_settings(), edition.benchmark_year)
    if reasons:
        raise ServiceError(_l("Deze nominatie kan niet worden ingediend: %(reason)s", reason=" ".join(map(str, reasons))),
                           field="nominee_id")
    existing = _existing_nomination(edition.id, category.id, nominee.id)
    if existing is not None:
        return _support(actor, existing, nominator, nominee, motivation, data.case_ids), True
    nomination = PrizeNomination(
        edition=edition, category=category, organisation=nominee, nominator_organisation=nominator, nominator=actor,
        motivation=motivation, project=(data.project or "").strip() or None,
        evidence=(data.evidence or "").strip() or None, benchmark_total=totals.get(nominee.id))
    try:
        with db.session.begin_nested():  # a savepoint: a simultaneous nomination of the same nominee
            db.session.add(nomination)
            _link_cases(actor, nomination, data.case_ids)
            db.session.flush()
    except IntegrityError:
        existing = _existing_nomination(edition.id, category.id, nominee.id)
        if existing is None:
            raise
        return _support(actor, existing, nominator, nominee, motivation, data.case_ids), True
    audit("prize.nominated", obj=nomination, actor=actor, nominee=nominee.code, nominator=nominator.code,
          category=category.code)
    return nomination, False


def _existing_nomination(edition_id: int, category_id: int, organisation_id: int) -> PrizeNomination | None:
    return db.session.scalar(select(PrizeNomination).where(
        PrizeNomination.edition_id == edition_id, PrizeNomination.category_id == category_id,
        PrizeNomination.organisation_id == organisation_id))


def _support(actor: User, existing: PrizeNomination, nominator: Organisation, nominee: Organisation,
             motivation: str, case_ids: list[int]) -> PrizeNomination:
    """Merge a second nomination of the same nominee and category: the nominator becomes a supporter."""
    if existing.nominator_organisation_id == nominator.id or any(
            s.organisation_id == nominator.id for s in existing.supporters):
        raise ServiceError(_l("%(org)s heeft %(nominee)s al genomineerd in deze categorie.", org=nominator.name,
                              nominee=nominee.name), field="nominee_id")
    existing.supporters.append(PrizeSupporter(organisation=nominator, user=actor, motivation=motivation))
    _link_cases(actor, existing, case_ids)
    db.session.flush()
    audit("prize.nomination_supported", obj=existing, actor=actor, supporter=nominator.code)
    return existing


def linkable_cases(user, organisation_id: int) -> list:
    """The nominee's cases this user may see (the cases domain's rules): published public ones
    for everyone, drafts only for members of the nominee. Never another organisation's drafts."""
    from mvi_community.cases.services import can_view, organisation_cases

    return [c for c in organisation_cases(organisation_id) if can_view(user, c)]


def _link_cases(actor: User, nomination: PrizeNomination, case_ids: list[int]) -> None:
    if not case_ids:
        return
    own = {c.id for c in linkable_cases(actor, nomination.organisation_id)}
    linked = {link.case_id for link in nomination.case_links}
    for case_id in case_ids:
        if case_id not in own:
            raise ServiceError(_l("Een gekoppelde casus moet een voor u zichtbare casus van de genomineerde "
                                  "organisatie zijn."), field="case_ids")
        if case_id not in linked:
            nomination.case_links.append(PrizeCaseLink(case_id=case_id))
            linked.add(case_id)


def can_view_nomination(user, nomination: PrizeNomination) -> bool:
    if is_coordinator(user) or is_nomination_party(user, nomination):
        return True
    juror = juror_of(user, nomination.edition)
    if juror is not None and db.session.scalar(select(PrizeAssignment.id).where(
            PrizeAssignment.juror_id == juror.id, PrizeAssignment.nomination_id == nomination.id)) is not None:
        return True
    return nomination.edition.published


def can_edit_nomination(user, nomination: PrizeNomination) -> bool:
    if is_coordinator(user):
        return not nomination.edition.published
    return nomination.edition.phase == NOMINATIONS and (
        nomination.nominator_id == getattr(user, "id", None)
        or (nomination.nominator_organisation is not None and is_member(user, nomination.nominator_organisation)))


def update_nomination(actor: User, nomination: PrizeNomination, motivation: str, project: str | None,
                      evidence: str | None) -> list[str]:
    """Change a nomination's texts (while nominations are open; a coordinator until publication).
    The nominee and category stay: another nominee or category is another nomination. Returns the
    names of the changed fields (audited; nothing changed, nothing audited)."""
    require(can_edit_nomination(actor, nomination))
    motivation = (motivation or "").strip()
    if len(motivation) < 20:
        raise ServiceError(_l("Geef een motivering van minstens 20 tekens."), field="motivation")
    values = {"motivation": motivation, "project": (project or "").strip() or None,
              "evidence": (evidence or "").strip() or None}
    changed = [name for name, value in values.items() if getattr(nomination, name) != value]
    for name in changed:
        setattr(nomination, name, values[name])
    if changed:
        db.session.flush()
        audit("prize.nomination_updated", obj=nomination, actor=actor, fields=changed)
    return changed


def nominations_of(edition: PrizeEdition, user=None) -> list[PrizeNomination]:
    """Every nomination (coordinator, or public after publication), else the user's own."""
    statement = (select(PrizeNomination).where(PrizeNomination.edition_id == edition.id)
                 .options(joinedload(PrizeNomination.organisation), joinedload(PrizeNomination.category),
                          joinedload(PrizeNomination.nominator_organisation),
                          selectinload(PrizeNomination.supporters).joinedload(PrizeSupporter.organisation))
                 .order_by(PrizeNomination.id))
    nominations = list(db.session.scalars(statement).unique())
    if user is None or is_coordinator(user) or edition.published:
        return nominations
    return [n for n in nominations if is_nomination_party(user, n)]


def add_attachment(actor: User, nomination: PrizeNomination, file) -> PrizeAttachment:
    from mvi_community.core.uploads import store_upload

    require(can_edit_nomination(actor, nomination))
    stored = store_upload(file)
    attachment = PrizeAttachment(stored_name=stored.stored_name, filename=stored.filename,
                                 content_type=stored.content_type, size=stored.size, uploaded_by_id=actor.id)
    nomination.attachments.append(attachment)
    db.session.flush()
    audit("prize.attachment_added", obj=nomination, actor=actor, filename=stored.filename)
    return attachment


def can_download_attachments(user, nomination: PrizeNomination) -> bool:
    """After publication the dossier is public, its attachments are not: only coordinators, the
    parties of the nomination and the jury download them."""
    return can_view_nomination(user, nomination) and not (nomination.edition.published and not (
        is_coordinator(user) or is_nomination_party(user, nomination) or juror_of(user, nomination.edition)))


def get_attachment(user, nomination: PrizeNomination, attachment_id: int) -> PrizeAttachment:
    require(can_download_attachments(user, nomination))
    attachment = next((a for a in nomination.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound()
    return attachment


def link_cases(actor: User, nomination: PrizeNomination, case_ids: list[int]) -> None:
    require(can_edit_nomination(actor, nomination))
    _link_cases(actor, nomination, case_ids)
    db.session.flush()
    audit("prize.cases_linked", obj=nomination, actor=actor, cases=case_ids)


def linked_cases(user, nomination: PrizeNomination) -> list:
    """The linked cases this user may see (a draft only for members of the nominee)."""
    if not nomination.case_links:
        return []
    visible = {c.id: c for c in linkable_cases(user, nomination.organisation_id)}
    return [visible[link.case_id] for link in nomination.case_links if link.case_id in visible]
