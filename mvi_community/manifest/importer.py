"""`flask manifest import-signatories FILE.csv`: validate every row first, write nothing on any problem.

Columns: manifest_code,organisation_code,signed_on,signer_name,signer_function (ISO dates).
Upsert by (manifest, organisation): an existing signature gets the file's date, name and function.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from mvi_community.accounts.models import Organisation
from mvi_community.core.audit import audit
from mvi_community.core.csvrows import csv_rows
from mvi_community.extensions import db
from mvi_community.manifest.models import Manifest, Signatory
from mvi_community.manifest.services import today

REQUIRED = ("manifest_code", "organisation_code", "signed_on", "signer_name")
OPTIONAL = ("signer_function",)


@dataclass
class ImportReport:
    problems: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Row:
    line: int
    manifest: Manifest
    organisation: Organisation
    signed_on: date
    signer_name: str
    signer_function: str | None


def _parse(text: str, report: ImportReport) -> list[_Row]:
    raw_rows = csv_rows(text, REQUIRED, OPTIONAL, report.problems)
    if report.problems and not raw_rows:
        return []
    manifests = {m.code: m for m in db.session.scalars(select(Manifest))}
    codes = {values["organisation_code"].lower() for _line, values in raw_rows}
    organisations = {o.code: o for o in db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))}
    now = today()
    rows: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    for line, values in raw_rows:
        problems: list[str] = []
        manifest = manifests.get(values["manifest_code"].lower())
        if manifest is None:
            problems.append(_("manifest %(code)r bestaat niet", code=values["manifest_code"]))
        organisation = organisations.get(values["organisation_code"].lower())
        if organisation is None:
            problems.append(_("organisatie %(code)r bestaat niet", code=values["organisation_code"]))
        signed_on = None
        try:
            signed_on = date.fromisoformat(values["signed_on"])
        except ValueError:
            problems.append(_("datum %(value)r is geen datum (gebruik JJJJ-MM-DD)", value=values["signed_on"]))
        else:
            if signed_on > now:
                problems.append(_("datum %(value)s ligt in de toekomst", value=values["signed_on"]))
        if not values["signer_name"]:
            problems.append(_("naam van de ondertekenaar ontbreekt"))
        elif len(values["signer_name"]) > 200:
            problems.append(_("naam van de ondertekenaar is langer dan 200 tekens"))
        if len(values.get("signer_function") or "") > 200:
            problems.append(_("functie is langer dan 200 tekens"))
        key = (values["manifest_code"].lower(), values["organisation_code"].lower())
        if key in seen:
            problems.append(_("deze organisatie staat voor dit manifest ook op regel %(other)s", other=seen[key]))
        else:
            seen[key] = line
        if problems:
            report.problems.append(_("Regel %(line)s: %(problems)s.", line=line, problems="; ".join(problems)))
            continue
        rows.append(_Row(line, manifest, organisation, signed_on, values["signer_name"],  # type: ignore[arg-type]
                         values.get("signer_function") or None))
    if not rows and not report.problems:
        report.problems.append(_("Het bestand bevat geen ondertekenaars."))
    return rows


def import_signatories(text: str) -> ImportReport:
    """Validate the whole file; upsert only when every row is valid. Flushes, never commits."""
    report = ImportReport()
    rows = _parse(text, report)
    if report.problems:
        return report
    existing = {
        (s.manifest_id, s.organisation_id): s
        for s in db.session.scalars(
            select(Signatory).where(Signatory.organisation_id.in_({r.organisation.id for r in rows}))
        )
    }
    for row in rows:
        signatory = existing.get((row.manifest.id, row.organisation.id))
        if signatory is None:
            signatory = Signatory(manifest=row.manifest, organisation=row.organisation)
            db.session.add(signatory)
            report.created += 1
        else:
            report.updated += 1
        signatory.signed_on = row.signed_on
        signatory.signer_name = row.signer_name
        signatory.signer_function = row.signer_function
    db.session.flush()
    audit("manifest.signatories_imported", created=report.created, updated=report.updated)
    return report
