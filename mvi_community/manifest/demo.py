"""Demo data for the Manifest MVOI 2022–2025: signatories, toetreders, one withdrawal, action
plans and yearly reports (on time, late, missing). Idempotent: rows are only added when missing.

Signers' names are invented; the organisations are the demo organisations. Gemeente Helmond
(gm0794) has deliberately *not* signed, so that its org admin can try the journey
"sign after the ceremony → toetreder → action plan → yearly report".
"""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from mvi_community.accounts.models import Membership, Organisation, User
from mvi_community.core.taxonomy import Theme, ensure_reference_data
from mvi_community.extensions import db
from mvi_community.manifest.models import (
    DRAFT,
    PUBLISHED,
    SUBMITTED,
    ActionPlan,
    Goal,
    GoalProgress,
    Manifest,
    ProgressReport,
    Signatory,
)
from mvi_community.manifest.services import due_date

CODE = "mvoi-2022"
TITLE = "Manifest Maatschappelijk Verantwoord Opdrachtgeven en Inkopen 2022–2025"
CEREMONY = date(2022, 11, 24)
TEXT = """\
Overheden kopen samen jaarlijks voor ongeveer 85 miljard euro in. Met dit manifest spreken de ondertekenaars af die koopkracht bewust in te zetten: voor een klimaatneutrale en circulaire economie, voor eerlijke en veilige productieketens en voor een arbeidsmarkt waarin iedereen mee kan doen.

Elke ondertekenaar stelt een MVI-actieplan op. Daarin bepaalt de organisatie per maatschappelijk doel – milieu en biodiversiteit, klimaat, circulair, ketenverantwoordelijkheid, diversiteit en inclusie, en social return – waar zij nu staat en waar zij aan het eind van de looptijd wil staan. Zij doet dat op een ladder van vijf treden: afweging, pilots, verbreding, borging en leiderschap. Het plan noemt concrete maatregelen, meetbare doelen en wie er verantwoordelijk voor is.

Het bestuur stelt het actieplan vast en de organisatie maakt het openbaar. Zo zien collega-overheden, leveranciers en inwoners wat de organisatie belooft, en kunnen zij haar aanspreken op de voortgang.

Ieder jaar evalueren de ondertekenaars hun plan volgens de cyclus plan-do-check-act. Zij rapporteren per doel welke trede is bereikt, wat er is gedaan, hoe de indicatoren zich ontwikkelen en wat de volgende stappen zijn. Een van die indicatoren is het aandeel circulair inkopen; tien procent was de eerste landelijke streefwaarde. Het secretariaat brengt de resultaten samen in een openbare monitor.

De ondertekenaars delen hun kennis en ervaring, onder meer in de communities of practice, en helpen nieuwe deelnemers op weg. Organisaties die na de ceremonie van 24 november 2022 tekenen, sluiten aan als toetreder en nemen dezelfde afspraken op zich."""

FIRST = ("Marieke", "Jeroen", "Saskia", "Ahmed", "Ingrid", "Bas", "Nadia", "Koen", "Esther", "Willem",
         "Yvonne", "Rachid", "Hanneke", "Maarten", "Petra", "Sander", "Ilse", "Dennis", "Carola", "Gerrit")
LAST = ("van Leeuwen", "Kramer", "Postma", "Bouzid", "de Wit", "Hoekstra", "Brouwer", "Verhoeven", "Koster",
        "van der Meer", "Schouten", "Prins", "Veenstra", "Kuipers", "de Haan", "Willems", "Boersma")
FUNCTIONS = {
    "gemeente": "wethouder Duurzaamheid en Inkoop",
    "provincie": "gedeputeerde Klimaat en Energie",
    "waterschap": "dijkgraaf",
    "rijk": "secretaris-generaal",
    "uitvoeringsorganisatie": "directeur-generaal",
    "overig": "voorzitter",
}

CEREMONY_SIGNATORIES = (
    "gm0363", "gm0344", "gm0014", "gm0983", "gm0289", "gm0599", "gm0518", "gm0772", "gm0855", "gm0034",
    "gm0268", "gm0202", "gm0392", "gm0153", "gm0193", "gm0935", "gm0503", "gm0150",
    "pv27", "pv26", "pv25", "pv29", "ws0661", "ws0654", "mnre1130", "mnre1034", "mnre1045", "oorg10004",
    "ua-rvb", "ov-uvw",
)
TOETREDERS = (("gm0307", date(2023, 3, 15)), ("gm0546", date(2023, 9, 28)), ("ws0662", date(2024, 2, 8)),
              ("gm0361", date(2024, 6, 20)))
WITHDRAWN = {"gm0150": date(2024, 9, 30)}

# Published action plans: organisation → (theme code, current step, target step, target share, target year)
PLANS = {
    "gm0363": [("circulair", 3, 5, 50, 2025), ("klimaat", 3, 4, None, None), ("social-return", 4, 5, 5, 2025),
               ("keten", 2, 4, None, None), ("diversiteit", 2, 3, None, None), ("milieu", 2, 4, None, None)],
    "gm0344": [("circulair", 3, 4, 30, 2025), ("klimaat", 2, 4, None, None), ("social-return", 3, 4, 5, 2025)],
    "gm0983": [("circulair", 4, 5, 40, 2025), ("klimaat", 3, 4, None, None), ("milieu", 3, 4, None, None)],
    "gm0014": [("circulair", 3, 4, 25, 2025), ("social-return", 3, 4, 5, 2024), ("klimaat", 2, 3, None, None)],
    "gm0599": [("klimaat", 3, 4, None, None), ("circulair", 2, 4, 20, 2025), ("social-return", 4, 4, 5, 2025)],
    "gm0772": [("circulair", 2, 3, 15, 2025), ("klimaat", 2, 3, None, None)],
    "gm0268": [("circulair", 3, 4, 25, 2025), ("keten", 2, 3, None, None), ("diversiteit", 1, 3, None, None)],
    "gm0855": [("circulair", 2, 3, 10, 2025), ("social-return", 3, 4, 5, 2025)],
    "pv27": [("circulair", 2, 4, 20, 2025), ("klimaat", 3, 4, None, None), ("milieu", 2, 3, None, None)],
    "pv29": [("circulair", 2, 3, 10, 2025), ("milieu", 2, 3, None, None)],
    "ws0654": [("circulair", 3, 4, 20, 2025), ("klimaat", 3, 4, None, None), ("milieu", 3, 5, None, None)],
    "mnre1130": [("circulair", 3, 4, 25, 2025), ("klimaat", 3, 5, None, None), ("keten", 2, 4, None, None)],
    "oorg10004": [("circulair", 3, 5, 30, 2025), ("klimaat", 4, 5, None, None)],
    "gm0307": [("circulair", 1, 3, 10, 2025), ("social-return", 2, 3, 5, 2025)],
}
DRAFT_PLANS = {"gm0289": [("circulair", 3, 5, 100, 2030), ("klimaat", 2, 4, None, None)]}

# Reports: organisation → {year: (kind, circular share)}; kind "on_time", "late", "draft" (not
# submitted: missing once the due date has passed); no entry → missing.
REPORTS = {
    "gm0363": {2023: ("on_time", 11.5), 2024: ("on_time", 14.0), 2025: ("on_time", 17.5)},
    "gm0344": {2023: ("on_time", 8.0), 2024: ("late", 10.5), 2025: ("on_time", 12.0)},
    "gm0983": {2023: ("on_time", 15.0), 2024: ("on_time", 16.5), 2025: ("late", 18.0)},
    "gm0014": {2023: ("late", 7.5), 2024: ("on_time", 9.0)},
    "gm0599": {2023: ("on_time", 6.0), 2024: ("on_time", 7.0), 2025: ("draft", 8.5)},
    "gm0772": {2023: ("late", 5.0), 2024: ("late", 6.5), 2025: ("late", 7.0)},
    "gm0268": {2023: ("on_time", 12.5), 2024: ("on_time", 13.0), 2025: ("on_time", 15.5)},
    "gm0855": {2024: ("on_time", 5.5)},
    "pv27": {2023: ("on_time", 9.5), 2024: ("on_time", 11.0), 2025: ("on_time", 12.5)},
    "pv29": {2023: ("late", 5.0)},
    "ws0654": {2023: ("on_time", 10.0), 2024: ("on_time", 12.0), 2025: ("late", 13.5)},
    "mnre1130": {2023: ("on_time", 9.0), 2024: ("on_time", 11.5), 2025: ("on_time", 13.0)},
    "oorg10004": {2023: ("on_time", 14.0), 2024: ("late", 15.0), 2025: ("on_time", 16.0)},
    "gm0307": {2023: ("on_time", 5.0), 2024: ("draft", 6.0)},
}

DONE = {
    "circulair": "Circulaire criteria toegepast in de aanbestedingen voor kantoorinrichting en ICT-hardware; "
                 "hergebruik van meubilair bij de verbouwing van het stadskantoor.",
    "klimaat": "CO2-prestatieladder en energie-eisen opgenomen in alle GWW-contracten boven de drempel.",
    "social-return": "Social return toegepast in alle diensten- en werkencontracten vanaf 100.000 euro; "
                     "afspraken gemonitord met de leveranciers.",
    "keten": "Internationale Sociale Voorwaarden opgenomen in de risicovolle productgroepen (bedrijfskleding, ICT).",
    "diversiteit": "Gesprekken met sociale ondernemingen gevoerd; eerste voorbehouden opdracht gegund.",
    "milieu": "Biodiversiteitseisen opgenomen in het groenonderhoud en de inkoop van catering.",
}
NEXT = {
    "circulair": "Circulair inkopen verankeren in het inkoopbeleid en contractmanagers opleiden.",
    "klimaat": "CO2-beprijzing meewegen in de gunning van grote werken.",
    "social-return": "Meer duurzame plaatsingen realiseren met het werkbedrijf.",
    "keten": "Ketenrisico's in kaart brengen voor alle productgroepen.",
    "diversiteit": "Een tweede voorbehouden opdracht voorbereiden.",
    "milieu": "Een biodiversiteitsscan toevoegen aan de marktconsultatie.",
}
AMBITION = {
    "circulair": "Wij kopen zoveel mogelijk circulair in en sluiten materiaalkringlopen.",
    "klimaat": "Onze inkoop draagt bij aan een klimaatneutrale organisatie.",
    "social-return": "Met onze opdrachten creëren wij werk voor mensen met een afstand tot de arbeidsmarkt.",
    "keten": "Wij kopen alleen in bij leveranciers die mensenrechten en arbeidsnormen respecteren.",
    "diversiteit": "Onze opdrachten staan open voor sociale ondernemingen en een divers aanbod.",
    "milieu": "Wij beperken schade aan natuur, bodem, lucht en water door wat wij inkopen.",
}


def _utc(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def seed(scale: str = "small") -> dict[str, int]:
    """Flushes, never commits. `scale` is accepted for symmetry with the other seeds."""
    report = {"manifests": 0, "signatories": 0, "plans": 0, "reports": 0}
    ensure_reference_data()
    manifest = db.session.scalar(select(Manifest).where(Manifest.code == CODE))
    if manifest is None:
        manifest = Manifest(code=CODE, title=TITLE, text=TEXT, period_start=date(2022, 1, 1),
                            period_end=date(2025, 12, 31), ceremony_date=CEREMONY)
        db.session.add(manifest)
        db.session.flush()
        report["manifests"] += 1
    codes = list(CEREMONY_SIGNATORIES) + [code for code, _day in TOETREDERS]
    organisations = {o.code: o for o in db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))}
    signatories = {s.organisation_id: s for s in db.session.scalars(
        select(Signatory).where(Signatory.manifest_id == manifest.id))}
    signed_on = {code: CEREMONY for code in CEREMONY_SIGNATORIES} | dict(TOETREDERS)
    by_code: dict[str, Signatory] = {}
    for index, code in enumerate(codes):
        organisation = organisations.get(code)
        if organisation is None:
            continue
        signatory = signatories.get(organisation.id)
        if signatory is None:
            signatory = Signatory(
                manifest=manifest, organisation=organisation, signed_on=signed_on[code],
                signer_name=f"{FIRST[index % len(FIRST)]} {LAST[(index * 7) % len(LAST)]}",
                signer_function=FUNCTIONS.get(organisation.type), withdrawn_on=WITHDRAWN.get(code),
            )
            db.session.add(signatory)
            report["signatories"] += 1
        by_code[code] = signatory
    db.session.flush()

    themes = {t.code: t for t in db.session.scalars(select(Theme))}
    admins = {
        m.organisation_id: m.user_id for m in db.session.scalars(
            select(Membership).join(User).where(Membership.role == "org_admin").order_by(Membership.id))
    }
    existing_plans = {p.signatory_id for p in db.session.scalars(
        select(ActionPlan).where(ActionPlan.signatory_id.in_([s.id for s in by_code.values()])))}
    plans: dict[str, ActionPlan] = {}
    for status, table in ((PUBLISHED, PLANS), (DRAFT, DRAFT_PLANS)):
        for code, goals in table.items():
            signatory = by_code.get(code)
            if signatory is None or signatory.id in existing_plans:
                continue
            start = max(signatory.signed_on, date(2023, 3, 1))
            plan = ActionPlan(
                signatory=signatory, status=status,
                summary=(f"In dit actieplan legt {signatory.organisation.name} vast hoe zij haar inkoop inzet voor "
                         "de maatschappelijke doelen van het manifest, en welke trede zij per doel wil bereiken."),
                published_at=_utc(date(start.year, min(start.month + 3, 12), 15)) if status == PUBLISHED else None,
                updated_by_id=admins.get(signatory.organisation_id),
            )
            plan.created_at = plan.updated_at = plan.published_at or _utc(start)
            for theme_code, current, target, share, year in goals:
                plan.goals.append(Goal(
                    theme=themes[theme_code], current_step=current, target_step=target,
                    ambition=AMBITION[theme_code], measures=NEXT[theme_code],
                    target_description="Aandeel circulair ingekocht (in euro's)" if theme_code == "circulair" and share
                    else ("Aandeel van de opdrachtwaarde met social return" if share else None),
                    target_share=share, target_year=year, owner="Team Inkoop en Contractmanagement",
                ))
            db.session.add(plan)
            plans[code] = plan
            report["plans"] += 1
    db.session.flush()

    existing_reports = {(r.signatory_id, r.year) for r in db.session.scalars(
        select(ProgressReport).where(ProgressReport.signatory_id.in_([s.id for s in by_code.values()])))}
    for code, years in REPORTS.items():
        signatory = by_code.get(code)
        plan = plans.get(code)
        if signatory is None or plan is None:
            continue
        for year, (kind, share) in years.items():
            if (signatory.id, year) in existing_reports:
                continue
            due_on = due_date(year)
            submitted_on = {"on_time": date(year + 1, 3, 20), "late": date(year + 1, 5, 12)}.get(kind)
            progress_report = ProgressReport(
                signatory=signatory, year=year, due_on=due_on, status=SUBMITTED if submitted_on else DRAFT,
                submitted_at=_utc(submitted_on) if submitted_on else None,
                submitted_by_id=admins.get(signatory.organisation_id) if submitted_on else None,
                summary=f"Voortgang van {signatory.organisation.name} in {year}.",
            )
            for offset, goal in enumerate(plan.goals):
                growth = min(goal.target_step, goal.current_step + (1 if year - 2023 + offset % 2 >= 1 else 0))
                progress_report.progress.append(GoalProgress(
                    theme=goal.theme, goal=goal, step_reached=growth,
                    done=DONE[goal.theme.code], next_steps=NEXT[goal.theme.code],
                    share_reached=share if goal.theme.code == "circulair" else (
                        4.5 + (year - 2023) * 0.5 if goal.theme.code == "social-return" else None),
                ))
            db.session.add(progress_report)
            report["reports"] += 1
    db.session.flush()
    return report
