"""`flask organisations import FILE.csv`: validate every row first, write nothing on any problem.

Columns: code,name,type[,kvk,oin,province,population,website]; upsert by code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from mvi_community.accounts.models import ORGANISATION_TYPES, Organisation
from mvi_community.core.audit import audit
from mvi_community.core.csvrows import csv_rows
from mvi_community.core.params import bounded_int
from mvi_community.extensions import db

PROVINCES = (
    "Groningen", "Fryslân", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht",
    "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg",
)
_PROVINCE_LOOKUP = {p.casefold(): p for p in PROVINCES} | {"friesland": "Fryslân"}
REQUIRED = ("code", "name", "type")
OPTIONAL = ("kvk", "oin", "province", "population", "website")
CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,19}$")


@dataclass
class ImportReport:
    problems: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _parse(text: str, report: ImportReport) -> list[tuple[int, dict[str, object]]]:
    rows: list[tuple[int, dict[str, object]]] = []
    seen: dict[str, int] = {}
    for line, values in csv_rows(text, REQUIRED, OPTIONAL, report.problems):
        row_problems: list[str] = []
        code = values["code"].lower()
        if not CODE_RE.match(code):
            row_problems.append(_("code %(code)r is geen geldige code (kleine letters, cijfers, zoals gm0363)", code=values["code"]))
        elif code in seen:
            row_problems.append(_("code %(code)s staat ook op regel %(other)s", code=code, other=seen[code]))
        if not values["name"]:
            row_problems.append(_("naam ontbreekt"))
        elif len(values["name"]) > 200:
            row_problems.append(_("naam is langer dan 200 tekens"))
        org_type = values["type"].lower()
        if org_type not in ORGANISATION_TYPES:
            row_problems.append(_("type %(type)r is onbekend (kies uit %(types)s)", type=values["type"], types=", ".join(ORGANISATION_TYPES)))
        kvk = values.get("kvk") or ""
        if kvk and not re.fullmatch(r"\d{8}", kvk):
            row_problems.append(_("KvK-nummer %(kvk)r heeft geen 8 cijfers", kvk=kvk))
        oin = values.get("oin") or ""
        if oin and not re.fullmatch(r"\d{20}", oin):
            row_problems.append(_("OIN %(oin)r heeft geen 20 cijfers", oin=oin))
        province_raw = values.get("province") or ""
        province = _PROVINCE_LOOKUP.get(province_raw.casefold()) if province_raw else None
        if province_raw and province is None:
            row_problems.append(_("provincie %(p)r is onbekend", p=province_raw))
        population_raw = (values.get("population") or "").replace(".", "").replace("_", "")
        population = None
        if population_raw:
            population = bounded_int(population_raw, minimum=1)
            if population is None:
                row_problems.append(_("inwonertal %(p)r is geen positief geheel getal", p=values.get("population")))
        website = values.get("website") or None
        if website and not re.match(r"^https?://[^\s]+$", website):
            row_problems.append(_("website %(w)r is geen geldig webadres", w=website))
        if row_problems:
            report.problems.append(_("Regel %(line)s: %(problems)s.", line=line, problems="; ".join(row_problems)))
            continue
        seen[code] = line
        rows.append((line, {
            "code": code, "name": values["name"], "type": org_type, "kvk": kvk or None, "oin": oin or None,
            "province": province, "population": population, "website": website,
        }))
    if not rows and not report.problems:
        report.problems.append(_("Het bestand bevat geen organisaties."))
    return rows


def import_organisations(text: str) -> ImportReport:
    """Validate the whole file; upsert by code only when every row is valid. Flushes, never commits."""
    report = ImportReport()
    rows = _parse(text, report)
    if report.problems:
        return report
    codes = [values["code"] for _line, values in rows]
    existing = {o.code: o for o in db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))}
    for _line, values in rows:
        organisation = existing.get(values["code"])  # type: ignore[arg-type]
        if organisation is None:
            organisation = Organisation()
            db.session.add(organisation)
            report.created += 1
        else:
            report.updated += 1
        for key, value in values.items():
            if key in ("kvk", "oin", "province", "population", "website") and value is None and organisation.id:
                continue  # an empty optional cell keeps what is there
            setattr(organisation, key, value)
    db.session.flush()
    audit("organisation.imported", created=report.created, updated=report.updated)
    return report
