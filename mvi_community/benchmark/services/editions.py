"""Editions and their methodology: the default methodology, creating editions, saving the
methodology document (validated by the engine) and keeping the indicator rows in step."""
from __future__ import annotations

import copy
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mvi_community.benchmark.engine import Methodology, MethodologyError
from mvi_community.benchmark.models import Edition, Indicator
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.db import utcnow
from mvi_community.extensions import db

MIN_YEAR, MAX_YEAR = 2000, 2100

#: Theme codes outside the six MVI themes (core.taxonomy) that the default methodology uses.
EXTRA_THEME_LABELS = {"werkwijze": (_l("Werkwijze en innovatie"), "Way of working and innovation")}


def _i(code: str, theme: str, source: str, name_nl: str, name_en: str, unit: str = "share",
       direction: str = "higher", weight: float = 1.0) -> dict[str, Any]:
    return {"code": code, "theme": theme, "direction": direction, "weight": weight, "source": source,
            "name_nl": name_nl, "name_en": name_en, "unit": unit}


#: The default methodology (the issue's default pipeline).  eForms shares are fractions 0–1 of
#: an organisation's lots in the period; see importers.notices.eforms_indicator_values.
DEFAULT_INDICATORS = [
    _i("eforms_green_share", "milieu", "eforms", "Aandeel percelen met een milieudoel",
       "Share of lots with an environmental objective"),
    _i("eforms_gpp_criteria_share", "milieu", "eforms", "Aandeel percelen met GPP-criteria (EU of nationaal)",
       "Share of lots using GPP criteria (EU or national)"),
    _i("eforms_green_value_share", "milieu", "eforms", "Groen aandeel naar opdrachtwaarde",
       "Green share by contract value"),
    _i("eforms_theme_milieu_share", "milieu", "eforms", "Aandeel percelen met biodiversiteit, vervuiling of water",
       "Share of lots on biodiversity, pollution or water"),
    _i("eforms_climate_share", "klimaat", "eforms", "Aandeel percelen gericht op klimaat",
       "Share of lots on climate mitigation or adaptation"),
    _i("eforms_circular_share", "circulair", "eforms", "Aandeel percelen gericht op circulaire economie",
       "Share of lots on the circular economy"),
    _i("monitor_circular_share", "circulair", "csv", "Circulair inkoopaandeel (eigen monitor)",
       "Circular procurement share (own monitor)"),
    _i("eforms_theme_keten_share", "keten", "eforms", "Aandeel percelen met mensenrechten of arbeidsomstandigheden",
       "Share of lots on human rights or working conditions"),
    _i("eforms_theme_diversiteit_share", "diversiteit", "eforms", "Aandeel percelen gericht op toegankelijkheid en gelijkheid",
       "Share of lots on accessibility and equality"),
    _i("eforms_social_share", "social-return", "eforms", "Aandeel percelen met een sociaal doel",
       "Share of lots with a social objective"),
    _i("eforms_theme_social_return_share", "social-return", "eforms", "Aandeel percelen met kansen voor kwetsbare groepen",
       "Share of lots creating opportunities for disadvantaged groups"),
    _i("eforms_reporting_share", "werkwijze", "eforms", "Aandeel percelen waarin strategisch inkopen is ingevuld",
       "Share of lots reporting strategic procurement"),
    _i("eforms_innovation_share", "werkwijze", "eforms", "Aandeel percelen met een innovatiedoel",
       "Share of lots with an innovation objective"),
    _i("manifest_signed", "werkwijze", "platform", "Manifest MVOI ondertekend", "Signed the Manifest",
       unit="yes/no"),
    _i("manifest_plan_published", "werkwijze", "platform", "MVI-actieplan gepubliceerd", "Action plan published",
       unit="yes/no"),
    _i("manifest_report_on_time", "werkwijze", "platform", "Jaarrapportage op tijd", "Yearly report on time",
       unit="yes/no"),
]
DEFAULT_THEMES = ["milieu", "klimaat", "circulair", "keten", "diversiteit", "social-return", "werkwijze"]


def default_period(year: int) -> tuple[date, date]:
    """1 January of the year before to 31 December of the year."""
    return date(year - 1, 1, 1), date(year, 12, 31)


def default_methodology(year: int) -> dict[str, Any]:
    start, end = default_period(year)
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "themes": [{"code": code, "weight": 1.0} for code in DEFAULT_THEMES],
        "indicators": copy.deepcopy(DEFAULT_INDICATORS),
        "screening": {"min_coverage": 0.667},
        "imputation": "peer_median", "outliers": "winsorise", "normalisation": "minmax",
        "aggregation": "arithmetic", "peer_groups": "type_size",
        "uncertainty": {"draws": 1000, "seed": 1, "weight_noise": 0.25},
    }


# --- reading ------------------------------------------------------------------------------

def list_editions() -> list[Edition]:
    return list(db.session.scalars(
        select(Edition).options(selectinload(Edition.versions)).order_by(Edition.year.desc())))


def find_edition(year: int) -> Edition | None:
    return db.session.scalar(select(Edition).options(selectinload(Edition.versions)).where(Edition.year == year))


def get_edition(year: int) -> Edition:
    edition = find_edition(year)
    if edition is None:
        raise NotFound(_l("Er is geen benchmarkeditie %(year)s.", year=year))
    return edition


def methodology_of(edition: Edition) -> Methodology:
    return Methodology.from_dict(edition.methodology)


def active_indicators(edition: Edition) -> list[Indicator]:
    return list(db.session.scalars(
        select(Indicator).where(Indicator.edition_id == edition.id, Indicator.active.is_(True))
        .order_by(Indicator.position)))


# --- writing ------------------------------------------------------------------------------

def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ServiceError(_l("Kies een jaar tussen %(lo)s en %(hi)s.", lo=MIN_YEAR, hi=MAX_YEAR), field="year")


def create_edition(actor: Any, year: int, methodology: dict[str, Any] | None = None) -> Edition:
    """A new draft edition with the default methodology (or the one given, validated)."""
    if actor is not None:
        require(is_coordinator(actor))
    _check_year(year)
    if find_edition(year) is not None:
        raise ServiceError(_l("Editie %(year)s bestaat al.", year=year), field="year")
    document = methodology or default_methodology(year)
    parsed = _parse(document)
    edition = Edition(year=year, period_start=parsed.period_start, period_end=parsed.period_end,
                      methodology=parsed.to_dict())
    db.session.add(edition)
    db.session.flush()
    sync_indicators(edition, parsed)
    audit("benchmark.edition_created", obj=edition, actor=actor, year=year)
    return edition


def ensure_edition(actor: Any, year: int) -> Edition:
    return find_edition(year) or create_edition(actor, year)


class MethodologyInvalid(ServiceError):
    """The methodology document is invalid; `problems` lists every problem (engine wording)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(_l("De methodologie is niet geldig. Los de problemen hieronder op."), field="document")
        self.problems = problems


def _parse(document: Any) -> Methodology:
    try:
        return Methodology.from_dict(document)
    except MethodologyError as error:
        raise MethodologyInvalid(error.problems) from None


def parse_methodology_json(text: str) -> dict[str, Any]:
    """Parse and validate a JSON document; raises MethodologyInvalid with every problem."""
    try:
        return Methodology.from_json(text).to_dict()
    except MethodologyError as error:
        raise MethodologyInvalid(error.problems) from None


def save_methodology(actor: Any, edition: Edition, document: dict[str, Any]) -> Edition:
    """Replace the edition's methodology (validated); its period follows the document.
    Published versions keep their own copy, so this never changes a published result."""
    if actor is not None:
        require(is_coordinator(actor))
    parsed = _parse(document)
    new = parsed.to_dict()
    if new == edition.methodology:
        return edition
    edition.methodology = new
    edition.period_start, edition.period_end = parsed.period_start, parsed.period_end
    edition.methodology_updated_at = utcnow()
    sync_indicators(edition, parsed)
    db.session.flush()
    audit("benchmark.methodology_changed", obj=edition, actor=actor, year=edition.year)
    return edition


def sync_indicators(edition: Edition, methodology: Methodology) -> None:
    """Upsert one Indicator row per methodology indicator; deactivate the others."""
    existing = {i.code: i for i in db.session.scalars(select(Indicator).where(Indicator.edition_id == edition.id))}
    wanted = set()
    for position, spec in enumerate(methodology.indicators):
        wanted.add(spec.code)
        row = existing.get(spec.code)
        if row is None:
            row = Indicator(edition_id=edition.id, code=spec.code)
            db.session.add(row)
        row.name_nl, row.name_en, row.unit = spec.name_nl, spec.name_en, spec.unit
        row.theme, row.direction, row.weight, row.source = spec.theme, spec.direction, spec.weight, spec.source
        row.position, row.active = position, True
    for code, row in existing.items():
        if code not in wanted:
            row.active = False
    db.session.flush()


