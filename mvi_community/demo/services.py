"""The demo seed: real Dutch public bodies, demo accounts and a few pending account requests.

Idempotent: organisations are upserted by code, users and requests are created only when
missing, so running it twice changes nothing. Passwords are for local use only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from mvi_community.accounts.models import AccountRequest, Membership, Organisation, User, hash_password
from mvi_community.core.taxonomy import ensure_reference_data
from mvi_community.demo.organisations_data import ALL as ORGANISATIONS
from mvi_community.extensions import db

DEMO_PASSWORD = "Demo-MVI-2026"

# (email, name, organisation code or None, role or None, coordinator)
DEMO_USERS = [
    ("coordinator@mvi-community.nl", "Sanne de Vries", None, None, True),
    ("inkoop@amsterdam.example.nl", "Mohamed El Amrani", "gm0363", "org_admin", False),
    ("duurzaam@amsterdam.example.nl", "Eva Jansen", "gm0363", "member", False),
    ("inkoop@utrecht.example.nl", "Pieter Bakker", "gm0344", "org_admin", False),
    ("inkoop@venlo.example.nl", "Anouk Peeters", "gm0983", "org_admin", False),
    ("mvi@venlo.example.nl", "Tom Hendriks", "gm0983", "member", False),
    ("inkoop@wageningen.example.nl", "Lotte van den Berg", "gm0289", "org_admin", False),
    ("inkoop@helmond.example.nl", "Bram Smits", "gm0794", "org_admin", False),
    ("inkoop@groningen.example.nl", "Femke Dijkstra", "gm0014", "member", False),
    ("inkoop@noord-holland.example.nl", "Joost Visser", "pv27", "org_admin", False),
]

DEMO_REQUESTS = [
    ("j.mulder@utrecht.example.nl", "Julia Mulder", "gm0344", "Inkoopadviseur",
     "Ik wil voorbeelden van circulaire aanbestedingen voor kantoormeubilair vinden."),
    ("r.devries@venlo.example.nl", "Ruben de Vries", "gm0983", "Contractmanager",
     "Graag toegang om onze ervaringen met het circulaire stadskantoor te delen."),
    ("k.bos@noord-holland.example.nl", "Kim Bos", "pv27", "Beleidsmedewerker MVI", None),
]


@dataclass
class SeedReport:
    organisations_created: int = 0
    organisations_updated: int = 0
    users_created: list[str] = field(default_factory=list)
    requests_created: int = 0


def seed(scale: str = "small") -> SeedReport:
    """Flushes, never commits (the CLI commits)."""
    report = SeedReport()
    ensure_reference_data()
    existing = {o.code: o for o in db.session.scalars(select(Organisation))}
    for data in ORGANISATIONS:
        organisation = existing.get(data["code"])
        if organisation is None:
            organisation = Organisation(code=data["code"])
            db.session.add(organisation)
            existing[data["code"]] = organisation
            report.organisations_created += 1
        changed = False
        for key in ("name", "type", "province", "population", "website", "kvk", "oin"):
            if getattr(organisation, key) != data[key]:
                setattr(organisation, key, data[key])
                changed = True
        if changed and organisation.id is not None:
            report.organisations_updated += 1
    db.session.flush()

    users = {u.email: u for u in db.session.scalars(select(User))}
    password_hash = None
    for email, name, org_code, role, coordinator in DEMO_USERS:
        if email in users:
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        user = User(email=email, name=name, is_coordinator=coordinator, password_hash=password_hash)
        db.session.add(user)
        if org_code:
            db.session.add(Membership(user=user, organisation=existing[org_code], role=role))
        users[email] = user
        report.users_created.append(email)

    requested = set(db.session.scalars(select(AccountRequest.email)))
    for email, name, org_code, job_title, motivation in DEMO_REQUESTS:
        if email in requested or email in users:
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        db.session.add(AccountRequest(
            email=email, name=name, organisation=existing[org_code], job_title=job_title,
            motivation=motivation, password_hash=password_hash,
        ))
        report.requests_created += 1
    db.session.flush()
    if scale == "large":
        _seed_large(existing, users, password_hash or hash_password(DEMO_PASSWORD), report)
    from mvi_community.manifest import demo as manifest_demo

    manifest_demo.seed(scale)
    from mvi_community.cases import demo as cases_demo
    from mvi_community.communities import demo as communities_demo

    communities_demo.seed(scale)
    cases_demo.seed(scale)
    from mvi_community.expertpool import demo as expertpool_demo

    expertpool_demo.seed(scale)
    from mvi_community.benchmark import demo as benchmark_demo

    benchmark_demo.seed(scale)
    from mvi_community.criteria import demo as criteria_demo

    criteria_demo.seed(scale)

    from mvi_community.prize import demo as prize_demo

    prize_demo.seed(scale)
    return report


FIRST_NAMES = ("Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Noah", "Sophie", "Finn", "Tess",
               "Jesse", "Sara", "Milan", "Zoë", "Levi", "Anna", "Thijs", "Fleur", "Ruben", "Lieke")
LAST_NAMES = ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
              "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "Dekker")
ROLES_LARGE = ("inkoper", "contractmanager", "beleidsadviseur")


def _seed_large(organisations: dict[str, Organisation], users: dict[str, User], password_hash: str,
                report: SeedReport) -> None:
    """Three members per organisation (inkoper, contractmanager, beleidsadviseur), for load tests."""
    for index, (code, organisation) in enumerate(sorted(organisations.items())):
        for offset, function in enumerate(ROLES_LARGE):
            email = f"{function}@{code}.example.nl"
            if email in users:
                continue
            n = index * len(ROLES_LARGE) + offset
            name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n // len(FIRST_NAMES) + n) % len(LAST_NAMES)]}"
            user = User(email=email, name=name, password_hash=password_hash)
            db.session.add(user)
            db.session.add(Membership(user=user, organisation=organisation, role="member"))
            users[email] = user
            report.users_created.append(email)
    db.session.flush()


def database_is_empty() -> bool:
    return db.session.scalar(select(Organisation.id).limit(1)) is None
