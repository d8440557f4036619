"""Editions: creation with the default rubric, rules and dates, the rubric, closing scoring,
the jury statement, publication, and the JSON import of (archive) editions."""
from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mvi_community.accounts.models import Organisation, User
from mvi_community.core.audit import audit
from mvi_community.core.errors import ServiceError
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.extensions import db
from mvi_community.prize.models import (
    ARCHIVE,
    CEREMONY,
    DATE_FIELDS,
    DELIBERATION,
    SCORING,
    PrizeCategory,
    PrizeCriterion,
    PrizeEdition,
    PrizeJuror,
    PrizeNomination,
    PrizeScore,
)
from mvi_community.prize.services.common import find_edition, get_settings, now

DEFAULT_CATEGORY = ("medeoverheden", "Medeoverheden")
TYPE_CATEGORIES = {"provincie": "Provincies", "gemeente": "Gemeenten", "waterschap": "Waterschappen"}

#: The KoopWijsPrijs 2018–19 criteria (each scored 1–10), the default rubric.
DEFAULT_CRITERIA = (
    ("ambitie", "Ambitie", "Hoe hoog legt de organisatie de lat voor maatschappelijk verantwoord inkopen?"),
    ("themas", "Keuze van thema's", "Zijn de gekozen MVI-thema's passend bij de opgaven en de inkooppakketten?"),
    ("verankering", "Verankering", "Is MVI geborgd in beleid, inkoopproces, contractmanagement en organisatie?"),
    ("vernieuwend", "Vernieuwend karakter", "Hoe vernieuwend is de aanpak voor de organisatie en de sector?"),
    ("effect", "Effect op beleidsdoelen", "Welk aantoonbaar effect heeft de aanpak op de beleidsdoelen?"),
    ("markt", "Interactie met de markt", "Hoe zijn marktpartijen betrokken, voor en na de aanbesteding?"),
    ("overdraagbaarheid", "Overdraagbaarheid", "Kunnen andere overheden de aanpak overnemen?"),
    ("documentatie", "Documentatie", "Is de aanpak goed vastgelegd en onderbouwd met stukken?"),
)


def default_levels(scale_min: int, scale_max: int) -> list[dict[str, Any]]:
    """Four level descriptors spread over the scale (1–10: 1–3, 4–5, 6–7, 8–10)."""
    span = scale_max - scale_min
    cuts = [scale_min, scale_min + round(span * 0.3), scale_min + round(span * 0.5), scale_min + round(span * 0.75),
            scale_max + 1]
    texts = ("Nauwelijks zichtbaar of niet onderbouwd.", "Aanwezig, maar beperkt in omvang of onderbouwing.",
             "Duidelijk aanwezig en onderbouwd.", "Uitstekend en voorbeeldstellend voor andere overheden.")
    return [{"from": cuts[i], "to": cuts[i + 1] - 1, "text": texts[i]} for i in range(4)]


@dataclass
class EditionData:
    year: int
    title: str
    benchmark_year: int
    description: str | None = None
    benchmark_weight: float = 0.3
    scale_min: int = 1
    scale_max: int = 10
    normalise: bool = True
    min_scores_for_normalisation: int = 3
    trim_from: int | None = 5
    jurors_per_nomination: int = 3
    hide_scores_until_submitted: bool = True
    blind: bool = False
    per_type_categories: bool = False
    nominations_open: datetime | None = None
    nominations_close: datetime | None = None
    scoring_open: datetime | None = None
    scoring_close: datetime | None = None
    deliberation_at: datetime | None = None
    ceremony_at: datetime | None = None


def date_problems(data: EditionData) -> list[tuple[str, Any]]:
    values = [(name, getattr(data, name)) for name in DATE_FIELDS]
    given = [(n, v) for n, v in values if v is not None]
    if given and len(given) != len(values):
        return [("nominations_open", _l("Vul alle data in, of geen (een archiefeditie)."))]
    problems = []
    for (_name_a, a), (name_b, b) in itertools.pairwise(values):
        if a is not None and b is not None and b < a:
            problems.append((name_b, _l("Deze datum ligt voor de vorige stap.")))
    return problems


def _rule_problems(data: EditionData) -> list[tuple[str, Any]]:
    problems = []
    if not (1990 <= data.year <= 2100):
        problems.append(("year", _l("Het jaar moet tussen 1990 en 2100 liggen.")))
    if not (0 <= data.benchmark_weight <= 1) or not math.isfinite(data.benchmark_weight):
        problems.append(("benchmark_weight", _l("Het gewicht van de benchmark ligt tussen 0 en 1.")))
    if data.scale_max <= data.scale_min:
        problems.append(("scale_max", _l("Het maximum van de schaal moet boven het minimum liggen.")))
    if data.min_scores_for_normalisation < 2:
        problems.append(("min_scores_for_normalisation", _l("Normaliseren vraagt minstens 2 totalen per jurylid.")))
    if data.trim_from is not None and data.trim_from < 3:
        problems.append(("trim_from", _l("Trimmen kan pas vanaf 3 juryleden.")))
    if data.jurors_per_nomination < 1:
        problems.append(("jurors_per_nomination", _l("Minstens één jurylid per nominatie.")))
    return problems + date_problems(data)


def _apply(edition: PrizeEdition, data: EditionData) -> None:
    for name in ("title", "description", "benchmark_year", "benchmark_weight", "scale_min", "scale_max", "normalise",
                 "min_scores_for_normalisation", "trim_from", "jurors_per_nomination",
                 "hide_scores_until_submitted", "blind", *DATE_FIELDS):
        setattr(edition, name, getattr(data, name))


def _has_scores(edition: PrizeEdition) -> bool:
    return db.session.scalar(select(PrizeScore.id).join(PrizeCriterion).where(
        PrizeCriterion.edition_id == edition.id).limit(1)) is not None


def create_edition(actor: User | None, data: EditionData, criteria: list[tuple[str, str, str | None, float]]
                   | None = None) -> PrizeEdition:
    if actor is not None:
        require(is_coordinator(actor))
    problems = _rule_problems(data)
    if find_edition(data.year) is not None:
        problems.insert(0, ("year", _l("Er bestaat al een prijseditie %(year)s.", year=data.year)))
    if problems:
        raise ServiceError(problems[0][1], field=problems[0][0])
    edition = PrizeEdition(year=data.year)
    _apply(edition, data)
    db.session.add(edition)
    if data.per_type_categories:
        for position, (type_, name) in enumerate(TYPE_CATEGORIES.items()):
            edition.categories.append(PrizeCategory(code=type_, name=name, organisation_type=type_, position=position))
    else:
        edition.categories.append(PrizeCategory(code=DEFAULT_CATEGORY[0], name=DEFAULT_CATEGORY[1], position=0))
    rows = criteria if criteria is not None else [(c, n, d, 1.0) for c, n, d in DEFAULT_CRITERIA]
    for position, (code, name, description, weight) in enumerate(rows):
        edition.criteria.append(PrizeCriterion(code=code, name=name, description=description, weight=weight,
                                               position=position,
                                               levels=default_levels(data.scale_min, data.scale_max)))
    db.session.flush()
    audit("prize.edition_created", obj=edition, actor=actor, year=data.year)
    return edition


def update_edition(actor: User, edition: PrizeEdition, data: EditionData) -> PrizeEdition:
    require(is_coordinator(actor))
    require(not edition.published, _l("Een gepubliceerde editie kan niet meer worden gewijzigd."))
    problems = _rule_problems(data)
    if problems:
        raise ServiceError(problems[0][1], field=problems[0][0])
    if (data.scale_min, data.scale_max) != (edition.scale_min, edition.scale_max) and _has_scores(edition):
        raise ServiceError(_l("De schaal ligt vast zodra er scores zijn."), field="scale_min")
    data.year = edition.year
    _apply(edition, data)
    db.session.flush()
    audit("prize.edition_updated", obj=edition, actor=actor)
    return edition


def save_criterion(actor: User, edition: PrizeEdition, code: str, name: str, weight: float,
                   description: str | None, levels_text: str | None = None) -> PrizeCriterion:
    """Add or change a rubric criterion; the rubric is fixed once scoring has begun."""
    require(is_coordinator(actor))
    if _has_scores(edition) or edition.published:
        raise ServiceError(_l("De rubric ligt vast zodra er scores zijn."))
    code = (code or "").strip().lower()
    if not code or not code.replace("-", "").replace("_", "").isalnum():
        raise ServiceError(_l("Geef een code van letters, cijfers en streepjes."), field="code")
    if not (weight and math.isfinite(weight) and weight > 0):
        raise ServiceError(_l("Het gewicht moet groter zijn dan 0."), field="weight")
    criterion = next((c for c in edition.criteria if c.code == code), None)
    if criterion is None:
        criterion = PrizeCriterion(code=code, position=len(edition.criteria),
                                   levels=default_levels(edition.scale_min, edition.scale_max))
        edition.criteria.append(criterion)
    criterion.name, criterion.weight, criterion.description = name.strip(), float(weight), description
    if levels_text is not None and levels_text.strip():
        criterion.levels = parse_levels(levels_text, edition)
    db.session.flush()
    audit("prize.criterion_saved", obj=criterion, actor=actor, code=code, weight=float(weight))
    return criterion


def parse_levels(text: str, edition: PrizeEdition) -> list[dict[str, Any]]:
    """Lines "1-3: text" → level descriptors on the scale."""
    levels = []
    for number, line in enumerate(text.strip().splitlines(), start=1):
        head, _, body = line.partition(":")
        low, _, high = head.strip().partition("-")
        try:
            low_value, high_value = int(low), int(high or low)
        except ValueError:
            raise ServiceError(_l("Regel %(line)s: schrijf een niveau als \"1-3: omschrijving\".", line=number),
                               field="levels") from None
        if not (edition.scale_min <= low_value <= high_value <= edition.scale_max) or not body.strip():
            raise ServiceError(_l("Regel %(line)s: het niveau valt buiten de schaal of heeft geen omschrijving.",
                                  line=number), field="levels")
        levels.append({"from": low_value, "to": high_value, "text": body.strip()})
    return levels


def remove_criterion(actor: User, edition: PrizeEdition, code: str) -> None:
    require(is_coordinator(actor))
    if _has_scores(edition) or edition.published:
        raise ServiceError(_l("De rubric ligt vast zodra er scores zijn."))
    if len(edition.criteria) <= 1:
        raise ServiceError(_l("De rubric heeft minstens één criterium nodig."))
    criterion = next((c for c in edition.criteria if c.code == code), None)
    if criterion is not None:
        edition.criteria.remove(criterion)
        db.session.flush()
        audit("prize.criterion_removed", obj=edition, actor=actor, code=code)


def _record_membership_conflicts(edition: PrizeEdition) -> None:
    """Record every conflict that exists only through a juror's current memberships, so that the
    results after closing no longer depend on memberships (which may change later)."""
    from mvi_community.prize.models import AUTO, PrizeConflict
    from mvi_community.prize.services.jury import conflicts, jurors

    jury = jurors(edition)
    nominations = list(db.session.scalars(select(PrizeNomination).where(PrizeNomination.edition_id == edition.id)))
    live = conflicts(edition, jury, nominations)
    settled = conflicts(edition, jury, nominations, memberships=False)
    for juror_id, nomination_id in sorted(live.keys() - settled.keys()):
        db.session.add(PrizeConflict(juror_id=juror_id, nomination_id=nomination_id, kind=AUTO))
    db.session.flush()


def close_scoring(actor: User, edition: PrizeEdition) -> PrizeEdition:
    """End the scoring phase now (the jurors' scores lock; the phase becomes deliberation)."""
    require(is_coordinator(actor))
    if edition.phase != SCORING:
        raise ServiceError(_l("De jurering is niet open."))
    _record_membership_conflicts(edition)
    moment = now()
    edition.scoring_close = moment
    for name in ("deliberation_at", "ceremony_at"):
        if getattr(edition, name) is not None and getattr(edition, name) < moment:
            setattr(edition, name, moment)
    db.session.flush()
    audit("prize.scoring_closed", obj=edition, actor=actor)
    return edition


def save_statement(actor: User, edition: PrizeEdition, statement: str) -> None:
    require(is_coordinator(actor))
    require(not edition.published, _l("Een gepubliceerde editie kan niet meer worden gewijzigd."))
    edition.statement = (statement or "").strip() or None
    db.session.flush()
    audit("prize.statement_saved", obj=edition, actor=actor)


def publish(actor: User, edition: PrizeEdition) -> PrizeEdition:
    """Make the jury report public. Only after scoring closed (or for an archive)."""
    from mvi_community.prize.services.results import compute

    require(is_coordinator(actor))
    if edition.published:
        raise ServiceError(_l("De uitslag is al gepubliceerd."))
    if edition.phase not in (DELIBERATION, CEREMONY, ARCHIVE):
        raise ServiceError(_l("Publiceren kan pas als de jurering gesloten is."))
    outcome = compute(edition)
    if not any(r.rank is not None for r in outcome.result.nominations.values()):
        raise ServiceError(_l("Er is nog geen nominatie met een volledige jurybeoordeling."))
    edition.published_at = now()
    edition.published_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit("prize.published", obj=edition, actor=actor)
    return edition


# --- JSON import ------------------------------------------------------------------------------

@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return f"edition created ({self.created} nominations)"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def import_edition(text: str) -> ImportReport:
    """Create an edition from a JSON document; refused whole, with every problem listed."""
    from mvi_community.benchmark.services import ranked_totals
    from mvi_community.prize.services.nominations import eligibility_problems

    problems: list[str] = []
    try:
        doc = json.loads(text)
    except ValueError as error:
        return ImportReport(problems=[_("Geen geldige JSON: %(error)s", error=error)])
    if not isinstance(doc, dict):
        return ImportReport(problems=[_("Het document moet een JSON-object zijn.")])
    year, bench = doc.get("year"), doc.get("benchmark_edition")
    if not isinstance(year, int) or isinstance(year, bool):
        problems.append(_("%(field)s: een geheel getal is vereist", field="year"))
    elif not 1990 <= year <= 2100:
        problems.append(_("%(field)s: een jaar tussen 1990 en 2100 is vereist", field="year"))
        year = None
    elif find_edition(year) is not None:
        problems.append(_("year: editie %(year)s bestaat al", year=year))
    if not isinstance(bench, int) or isinstance(bench, bool):
        problems.append(_("%(field)s: een geheel getal is vereist", field="benchmark_edition"))
    elif not 1990 <= bench <= 2100:
        problems.append(_("%(field)s: een jaar tussen 1990 en 2100 is vereist", field="benchmark_edition"))
        bench = None
    title = doc.get("title") or (f"MVI-prijs {year}" if isinstance(year, int) else "")
    weight = doc.get("benchmark_weight", 0.3)
    if not _number(weight) or not 0 <= weight <= 1:
        problems.append(_("benchmark_weight: een getal tussen 0 en 1 is vereist"))
    scale = doc.get("scale", {"min": 1, "max": 10})
    if not (isinstance(scale, dict) and _number(scale.get("min")) and _number(scale.get("max"))
            and float(scale["min"]).is_integer() and float(scale["max"]).is_integer() and scale["max"] > scale["min"]):
        problems.append(_("scale: {\"min\": geheel getal, \"max\": geheel getal} met max > min is vereist"))
        scale = {"min": 1, "max": 10}
    normalise = doc.get("normalise", True)
    if not isinstance(normalise, bool):
        problems.append(_("normalise: true of false"))
    min_scores = doc.get("min_scores_for_normalisation", 3)
    if not isinstance(min_scores, int) or isinstance(min_scores, bool) or min_scores < 2:
        problems.append(_("min_scores_for_normalisation: een geheel getal ≥ 2 is vereist"))
    trim_from = doc.get("trim_from", 5)
    if trim_from is not None and (not isinstance(trim_from, int) or isinstance(trim_from, bool) or trim_from < 3):
        problems.append(_("trim_from: null of een geheel getal ≥ 3 is vereist"))
    dates: dict[str, datetime | None] = {}
    for name in DATE_FIELDS:
        value = (doc.get("dates") or {}).get(name) if isinstance(doc.get("dates"), dict) else None
        try:
            dates[name] = datetime.fromisoformat(value) if value else None
            if dates[name] is not None and dates[name].tzinfo is None:
                from mvi_community.prize.services.common import AMSTERDAM
                dates[name] = dates[name].replace(tzinfo=AMSTERDAM)
        except (TypeError, ValueError):
            problems.append(_("dates.%(name)s: een ISO-datum is vereist", name=name))
            dates[name] = None
    criteria = doc.get("criteria")
    rows: list[tuple[str, str, str | None, float]] = []
    if criteria is None:
        rows = [(c, n, d, 1.0) for c, n, d in DEFAULT_CRITERIA]
    elif not isinstance(criteria, list) or not criteria:
        problems.append(_("criteria: een niet-lege lijst is vereist"))
    else:
        for n, item in enumerate(criteria, start=1):
            if not isinstance(item, dict) or not isinstance(item.get("code"), str) or not item.get("code"):
                problems.append(_("criteria[%(n)s]: een code is vereist", n=n))
                continue
            w = item.get("weight", 1)
            if not _number(w) or w <= 0:
                problems.append(_("criteria[%(n)s] %(code)s: het gewicht moet een getal > 0 zijn", n=n, code=item["code"]))
                continue
            if any(r[0] == item["code"] for r in rows):
                problems.append(_("criteria[%(n)s]: code %(code)s komt dubbel voor", n=n, code=item["code"]))
                continue
            rows.append((item["code"], str(item.get("name") or item["code"]), item.get("description"), float(w)))
    organisations = {o.code: o for o in db.session.scalars(select(Organisation))}
    jurors = doc.get("jurors") or []
    emails: set[str] = set()
    if not isinstance(jurors, list):
        problems.append(_("jurors: een lijst is vereist"))
        jurors = []
    for n, item in enumerate(jurors, start=1):
        email = str(item.get("email") or "").strip().casefold() if isinstance(item, dict) else ""
        if "@" not in email:
            problems.append(_("jurors[%(n)s]: een geldig e-mailadres is vereist", n=n))
            continue
        if email in emails:
            problems.append(_("jurors[%(n)s]: e-mailadres %(email)s komt dubbel voor", n=n, email=email))
        emails.add(email)
        code = item.get("organisation_code")
        if code and code not in organisations:
            problems.append(_("jurors[%(n)s] %(email)s: onbekende organisatie %(code)s", n=n, email=email, code=code))
    nominations = doc.get("nominations") or []
    if not isinstance(nominations, list):
        problems.append(_("nominations: een lijst is vereist"))
        nominations = []
    per_type = bool(doc.get("categories_per_type"))
    categories = set(TYPE_CATEGORIES) if per_type else {DEFAULT_CATEGORY[0]}
    totals = ranked_totals(bench) if isinstance(bench, int) else {}
    settings = get_settings()
    seen: set[tuple[str, str]] = set()
    for n, item in enumerate(nominations, start=1):
        code = item.get("organisation_code") if isinstance(item, dict) else None
        organisation = organisations.get(code) if code else None
        if organisation is None:
            problems.append(_("nominations[%(n)s]: onbekende organisatie %(code)s", n=n, code=code))
            continue
        category = item.get("category") or DEFAULT_CATEGORY[0]
        if category not in categories:
            problems.append(_("nominations[%(n)s] %(code)s: onbekende categorie %(category)s", n=n, code=code,
                                    category=category))
        elif per_type and category != organisation.type:
            problems.append(_("nominations[%(n)s] %(code)s: categorie %(category)s is niet voor een %(type)s", n=n,
                                    code=code, category=category, type=organisation.type))
        if (code, category) in seen:
            problems.append(_("nominations[%(n)s] %(code)s: twee keer genomineerd in %(category)s", n=n, code=code,
                                    category=category))
        seen.add((code, category))
        for reason in eligibility_problems(organisation, totals, settings, bench if isinstance(bench, int) else 0):
            problems.append(_("nominations[%(n)s] %(code)s: niet verkiesbaar: %(reason)s", n=n, code=code, reason=reason))
    if problems:
        return ImportReport(problems=problems)
    data = EditionData(year=year, title=str(title), benchmark_year=bench, benchmark_weight=float(weight),
                       scale_min=int(scale["min"]), scale_max=int(scale["max"]), normalise=normalise,
                       min_scores_for_normalisation=min_scores, trim_from=trim_from,
                       per_type_categories=per_type, **dates)
    date_issue = date_problems(data)
    if date_issue:
        return ImportReport(problems=[_("dates: %(problem)s", problem=date_issue[0][1])])
    edition = create_edition(None, data, rows)
    for item in jurors:
        organisation = organisations.get(item.get("organisation_code") or "")
        email = item["email"].strip().casefold()
        user = db.session.scalar(select(User).where(User.email == email))
        edition.jurors.append(PrizeJuror(email=email, name=item.get("name") or email, user=user,
                                         organisation=organisation, is_chair=bool(item.get("chair"))))
    by_code = {c.code: c for c in edition.categories}
    for item in nominations:
        organisation = organisations[item["organisation_code"]]
        db.session.add(PrizeNomination(
            edition=edition, category=by_code[item.get("category") or DEFAULT_CATEGORY[0]],
            organisation=organisation, motivation=str(item.get("motivation") or ""),
            project=item.get("project"), evidence=item.get("evidence"),
            benchmark_total=totals.get(organisation.id)))
    db.session.flush()
    audit("prize.edition_imported", obj=edition, year=year, nominations=len(nominations))
    return ImportReport(created=len(nominations))

