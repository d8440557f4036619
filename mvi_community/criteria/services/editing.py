"""Feedback during the window, and the coordinator's work on the next version: draft, edit, publish."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.i18n import current_locale
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.criteria.models import (
    DRAFT,
    FEEDBACK_DECLINED,
    FEEDBACK_HANDLED,
    FEEDBACK_OPEN,
    LEVELS,
    MAX_DISCOUNT,
    PUBLISHED,
    TEXT_LIMITS,
    TYPE_CODES,
    TYPES,
    CriteriaVersion,
    Criterion,
    CriterionFeedback,
)
from mvi_community.criteria.services.catalogue import current_version
from mvi_community.criteria.services.common import feedback_window, member_organisation_ids
from mvi_community.db import utcnow
from mvi_community.extensions import db

NUMBER_RE = re.compile(r"^[A-Z0-9]{2,6}-[A-Z]{2}-\d{2,3}$")


# --- feedback --------------------------------------------------------------------------------

def can_comment(user) -> bool:
    return bool(member_organisation_ids(user)) or is_coordinator(user)


def add_feedback(user, criterion: Criterion, body: str, today=None) -> CriterionFeedback:
    require(can_comment(user), _l("Alleen leden van een deelnemende organisatie kunnen feedback geven."))
    if not feedback_window(today).open:
        raise ServiceError(_l("De feedbackperiode is gesloten. U kunt weer reageren in de volgende periode."))
    if not criterion.version.published:
        raise ServiceError(_l("U kunt alleen reageren op criteria van een gepubliceerde versie."))
    body = (body or "").strip()
    if len(body) < 10:
        raise ServiceError(_l("Schrijf minstens een zin: wat wilt u veranderen, en waarom?"), field="body")
    if len(body) > 4000:
        raise ServiceError(_l("Uw reactie is te lang (hoogstens 4000 tekens)."), field="body")
    organisation_id = next(iter(sorted(member_organisation_ids(user))), None)
    feedback = CriterionFeedback(criterion=criterion, number=criterion.number, author_id=user.id,
                                 organisation_id=organisation_id, body=body)
    db.session.add(feedback)
    db.session.flush()
    audit("criteria.feedback_added", feedback, actor=user, number=criterion.number)
    return feedback


def feedback_for(number: str) -> list[CriterionFeedback]:
    return list(db.session.scalars(
        select(CriterionFeedback).where(CriterionFeedback.number == number)
        .options(selectinload(CriterionFeedback.author), selectinload(CriterionFeedback.organisation),
                 joinedload(CriterionFeedback.criterion).joinedload(Criterion.version))
        .order_by(CriterionFeedback.created_at.desc())))


def feedback_queue(user, status: str | None = FEEDBACK_OPEN) -> list[CriterionFeedback]:
    require(is_coordinator(user))
    statement = (select(CriterionFeedback)
                 .options(selectinload(CriterionFeedback.author), selectinload(CriterionFeedback.organisation),
                          selectinload(CriterionFeedback.criterion).selectinload(Criterion.product_group),
                          selectinload(CriterionFeedback.criterion).selectinload(Criterion.version))
                 .order_by(CriterionFeedback.created_at))
    if status:
        statement = statement.where(CriterionFeedback.status == status)
    return list(db.session.scalars(statement))


def open_feedback_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CriterionFeedback)
                             .where(CriterionFeedback.status == FEEDBACK_OPEN)) or 0


def handle_feedback(user, feedback_id: int, status: str, response: str) -> CriterionFeedback:
    require(is_coordinator(user))
    feedback = db.session.get(CriterionFeedback, feedback_id)
    if feedback is None:
        raise NotFound()
    if feedback.status != FEEDBACK_OPEN:
        raise ServiceError(_l("Over deze feedback is al besloten. Een besluit wordt niet overschreven."))
    if status not in (FEEDBACK_HANDLED, FEEDBACK_DECLINED):
        raise ServiceError(_l("Kies of de feedback is verwerkt of niet overgenomen."), field="status")
    response = (response or "").strip()
    if not response:
        raise ServiceError(_l("Schrijf een reactie aan de indiener."), field="response")
    feedback.status, feedback.response = status, response[:4000]
    feedback.handled_by_id, feedback.handled_at = user.id, utcnow()
    db.session.flush()
    audit("criteria.feedback_" + status, feedback, actor=user, number=feedback.number)
    return feedback


# --- the next version ------------------------------------------------------------------------

def draft_version() -> CriteriaVersion | None:
    return db.session.scalar(select(CriteriaVersion).where(CriteriaVersion.status == DRAFT)
                             .order_by(CriteriaVersion.year.desc()).limit(1))


def start_draft(user, year: int, notes: str | None = None) -> CriteriaVersion:
    """A new draft version: a full copy of the current version (criteria keep their numbers)."""
    require(is_coordinator(user))
    if draft_version() is not None:
        raise ServiceError(_l("Er is al een conceptversie. Publiceer of bewerk die eerst."))
    current = current_version()
    if current is not None and year <= current.year:
        raise ServiceError(_l("Het jaar van de nieuwe versie moet na %(year)s liggen.", year=current.year),
                           field="year")
    if db.session.scalar(select(CriteriaVersion.id).where(CriteriaVersion.year == year)) is not None:
        raise ServiceError(_l("Er bestaat al een versie voor %(year)s.", year=year), field="year")
    draft = CriteriaVersion(year=year, status=DRAFT, notes=(notes or "").strip() or None)
    db.session.add(draft)
    if current is not None:
        for old in db.session.scalars(select(Criterion).where(Criterion.version_id == current.id)
                                      .options(selectinload(Criterion.themes))):
            draft.criteria.append(Criterion(
                number=old.number, product_group_id=old.product_group_id, type=old.type, level=old.level,
                title=old.title, text_nl=old.text_nl, text_en=old.text_en, verification_nl=old.verification_nl,
                verification_en=old.verification_en, weight_percent=old.weight_percent,
                discount_eur=old.discount_eur, discount_basis=old.discount_basis,
                eu_gpp_reference=old.eu_gpp_reference, position=old.position, themes=list(old.themes)))
    db.session.flush()
    audit("criteria.draft_started", draft, actor=user, year=year)
    return draft


@dataclass
class CriterionData:
    product_group_id: int
    type: str
    level: int
    title: str
    text_nl: str
    verification_nl: str
    theme_ids: list[int]
    text_en: str | None = None
    verification_en: str | None = None
    weight_percent: int | None = None
    discount_eur: Decimal | None = None
    discount_basis: str | None = None
    eu_gpp_reference: str | None = None
    change_note: str | None = None
    number: str | None = None


def _check_draft(user, version: CriteriaVersion) -> None:
    require(is_coordinator(user))
    require_draft(version)


def require_draft(version: CriteriaVersion) -> None:
    if version.status != DRAFT:
        raise ServiceError(_l("Een gepubliceerde versie verandert niet meer. Begin een nieuwe conceptversie."))


def suggest_number(group: ProductGroup, type_: str) -> str:
    """The next free number for this product group and type, e.g. KAN-GC-04."""
    numbers = list(db.session.scalars(select(Criterion.number).where(Criterion.product_group_id == group.id)
                                      .distinct()))
    prefix = numbers[0].split("-")[0] if numbers else re.sub(r"[^A-Z0-9]", "", group.code.upper())[:4] or "PG"
    code = TYPE_CODES[type_]
    taken = set(db.session.scalars(select(Criterion.number).where(Criterion.number.like(f"{prefix}-{code}-%"))))
    n = 1
    while f"{prefix}-{code}-{n:02d}" in taken:
        n += 1
    return f"{prefix}-{code}-{n:02d}"


@dataclass
class CheckedCriterion:
    """What `check_criterion` found: every problem (each with its field), and what the data refers to."""

    problems: list[ServiceError]
    group: ProductGroup | None
    themes: list[Theme]
    number: str | None  # a new criterion's number ("" when the platform is to choose one)


def check_criterion(version: CriteriaVersion, data: CriterionData, criterion: Criterion | None = None
                    ) -> CheckedCriterion:
    """The rules a criterion meets before it is saved, in one place: the form (`save_criterion`)
    and the import (`criteria.services.transfer`) both ask this. Reports every problem, writes nothing.
    Product group and themes are read with `session.get`, so a caller that loaded them first pays
    no query for them."""
    if criterion is not None and criterion.version_id != version.id:
        raise NotFound()
    problems: list[ServiceError] = []

    def problem(message, field: str) -> None:
        problems.append(ServiceError(message, field=field))

    if data.type not in TYPES:
        problem(_l("Kies een type criterium."), "type")
    if data.level not in LEVELS:
        problem(_l("Kies een ambitieniveau."), "level")
    group = db.session.get(ProductGroup, data.product_group_id) if data.product_group_id else None
    if group is None:
        problem(_l("Kies een productgroep."), "product_group")
    elif criterion is not None and criterion.product_group_id != group.id:
        problem(_l("Een criterium houdt zijn productgroep; voeg een nieuw criterium toe."), "product_group")
    elif criterion is None and not group.active:
        problem(_l("De productgroep %(name)s is niet meer in gebruik.", name=group.name(current_locale())), "product_group")
    if data.type in TYPES and data.type != "gunningscriterium" and (
            data.weight_percent is not None or data.discount_eur is not None):
        problem(_l("Een weging of fictieve korting hoort alleen bij een gunningscriterium."), "weight_percent")
    themes = [theme for theme in (db.session.get(Theme, i) for i in dict.fromkeys(data.theme_ids or [])) if theme]
    if not themes:
        problem(_l("Kies minstens één thema."), "themes")
    kept = {theme.id for theme in criterion.themes} if criterion is not None else set()
    for theme in themes:
        if not theme.active and theme.id not in kept:
            problem(_l("Het thema %(name)s is niet meer in gebruik.", name=theme.name(current_locale())), "themes")
    for field, message in (("title", _l("Geef het criterium een titel.")),
                           ("text_nl", _l("Vul de tekst van het criterium in.")),
                           ("verification_nl", _l("Beschrijf hoe de inschrijver aantoont dat hij voldoet."))):
        if not (getattr(data, field) or "").strip():
            problem(message, field)
    for field, limit in TEXT_LIMITS.items():
        length = len((getattr(data, field) or "").strip())
        if length > limit:
            problem(_l("Hoogstens %(max)s tekens (nu %(length)s).", max=limit, length=length), field)
    if data.weight_percent is not None and not 0 <= data.weight_percent <= 100:
        problem(_l("Kies een weging tussen 0 en 100 procent."), "weight_percent")
    if data.discount_eur is not None and data.discount_eur < 0:
        problem(_l("De fictieve korting kan niet negatief zijn."), "discount_eur")
    elif data.discount_eur is not None and data.discount_eur > MAX_DISCOUNT:
        problem(_l("Vul een korting van hoogstens 9.999.999.999,99 euro in."), "discount_eur")
    number = None
    if criterion is None:
        number = (data.number or "").strip().upper()
        if number and not NUMBER_RE.match(number):
            problem(_l("Een criteriumnummer ziet eruit als KAN-GC-04."), "number")
        elif number:
            # A number is unique within a version, and belongs to one product group across all versions.
            in_draft = db.session.scalar(select(Criterion.id).where(Criterion.number == number,
                                                                    Criterion.version_id == version.id))
            if in_draft is not None:
                problem(_l("Het nummer %(number)s staat al in deze conceptversie.", number=number), "number")
            elif group is not None and db.session.scalar(
                    select(Criterion.id).where(Criterion.number == number,
                                               Criterion.product_group_id != group.id).limit(1)) is not None:
                problem(_l("Het nummer %(number)s hoort bij een andere productgroep.", number=number), "number")
    return CheckedCriterion(problems, group, themes, number)


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def criterion_values(data: CriterionData, checked: CheckedCriterion) -> dict:
    """The column values a save writes (texts stripped, empty optional texts as None)."""
    return {
        "product_group_id": checked.group.id, "type": data.type, "level": data.level,
        "title": data.title.strip(), "text_nl": data.text_nl.strip(), "verification_nl": data.verification_nl.strip(),
        "text_en": _text(data.text_en), "verification_en": _text(data.verification_en),
        "weight_percent": data.weight_percent, "discount_eur": data.discount_eur,
        "discount_basis": _text(data.discount_basis), "eu_gpp_reference": _text(data.eu_gpp_reference),
        "change_note": _text(data.change_note),
    }


def _same(old, new) -> bool:
    if isinstance(old, str) and isinstance(new, str):  # a browser sends CRLF, a file may hold LF
        return old.replace("\r\n", "\n") == new.replace("\r\n", "\n")
    if isinstance(old, (Decimal, float, int)) and isinstance(new, (Decimal, float, int)):
        return Decimal(str(old)) == Decimal(str(new))
    return old == new


def changed_fields(criterion: Criterion, data: CriterionData, checked: CheckedCriterion) -> list[str]:
    """The fields a save of `data` would change on `criterion` ("themes" for its themes)."""
    changed = [field for field, value in criterion_values(data, checked).items()
               if not _same(getattr(criterion, field), value)]
    if {t.id for t in criterion.themes} != {t.id for t in checked.themes}:
        changed.append("themes")
    return changed


def apply_criterion(criterion: Criterion, data: CriterionData, checked: CheckedCriterion) -> None:
    """Write checked data onto a criterion (no flush, no audit: the caller does both)."""
    for field, value in criterion_values(data, checked).items():
        setattr(criterion, field, value)
    criterion.themes = checked.themes


def next_positions(version: CriteriaVersion) -> dict[int, int]:
    """Per product group, the position after the last criterion in this version."""
    return {group_id: (position or 0) + 1 for group_id, position in db.session.execute(
        select(Criterion.product_group_id, func.max(Criterion.position))
        .where(Criterion.version_id == version.id).group_by(Criterion.product_group_id))}


def save_criterion(user, version: CriteriaVersion, data: CriterionData, criterion: Criterion | None = None
                   ) -> Criterion:
    _check_draft(user, version)
    checked = check_criterion(version, data, criterion)
    if checked.problems:
        raise checked.problems[0]
    if criterion is None:
        group = checked.group
        criterion = Criterion(version=version, number=checked.number or suggest_number(group, data.type),
                              position=next_positions(version).get(group.id, 1))
        db.session.add(criterion)
        action = "criteria.criterion_added"
    else:
        action = "criteria.criterion_changed"
    apply_criterion(criterion, data, checked)
    db.session.flush()
    audit(action, criterion, actor=user, number=criterion.number, year=version.year)
    return criterion


def remove_criterion(user, version: CriteriaVersion, criterion_id: int) -> str:
    _check_draft(user, version)
    criterion = db.session.get(Criterion, criterion_id)
    if criterion is None or criterion.version_id != version.id:
        raise NotFound()
    number = criterion.number
    db.session.delete(criterion)
    db.session.flush()
    audit("criteria.criterion_removed", version, actor=user, number=number, year=version.year)
    return number


def publish(user, version: CriteriaVersion) -> CriteriaVersion:
    _check_draft(user, version)
    if open_feedback_count():
        raise ServiceError(_l("Er staat nog feedback open. Behandel alle feedback voordat u publiceert."))
    if not db.session.scalar(select(func.count()).select_from(Criterion).where(Criterion.version_id == version.id)):
        raise ServiceError(_l("Een versie zonder criteria kan niet worden gepubliceerd."))
    version.status, version.published_at = PUBLISHED, utcnow()
    db.session.flush()
    audit("criteria.version_published", version, actor=user, year=version.year)
    _tell_selection_owners(version)
    return version


def _tell_selection_owners(version: CriteriaVersion) -> int:
    """One e-mail per owner of selections made against an older version: what changed is on the
    selection page. Returns the number of messages queued."""
    from mvi_community.core.mail import queue_mail
    from mvi_community.criteria.models import Selection

    by_owner: dict[int, list[Selection]] = {}
    for selection in db.session.scalars(select(Selection).join(Selection.version)
                                        .where(CriteriaVersion.year < version.year, Selection.owner_id.is_not(None))
                                        .options(selectinload(Selection.owner), selectinload(Selection.version))
                                        .order_by(Selection.name)):
        if selection.owner.active:
            by_owner.setdefault(selection.owner_id, []).append(selection)
    for selections in by_owner.values():
        owner = selections[0].owner
        queue_mail(owner.email, _l("Nieuwe versie van de MVI-criteria: %(year)s", year=version.year),
                   "criteria_version_published", locale=owner.locale, user=owner, version=version,
                   selections=selections)
    return len(by_owner)
