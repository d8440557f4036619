"""Demo data for the MVI prize: the archive edition 2025 (imported as a JSON document, paper
scores imported, published) and the edition 2026 in its scoring phase (nominations by
municipalities, provinces and water boards, a jury of five with a chair and an automatic
conflict, the assignment released, some scores submitted). Idempotent: an edition that
exists is left alone. Needs the benchmark demo (edition 2025, published) first.

Demo jurors (password as every demo account): l.vermeulen@jury.example.nl (chair),
k.dewit@jury.example.nl, a.vandermeer@jury.example.nl, s.bakker@jury.example.nl, and
duurzaam@amsterdam.example.nl (Amsterdam: a conflict with Amsterdam's nomination).
"""
from __future__ import annotations

import json
import random
from datetime import timedelta

from sqlalchemy import select

from mvi_community.accounts.models import Organisation, User, hash_password
from mvi_community.db import utcnow
from mvi_community.extensions import db
from mvi_community.prize.models import PrizeAssignment, PrizeJuror, PrizeNomination, PrizeScore

JURORS = (
    ("l.vermeulen@jury.example.nl", "Lisa Vermeulen", True),
    ("k.dewit@jury.example.nl", "Karim de Wit", False),
    ("a.vandermeer@jury.example.nl", "Annelies van der Meer", False),
    ("s.bakker@jury.example.nl", "Sander Bakker", False),
)
AMSTERDAM_JUROR = "duurzaam@amsterdam.example.nl"

ARCHIVE_NOMINATIONS = (
    ("gm0983", ("Het circulaire stadskantoor: materialenpaspoort, cradle-to-cradle-inkoop en een gebouw dat als "
                "grondstoffenbank is ontworpen.")),
    ("pv25", ("Gelderland stuurt in alle grote GWW-contracten op CO2-reductie met de CO2-prestatieladder en "
              "schaduwprijzen.")),
    ("ws0662", ("Vallei en Veluwe koopt energie en chemicaliën in met duurzaamheidseisen en deelt de aanpak met "
                "andere waterschappen.")),
    ("gm0268", "Nijmegen combineert social return met circulair inkopen in het onderhoud van de openbare ruimte."),
    ("pv28", "Zuid-Holland bouwt circulaire viaducten en legt de ervaringen vast in een openbare kennisbank."),
)
CURRENT_NOMINATIONS = (  # (nominee, nominator, project, motivation)
    ("gm0344", "gm0344", "Utrecht circulair 2030",
     "Utrecht koopt meubilair, ICT en bouwmaterialen circulair in en meet de effecten in een openbaar dashboard."),
    ("gm0363", "gm0363", "Amsterdamse Inkoopagenda",
     "Amsterdam stuurt met de Inkoopagenda op circulaire en sociale doelen en deelt haar criteria met de regio."),
    ("ws0651", "pv27", "Klimaatneutrale zuivering",
     "Hollands Noorderkwartier koopt energieneutraal in voor de zuiveringen en betrekt de markt vroeg."),
    ("pv25", "pv25", "Gelderse Maat",
     "Gelderland verankert MVI in alle aanbestedingen boven de Europese drempel en rapporteert er jaarlijks over."),
    ("gm0794", "gm0794", "Helmond werkt",
     "Helmond zet social return in bij elk contract en begeleidt leveranciers bij het plaatsen van kandidaten."),
    ("gm0289", "gm0289", "Biobased Wageningen",
     "Wageningen koopt biobased bouwmaterialen in en werkt samen met de universiteit aan de toetsing."),
)


def _user(email: str, name: str, password_hash: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
    return user


def seed(scale: str = "small") -> None:
    from mvi_community.benchmark.services import ranked_totals
    from mvi_community.prize.services import find_edition
    from mvi_community.prize.services.editions import (
        EditionData,
        create_edition,
        import_edition,
        publish,
        save_statement,
    )
    from mvi_community.prize.services.scores import import_scores

    totals = ranked_totals(2025)
    if not totals:
        return
    organisations = {o.code: o for o in db.session.scalars(select(Organisation))}
    password_hash = hash_password("Demo-MVI-2026")
    jurors = [(_user(email, name, password_hash), chair) for email, name, chair in JURORS]
    coordinator = db.session.scalar(select(User).where(User.is_coordinator.is_(True)).order_by(User.id))
    rng = random.Random(2026)

    if find_edition(2025) is None:
        nominees = [(code, text) for code, text in ARCHIVE_NOMINATIONS
                    if code in organisations and organisations[code].id in totals]
        document = {
            "year": 2025, "title": "MVI-prijs 2025", "benchmark_edition": 2025, "benchmark_weight": 0.3,
            "scale": {"min": 1, "max": 10}, "normalise": True, "min_scores_for_normalisation": 3, "trim_from": 5,
            "jurors": [{"email": u.email, "name": u.name, "chair": chair} for u, chair in jurors],
            "nominations": [{"organisation_code": code, "category": "medeoverheden", "motivation": text}
                            for code, text in nominees]}
        report = import_edition(json.dumps(document))
        if report.ok:
            edition = find_edition(2025)
            lines = ["juror_email,organisation_code,criterion_code,score"]
            for user, _chair in jurors:
                mildness = rng.uniform(-1.0, 1.0)
                for rank, (code, _text) in enumerate(nominees):
                    for criterion in edition.criteria:
                        value = min(10, max(1, round(8.5 - rank * 0.8 + mildness + rng.uniform(-1.2, 1.2))))
                        lines.append(f"{user.email},{code},{criterion.code},{value}")
            import_scores(edition, "\n".join(lines) + "\n")
            if coordinator is not None:
                save_statement(coordinator, edition, (
                    "De jury koos unaniem voor **Gemeente Venlo**: het stadskantoor laat zien dat circulair "
                    "inkopen een heel gebouw kan dragen, van het ontwerp tot het contractbeheer. Gelderland en "
                    "Zuid-Holland vielen op door de schaal waarop zij CO2-reductie in de GWW afdwingen."))
                publish(coordinator, edition)

    if find_edition(2026) is None:
        now = utcnow()
        day = timedelta(days=1)
        edition = create_edition(None, EditionData(
            year=2026, title="MVI-prijs 2026", benchmark_year=2025,
            description="De prijs voor de medeoverheid die het best presteert op maatschappelijk verantwoord "
                        "inkopen. De jury beoordeelt op de criteria van de KoopWijsPrijs; de benchmark 2025 telt "
                        "voor 30% mee.",
            nominations_open=now - 60 * day, nominations_close=now - 20 * day, scoring_open=now - 10 * day,
            scoring_close=now + 12 * day, deliberation_at=now + 20 * day, ceremony_at=now + 35 * day))
        amsterdam_user = db.session.scalar(select(User).where(User.email == AMSTERDAM_JUROR))
        seats = [(u, chair, None) for u, chair in jurors]
        if amsterdam_user is not None:
            seats.append((amsterdam_user, False, organisations.get("gm0363")))
        juror_rows = []
        for user, chair, organisation in seats:
            juror = PrizeJuror(user=user, email=user.email, name=user.name, is_chair=chair,
                               organisation=organisation, invited_at=now - 30 * day)
            edition.jurors.append(juror)
            juror_rows.append(juror)
        nominations = []
        for nominee, nominator, project, motivation in CURRENT_NOMINATIONS:
            if nominee not in organisations or organisations[nominee].id not in totals:
                continue
            nomination = PrizeNomination(
                edition=edition, category=edition.categories[0], organisation=organisations[nominee],
                nominator_organisation=organisations.get(nominator), project=project, motivation=motivation,
                benchmark_total=totals[organisations[nominee].id], created_at=now - 40 * day)
            db.session.add(nomination)
            nominations.append(nomination)
        db.session.flush()
        from mvi_community.prize.services.jury import assignment_preview

        preview = assignment_preview(edition)
        for nomination, assigned in preview.pairs:
            for juror in assigned:
                db.session.add(PrizeAssignment(juror_id=juror.id, nomination_id=nomination.id))
        edition.assignments_released_at = now - 10 * day
        db.session.flush()
        # the chair and one juror have submitted their first sheets; another saved a draft
        for juror, sheets, submitted in ((juror_rows[0], 3, True), (juror_rows[1], 2, True), (juror_rows[2], 1, False)):
            own = db.session.scalars(select(PrizeAssignment).where(PrizeAssignment.juror_id == juror.id)
                                     .order_by(PrizeAssignment.nomination_id)).all()[:sheets]
            for assignment in own:
                for criterion in edition.criteria:
                    db.session.add(PrizeScore(juror_id=juror.id, nomination_id=assignment.nomination_id,
                                              criterion_id=criterion.id, value=float(rng.randint(5, 9)),
                                              comment=None))
                if submitted:
                    assignment.submitted_at = now - rng.randint(1, 8) * day
        db.session.flush()
