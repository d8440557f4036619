"""Manifests and their signatories: signing and withdrawal, lists, counts and the CSV export."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from mvi_community.accounts.models import ORGANISATION_TYPES, Organisation, User
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.pagination import like_pattern, paginate
from mvi_community.core.permissions import (
    admin_organisation_ids,
    can_manage_organisation,
    is_coordinator,
    require,
)
from mvi_community.core.spreadsheets import safe_row
from mvi_community.extensions import db
from mvi_community.manifest.models import (
    Manifest,
    Signatory,
)
from mvi_community.manifest.services.rules import CODE_RE, RESERVED_CODES, today


def manifests() -> list[Manifest]:
    return list(db.session.scalars(select(Manifest).order_by(Manifest.ceremony_date.desc(), Manifest.id.desc())))


def manifests_page(page: int, per_page: int | None = None):
    return paginate(select(Manifest).order_by(Manifest.ceremony_date.desc(), Manifest.id.desc()), page, per_page or 25)


def manifest_counts() -> dict[int, dict[str, int]]:
    """Per manifest: active signatories and toetreders (one query)."""
    rows = db.session.execute(
        select(
            Signatory.manifest_id,
            func.count(Signatory.id),
            func.sum(case((Signatory.signed_on > Manifest.ceremony_date, 1), else_=0)),
        )
        .join(Manifest)
        .where(Signatory.withdrawn_on.is_(None))
        .group_by(Signatory.manifest_id)
    )
    return {manifest_id: {"active": total or 0, "toetreders": late or 0} for manifest_id, total, late in rows}


def get_manifest(code: str) -> Manifest:
    manifest = db.session.scalar(select(Manifest).where(Manifest.code == code))
    if manifest is None:
        raise NotFound()
    return manifest


def current_manifest() -> Manifest | None:
    return db.session.scalar(select(Manifest).order_by(Manifest.ceremony_date.desc(), Manifest.id.desc()).limit(1))


@dataclass
class ManifestData:
    code: str
    title: str
    text: str
    period_start: date
    period_end: date
    ceremony_date: date


def save_manifest(actor: User | None, data: ManifestData, manifest: Manifest | None = None) -> Manifest:
    """Create or update a manifest (coordinators). `actor` None: the CLI or the demo seed."""
    if actor is not None:
        require(is_coordinator(actor))
    code = data.code.strip().lower()
    if not CODE_RE.match(code) or code in RESERVED_CODES:
        raise ServiceError(_l("Gebruik kleine letters, cijfers en streepjes, zoals mvoi-2022."), field="code")
    existing = db.session.scalar(select(Manifest).where(Manifest.code == code))
    if existing is not None and existing is not manifest:
        raise ServiceError(_l("Er bestaat al een manifest met deze code."), field="code")
    if data.period_end < data.period_start:
        raise ServiceError(_l("Het einde van de looptijd ligt vóór het begin."), field="period_end")
    created = manifest is None
    if manifest is None:
        manifest = Manifest(code=code)
        db.session.add(manifest)
    manifest.code = code
    manifest.title = data.title.strip()
    manifest.text = data.text.strip()
    manifest.period_start = data.period_start
    manifest.period_end = data.period_end
    manifest.ceremony_date = data.ceremony_date
    db.session.flush()
    audit("manifest.created" if created else "manifest.updated", obj=manifest, actor=actor, code=code)
    return manifest


# --- signatories -----------------------------------------------------------------------------

def _signatories_statement(manifest: Manifest, type_: str | None = None, group: str | None = None,
                           q: str | None = None):
    """Signatories of a manifest in list order: ceremony signatories by name, then toetreders by
    date signed; withdrawn ones stay in their group and are shown as withdrawn."""
    is_late = Signatory.signed_on > manifest.ceremony_date
    statement = (
        select(Signatory)
        .join(Signatory.organisation)
        .options(contains_eager(Signatory.organisation))
        .where(Signatory.manifest_id == manifest.id)
        .order_by(case((is_late, 1), else_=0), case((is_late, Signatory.signed_on), else_=None),
                  Organisation.name, Signatory.id)
    )
    if type_:
        statement = statement.where(Organisation.type == type_)
    if group == "ceremonie":
        statement = statement.where(~is_late)
    elif group == "toetreders":
        statement = statement.where(is_late)
    elif group == "ingetrokken":
        statement = statement.where(Signatory.withdrawn_on.is_not(None))
    elif group == "actief":
        statement = statement.where(Signatory.withdrawn_on.is_(None))
    if q:
        statement = statement.where(
            or_(Organisation.name.ilike(like_pattern(q), escape="\\"), Organisation.code.ilike(like_pattern(q), escape="\\"))
        )
    return statement


def signatories_page(manifest: Manifest, page: int = 1, per_page: int | None = None, type_: str | None = None,
                     group: str | None = None, q: str | None = None):
    statement = _signatories_statement(manifest, type_, group, q)
    result = paginate(statement, page, per_page or 50)
    for signatory in result.items:  # the manifest is known: no lazy load per row
        set_committed_value(signatory, "manifest", manifest)
    return result


def all_signatories(manifest: Manifest, type_: str | None = None, group: str | None = None,
                    q: str | None = None) -> list[Signatory]:
    rows = list(db.session.scalars(_signatories_statement(manifest, type_, group, q)))
    for signatory in rows:
        set_committed_value(signatory, "manifest", manifest)
    return rows


def signatory_counts(manifest: Manifest) -> dict[str, dict[str, int]]:
    """Per organisation type (and "total"): ceremony signatories, toetreders, withdrawn, active."""
    is_late = Signatory.signed_on > manifest.ceremony_date
    rows = db.session.execute(
        select(
            Organisation.type,
            func.sum(case((is_late, 0), else_=1)),
            func.sum(case((is_late, 1), else_=0)),
            func.sum(case((Signatory.withdrawn_on.is_not(None), 1), else_=0)),
            func.count(Signatory.id),
        )
        .join(Signatory.organisation)
        .where(Signatory.manifest_id == manifest.id)
        .group_by(Organisation.type)
    )
    counts: dict[str, dict[str, int]] = {}
    total = {"ceremony": 0, "toetreders": 0, "withdrawn": 0, "active": 0, "all": 0}
    for type_, ceremony, late, withdrawn, all_ in rows:
        entry = {"ceremony": int(ceremony or 0), "toetreders": int(late or 0), "withdrawn": int(withdrawn or 0),
                 "active": int(all_ or 0) - int(withdrawn or 0), "all": int(all_ or 0)}
        counts[type_] = entry
        for key in total:
            total[key] += entry[key]
    ordered = {t: counts[t] for t in ORGANISATION_TYPES if t in counts}
    ordered.update({t: c for t, c in counts.items() if t not in ordered})
    ordered["total"] = total
    return ordered


def to_csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(safe_row(row))
    return buffer.getvalue()


def signatories_csv(manifest: Manifest, type_: str | None = None, group: str | None = None, q: str | None = None) -> str:
    rows = [
        [manifest.code, s.organisation.code, s.organisation.name, s.organisation.type, s.signer_name,
         s.signer_function, s.signed_on.isoformat(), "1" if s.toetreder else "0",
         s.withdrawn_on.isoformat() if s.withdrawn_on else None]
        for s in all_signatories(manifest, type_, group, q)
    ]
    return to_csv(["manifest_code", "organisation_code", "organisation_name", "organisation_type", "signer_name",
                   "signer_function", "signed_on", "toetreder", "withdrawn_on"], rows)


def get_signatory(manifest: Manifest, organisation_code: str) -> Signatory:
    signatory = db.session.scalar(
        select(Signatory)
        .join(Signatory.organisation)
        .options(contains_eager(Signatory.organisation), selectinload(Signatory.action_plan))
        .where(Signatory.manifest_id == manifest.id, Organisation.code == organisation_code)
    )
    if signatory is None:
        raise NotFound()
    set_committed_value(signatory, "manifest", manifest)
    return signatory


def own_signatories(user: User, manifest: Manifest) -> list[Signatory]:
    """Signatories of the organisations the user belongs to (for "your organisation" links)."""
    org_ids = [m.organisation_id for m in getattr(user, "memberships", [])] if user.is_authenticated else []
    if not org_ids:
        return []
    rows = list(db.session.scalars(
        select(Signatory).join(Signatory.organisation).options(contains_eager(Signatory.organisation))
        .where(Signatory.manifest_id == manifest.id, Signatory.organisation_id.in_(org_ids))
        .order_by(Organisation.name)
    ))
    for signatory in rows:
        set_committed_value(signatory, "manifest", manifest)
    return rows


def signable_organisations(actor: User, manifest: Manifest) -> list[Organisation]:
    """Organisations the actor may sign for and that have no active signature under this manifest."""
    statement = select(Organisation).order_by(Organisation.type, Organisation.name)
    if not is_coordinator(actor):
        org_ids = admin_organisation_ids(actor)
        if not org_ids:
            return []
        statement = statement.where(Organisation.id.in_(org_ids))
    active = select(Signatory.organisation_id).where(
        Signatory.manifest_id == manifest.id, Signatory.withdrawn_on.is_(None)
    )
    return list(db.session.scalars(statement.where(Organisation.id.not_in(active))))


def sign(actor: User | None, manifest: Manifest, organisation: Organisation, signer_name: str,
         signer_function: str | None, signed_on: date) -> Signatory:
    """Sign on behalf of an organisation (its org admin, or a coordinator recording a signature).

    A withdrawn signature can be renewed: the organisation signs again with the new date.
    """
    if actor is not None:
        require(can_manage_organisation(actor, organisation),
                _l("Alleen een beheerder van %(org)s of het secretariaat kan namens deze organisatie ondertekenen.",
                   org=organisation.name))
    if not (signer_name or "").strip():
        raise ServiceError(_l("Vul de naam in van degene die ondertekent."), field="signer_name")
    if signed_on > today():
        raise ServiceError(_l("De datum van ondertekening kan niet in de toekomst liggen."), field="signed_on")
    signatory = db.session.scalar(
        select(Signatory).where(Signatory.manifest_id == manifest.id, Signatory.organisation_id == organisation.id)
    )
    renewed = False
    if signatory is not None:
        if signatory.withdrawn_on is None:
            raise ServiceError(_l("%(org)s heeft dit manifest al ondertekend.", org=organisation.name),
                               field="organisation")
        renewed = True
        signatory.withdrawn_on = None
    else:
        signatory = Signatory(manifest=manifest, organisation=organisation)
        db.session.add(signatory)
    signatory.signer_name = signer_name.strip()
    signatory.signer_function = (signer_function or "").strip() or None
    signatory.signed_on = signed_on
    db.session.flush()
    audit("manifest.signed", obj=signatory, actor=actor, manifest=manifest.code, organisation=organisation.code,
          signed_on=signed_on.isoformat(), toetreder=signatory.toetreder, renewed=renewed)
    return signatory


def can_withdraw(user, signatory: Signatory) -> bool:
    return signatory.withdrawn_on is None and can_manage_organisation(user, signatory.organisation)


def withdraw(actor: User, signatory: Signatory, withdrawn_on: date) -> Signatory:
    require(can_manage_organisation(actor, signatory.organisation))
    if signatory.withdrawn_on is not None:
        raise ServiceError(_l("Deze ondertekening is al ingetrokken."))
    if withdrawn_on > today():
        raise ServiceError(_l("De datum van intrekking kan niet in de toekomst liggen."), field="withdrawn_on")
    if withdrawn_on < signatory.signed_on:
        raise ServiceError(_l("De datum van intrekking ligt vóór de datum van ondertekening."), field="withdrawn_on")
    signatory.withdrawn_on = withdrawn_on
    db.session.flush()
    audit("manifest.withdrawn", obj=signatory, manifest=signatory.manifest.code,
          organisation=signatory.organisation.code, withdrawn_on=withdrawn_on.isoformat())
    return signatory
