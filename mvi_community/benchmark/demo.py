"""Demo data for the benchmark: edition 2025 (period 2024-01-01 to 2025-12-31) with the default
methodology, generated eForms notices for the demo organisations (buyers named as the
organisations, without KvK numbers, so they are matched by name; some joint procurements and
contract + award notice pairs), a monitor CSV with a self-reported circular share, computed
and published, and a few organisations that made their results public.

Idempotent: once edition 2025 has a published version, nothing is done.  Everything goes
through the same services as the CLI and the pages.
"""
from __future__ import annotations

import io
import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from mvi_community.accounts.models import Organisation
from mvi_community.benchmark.importers.notices import Document, import_notices
from mvi_community.benchmark.importers.values import import_csv
from mvi_community.benchmark.models import OrganisationPreference
from mvi_community.benchmark.services import compute_edition, ensure_edition, publish_edition
from mvi_community.benchmark.sources import eforms
from mvi_community.extensions import db

YEAR = 2025
PUBLIC = ("gm0363", "gm0344", "gm0983", "gm0289", "gm0014", "gm0794", "pv27", "pv25", "ws0661")
#: Organisations without notices (so that the page shows "insufficient data" and absences).
NO_NOTICES = ("gm0088", "gm0096", "gm0060", "gm0277", "oorg10004")
LEGAL_TYPES = {"gemeente": "la", "provincie": "ra", "waterschap": "body-pl-ra", "rijk": "cga"}


def _lots(rng: random.Random, ambition: float) -> tuple[eforms.Lot, ...]:
    lots = []
    for number in range(1, rng.randint(1, 3) + 1):
        env = tuple(c for c, p in (("circ-econ", 0.7), ("clim-mitig", 0.6), ("biodiv-eco", 0.25),
                                   ("clim-adapt", 0.2), ("pollu-prev", 0.15)) if rng.random() < ambition * p * 1.4)
        social = tuple(c for c, p in (("opp", 0.7), ("work-cond", 0.35), ("acc-all", 0.3), ("hum-right", 0.2))
                       if rng.random() < ambition * p * 1.3)
        innovation = ("proc-innov",) if rng.random() < ambition * 0.3 else ()
        strategic = tuple(c for c, used in (("env-imp", env), ("soc-obj", social), ("inn-pur", innovation)) if used)
        if not strategic and rng.random() < 0.6:
            strategic = ("none",)
        lots.append(eforms.Lot(
            f"LOT-{number:04d}", strategic_procurement=strategic, environmental_impact=env,
            social_objective=social, innovative_acquisition=innovation,
            gpp_criteria=(rng.choice(("eu", "national")),) if env and rng.random() < 0.7 else (),
            award_criterion_types=rng.choice((("price",), ("price", "quality"), ("cost", "quality"))),
            estimated_value=eforms.Money(Decimal(rng.randrange(50_000, 5_000_000)), "EUR")))
    return tuple(lots)


def _buyer(org: Organisation, ref: str = "ORG-0001") -> eforms.Buyer:
    return eforms.Buyer(ref, org.name, None, "NLD", LEGAL_TYPES.get(org.type, "body-pl"))


def generate_documents(organisations: list[Organisation], start: date, end: date) -> list[Document]:
    """Deterministic notices: 2–5 procedures per organisation, half of them with an award
    notice for the same procedure (counted once), every seventh a joint procurement."""
    documents: list[Document] = []
    days = (end - start).days
    by_code = {o.code: o for o in organisations}
    codes = sorted(by_code)
    for index, code in enumerate(codes):
        if code in NO_NOTICES:
            continue
        org = by_code[code]
        rng = random.Random(f"benchmark-demo-{code}")
        ambition = rng.uniform(0.15, 0.95)
        for n in range(rng.randint(2, 5)):
            buyers = [_buyer(org)]
            if (index + n) % 7 == 0:
                partner = by_code[codes[(index + 1) % len(codes)]]
                buyers.append(_buyer(partner, "ORG-0002"))
            procedure = f"demo-{code}-{n}"
            issued = start + timedelta(days=rng.randrange(days - 90))
            lots = _lots(rng, ambition)
            seed = rng.randrange(1 << 30)
            documents.append(_document(f"{procedure}-cn.xml", eforms.generate_notice(
                seed, kind="cn", buyers=buyers, lots=lots, procedure_id=procedure, notice_id=f"{procedure}-cn",
                issue_date=issued)))
            if rng.random() < 0.5:
                award_lots = tuple(replace(lot, tender_values=(eforms.TenderValue(
                    f"TEN-{k + 1:04d}", eforms.Money(Decimal(rng.randrange(25_000, 4_000_000)), "EUR")),))
                    for k, lot in enumerate(lots))
                documents.append(_document(f"{procedure}-can.xml", eforms.generate_notice(
                    seed + 1, kind="can", buyers=buyers, lots=award_lots, procedure_id=procedure,
                    notice_id=f"{procedure}-can", issue_date=issued + timedelta(days=60))))
    return documents


def _document(name: str, data: bytes) -> Document:
    return Document(name, lambda: io.BytesIO(data))


def monitor_csv(organisations: list[Organisation]) -> str:
    """A Dutch-Excel-style monitor export: semicolons and decimal commas."""
    lines = ["organisation_code;indicator_code;value;note"]
    for org in sorted(organisations, key=lambda o: o.code):
        rng = random.Random(f"benchmark-monitor-{org.code}")
        if org.code in NO_NOTICES or rng.random() < 0.3:
            continue
        share = round(rng.uniform(0.02, 0.45), 3)
        lines.append(f"{org.code};monitor_circular_share;{str(share).replace('.', ',')};Monitor circulair inkopen 2024")
    return "\n".join(lines) + "\n"


def seed(scale: str = "small") -> None:
    """Flushes, never commits (the demo CLI commits)."""
    edition = ensure_edition(None, YEAR)
    if edition.published_version is not None:
        return
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.code)))
    if not organisations:
        return
    import_notices(None, edition, generate_documents(organisations, edition.period_start, edition.period_end),
                   label="demo")
    outcome = import_csv(None, edition, monitor_csv(organisations), filename="monitor-circulair-2024.csv")
    assert outcome.ok, outcome.problems
    compute_edition(None, edition)
    publish_edition(None, edition, None)
    preferences = {p.organisation_id: p for p in db.session.scalars(select(OrganisationPreference))}
    for org in organisations:
        if org.code in PUBLIC and org.id not in preferences:
            db.session.add(OrganisationPreference(organisation_id=org.id, results_public=True))
    db.session.flush()
