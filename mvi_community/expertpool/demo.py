"""Expert-pool demo data: twelve approved experts, one applicant, a newcomer municipality and
requests in different states (one completed with feedback).

Idempotent: experts are keyed by their user's e-mail address, requests by organisation and
title; nothing is created twice. Flushes, never commits (the CLI commits). Called at the end of
``mvi_community.demo.services.seed``.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mvi_community.accounts.models import Membership, Organisation, User, hash_password
from mvi_community.core.taxonomy import ProductGroup, Theme, ensure_reference_data
from mvi_community.db import utcnow
from mvi_community.expertpool.models import (
    Engagement,
    Expert,
    ExpertConflict,
    Feedback,
    Proposal,
    Session,
    SupportRequest,
    Unavailability,
)
from mvi_community.expertpool.services.common import local_date, local_today
from mvi_community.extensions import db

# (email, name, employer code, job title, themes, skills, product groups, org types, regions, bio)
EXPERTS = [
    ("m.vanderlinden@rws.example.nl", "Marieke van der Linden", "oorg10004", "Adviseur circulair inkopen",
     ["circulair", "klimaat"], ["gunningscriteria", "marktconsultatie", "levensduurkosten", "inkoopkader"],
     ["gww", "openbare-verlichting"], ["rijk", "provincie", "waterschap"], ["Utrecht", "Zuid-Holland"],
     ("Ik help opdrachtgevers in de grond-, weg- en waterbouw om CO2-reductie en circulariteit mee te wegen "
     "in de gunning, met de CO2-prestatieladder, DuboCalc en MKI-eisen. Tien jaar ervaring met "
     "marktconsultaties voor infraprojecten.")),
    ("j.bosman@rvb.example.nl", "Jeroen Bosman", "ua-rvb", "Categoriemanager kantoorinrichting",
     ["circulair", "klimaat"], ["gunningscriteria", "marktconsultatie", "contractmanagement", "levensduurkosten"],
     ["kantoormeubilair", "kantoorgebouwen"], ["rijk", "gemeente", "uitvoeringsorganisatie"], ["Utrecht"],
     ("Ik kocht voor het Rijk circulair kantoormeubilair in: refurbished bureaus en stoelen, hergebruik van "
     "bestaand meubilair, terugnamegaranties en gunningscriteria op hergebruikte materialen en "
     "levensduurkosten. Graag deel ik de criteria en de lessen uit de marktconsultatie.")),
    ("f.ouali@rotterdam.example.nl", "Fatima Ouali", "gm0599", "Specialist social return",
     ["social-return", "diversiteit"], ["inkoopkader", "contractmanagement", "ambitieformulering"],
     ["schoonmaak", "catering"], ["gemeente"], ["Zuid-Holland"],
     ("Ik zet social return in bij schoonmaak, catering en groenonderhoud: van de SROI-paragraaf in het "
     "inkoopbeleid tot het monitoren van de afspraken met de leverancier, samen met het WSP.")),
    ("w.hoekstra@fryslan.example.nl", "Willem Hoekstra", "pv21", "Categoriemanager ICT",
     ["circulair", "keten"], ["gunningscriteria", "levensduurkosten", "marktconsultatie"],
     ["ict-hardware"], ["provincie", "gemeente"], ["Fryslân", "Groningen", "Drenthe"],
     ("Circulaire ICT-hardware: langer gebruik, refurbished laptops, TCO Certified en eerlijke "
     "productieketens. Ik schreef de gunningscriteria voor de provinciale werkplekaanbesteding.")),
    ("a.kuipers@utrecht.example.nl", "Annelies Kuipers", "gm0344", "Strategisch inkoopadviseur",
     ["klimaat", "circulair", "milieu"], ["strategisch-inkopen", "ambitieformulering", "inkoopkader"],
     [], ["gemeente"], ["Utrecht", "Gelderland"],
     ("Ik help gemeenten hun duurzaamheidsambities te vertalen naar een strategisch inkoopplan met "
     "categorieplannen, impactanalyse en een inkoopkader dat de organisatie ook echt gebruikt.")),
    ("r.verbeek@dommel.example.nl", "Ruud Verbeek", "ws0539", "Inkoopadviseur duurzaamheid",
     ["milieu", "klimaat"], ["gunningscriteria", "marktconsultatie"],
     ["gww", "energie"], ["waterschap"], ["Noord-Brabant", "Limburg"],
     ("Duurzaam inkopen bij waterschappen: energie, slibverwerking en onderhoud van watergangen. Ervaring "
     "met de GWW-aanpak en biodiversiteit als gunningscriterium.")),
    ("l.hermans@venlo.example.nl", "Lisa Hermans", "gm0983", "Projectleider circulair bouwen",
     ["circulair"], ["ambitieformulering", "gunningscriteria", "levensduurkosten"],
     ["kantoorgebouwen", "kantoormeubilair"], ["gemeente"], ["Limburg"],
     ("Projectleider bij het cradle-to-cradle stadskantoor van Venlo. Ik help bij circulaire renovatie en "
     "nieuwbouw, materialenpaspoorten en een business case op levensduurkosten.")),
    ("k.dewit@minbuza.example.nl", "Koen de Wit", "mnre1013", "Adviseur ketenverantwoordelijkheid (ISV)",
     ["keten"], ["inkoopkader", "contractmanagement", "gunningscriteria"],
     ["bedrijfskleding", "ict-hardware"], ["rijk", "gemeente"], [],
     ("Internationale Sociale Voorwaarden in de praktijk: risicoanalyse, ketentransparantie en "
     "contractbeheer bij bedrijfskleding en ICT.")),
    ("n.jansen@amsterdam.example.nl", "Noor Jansen", "gm0363", "Inkoopadviseur catering en schoonmaak",
     ["social-return", "circulair", "milieu"], ["gunningscriteria", "contractmanagement"],
     ["catering", "schoonmaak"], ["gemeente"], ["Noord-Holland"],
     ("Eiwittransitie en minder voedselverspilling in cateringcontracten, circulaire schoonmaakmiddelen en "
     "social return. Ik help met gunningscriteria en met sturen op resultaat tijdens het contract.")),
    ("h.visser@gelderland.example.nl", "Hans Visser", "pv25", "Inkoper energie en mobiliteit",
     ["klimaat"], ["strategisch-inkopen", "levensduurkosten", "marktconsultatie"],
     ["energie", "dienstautos"], ["provincie", "gemeente"], ["Gelderland", "Overijssel"],
     ("Groene stroom met garanties van oorsprong uit Nederland, zero-emissie dienstauto's en laadinfra. "
     "Ik reken met u de levensduurkosten door.")),
    ("i.postma@noord-holland.example.nl", "Ingrid Postma", "pv27", "Beleidsadviseur MVI",
     ["milieu", "klimaat", "circulair", "keten", "diversiteit", "social-return"],
     ["ambitieformulering", "inkoopkader", "strategisch-inkopen"], [], ["provincie", "gemeente"],
     ["Noord-Holland", "Flevoland"],
     ("Ik begeleidde het MVI-actieplan van de provincie onder het Manifest MVOI en help organisaties hun "
     "ambities op alle thema's vast te leggen in een inkoopkader.")),
    ("b.meijer@dji.example.nl", "Bart Meijer", "oorg10114", "Adviseur inclusief inkopen",
     ["diversiteit", "social-return"], ["inkoopkader", "gunningscriteria", "contractmanagement"],
     ["bedrijfskleding", "catering"], ["rijk", "uitvoeringsorganisatie"], [],
     ("Inclusief inkopen: werk voor mensen met een afstand tot de arbeidsmarkt via de leverancier, "
     "Buy Social en sociale ondernemingen. Ervaring met bedrijfskleding en catering.")),
]

APPLICANT = ("y.debruijn@zwolle.example.nl", "Yvonne de Bruijn", "gm0193", "Contractmanager",
             ["circulair", "social-return"], ["contractmanagement", "inkoopkader"], ["schoonmaak"],
             ["gemeente"], ["Overijssel"],
             ("Contractmanager bij Zwolle; ik wil graag andere gemeenten helpen bij het sturen op MVI-afspraken "
              "in lopende contracten."))

# People who ask for help (besides the foundation's demo users).
REQUESTERS = [
    ("inkoop@culemborg.example.nl", "Sofie van Leeuwen", "gm0216"),  # a newcomer municipality
]

# Listed for the README: (email, name, role)
DEMO_USERS = (
    [(e[0], e[1], f"expert ({e[3]}, {e[2]})") for e in EXPERTS]
    + [(APPLICANT[0], APPLICANT[1], f"expert applicant ({APPLICANT[2]})")]
    + [(email, name, f"member of {code} (newcomer, asks for help)") for email, name, code in REQUESTERS]
)


def _user(email: str, name: str, organisation: Organisation | None, users: dict[str, User],
          password_hash: str) -> User:
    user = users.get(email)
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash)
        db.session.add(user)
        if organisation is not None:
            db.session.add(Membership(user=user, organisation=organisation, role="member"))
        users[email] = user
    return user


def seed(scale: str = "small") -> dict[str, int]:
    from mvi_community.demo.services import DEMO_PASSWORD

    ensure_reference_data()
    created = {"experts": 0, "requests": 0}
    organisations = {o.code: o for o in db.session.scalars(select(Organisation))}
    if "gm0216" not in organisations:
        return created  # the foundation seed did not run
    themes = {t.code: t for t in db.session.scalars(select(Theme))}
    groups = {g.code: g for g in db.session.scalars(select(ProductGroup))}
    users = {u.email: u for u in db.session.scalars(select(User))}
    experts = {e.user.email: e for e in db.session.scalars(select(Expert).join(Expert.user))}
    password_hash = hash_password(DEMO_PASSWORD)
    now = utcnow()

    for status, rows in ((Expert.APPROVED, EXPERTS), (Expert.APPLIED, [APPLICANT])):
        for email, name, code, title, theme_codes, skills, group_codes, org_types, regions, bio in rows:
            if email in experts:
                continue
            employer = organisations[code]
            user = _user(email, name, employer, users, password_hash)
            expert = Expert(
                user=user, employer=employer, job_title=title, bio=bio, skills=skills,
                organisation_types=org_types, regions=regions, languages=["nl", "en"],
                themes=[themes[c] for c in theme_codes], product_groups=[groups[c] for c in group_codes],
                days_per_quarter=3.0, max_concurrent=2, status=status,
                decided_at=now - timedelta(days=200) if status == Expert.APPROVED else None,
                created_at=now - timedelta(days=220 if status == Expert.APPROVED else 3),
            )
            db.session.add(expert)
            experts[email] = expert
            created["experts"] += 1
    for email, name, code in REQUESTERS:
        _user(email, name, organisations[code], users, password_hash)
    db.session.flush()

    # A declared conflict and an unavailable period, so that the forbidden pairs show.
    hoekstra = experts["w.hoekstra@fryslan.example.nl"]
    if not hoekstra.conflicts:
        db.session.add(ExpertConflict(expert=hoekstra, organisation=organisations["gm0080"],
                                      reason="Mijn partner is inkoper bij Leeuwarden."))
    visser = experts["h.visser@gelderland.example.nl"]
    if not visser.unavailabilities:
        today = local_today()
        db.session.add(Unavailability(expert=visser, starts_on=today + timedelta(days=30),
                                      ends_on=today + timedelta(days=60), note="Ouderschapsverlof"))

    existing = {(r.organisation_id, r.title) for r in db.session.scalars(select(SupportRequest))}

    def request(code, email, title, goal, theme_codes, group, description, days_needed, age_days, **kwargs):
        organisation = organisations[code]
        if (organisation.id, title) in existing:
            return None
        created_at = now - timedelta(days=age_days)
        r = SupportRequest(
            organisation=organisation, requester=users.get(email), title=title, goal=goal,
            themes=[themes[c] for c in theme_codes], product_group=groups.get(group) if group else None,
            description=description, days_needed=days_needed, created_at=created_at,
            year=local_date(created_at).year, **kwargs)
        db.session.add(r)
        created["requests"] += 1
        return r

    # Completed, with sessions and feedback from both sides.
    fatima = experts["f.ouali@rotterdam.example.nl"]
    r = request("gm0794", "inkoop@helmond.example.nl", "Social return in het nieuwe schoonmaakcontract",
                "inkoopkader", ["social-return"], "schoonmaak",
                "Wij besteden de schoonmaak van onze gebouwen opnieuw aan en willen social return goed "
                "vastleggen in ons inkoopkader en in het contract.", 2.0, 120,
                status=SupportRequest.COMPLETED, proposed_at=now - timedelta(days=117),
                accepted_at=now - timedelta(days=115), completed_at=now - timedelta(days=70),
                closed_at=now - timedelta(days=70))
    if r is not None:
        r.proposals.append(Proposal(expert=fatima, affinity=0.81, rank=0, status=Proposal.ACCEPTED,
                                    confirmed_at=now - timedelta(days=116), responded_at=now - timedelta(days=115),
                                    explanation=_explanation(["social-return"], ["inkoopkader"], ["schoonmaak"])))
        e = Engagement(request=r, expert=fatima, organisation_id=r.organisation.id, started_at=now - timedelta(days=115),
                       completed_at=now - timedelta(days=70))
        e.sessions = [
            Session(held_on=local_date(now - timedelta(days=100)), days=1.0, created_by_id=fatima.user.id,
                    notes="Kick-off met inkoop en beleid: ambitie, doelgroepen en SROI-percentage bepaald."),
            Session(held_on=local_date(now - timedelta(days=75)), days=1.0, created_by_id=fatima.user.id,
                    notes="Tekst voor het inkoopkader en de contractbepalingen doorgenomen; monitoring met het WSP."),
        ]
        e.feedback = [
            Feedback(author_id=users["inkoop@helmond.example.nl"].id, author_role=Feedback.REQUESTER, rating=5,
                     outcome="inkoopkader", comment="Heel praktisch. Ons inkoopkader heeft nu een SROI-paragraaf "
                                                    "die de gemeenteraad heeft vastgesteld."),
            Feedback(author_id=fatima.user.id, author_role=Feedback.EXPERT,
                     comment="Helmond kan nu zelf verder; de monitoring loopt via het WSP."),
        ]
        db.session.add(e)

    # In progress: accepted, one session logged.
    willem = experts["w.hoekstra@fryslan.example.nl"]
    r = request("gm0289", "inkoop@wageningen.example.nl", "Gunningscriteria voor circulaire ICT-hardware",
                "gunningscriteria", ["circulair", "keten"], "ict-hardware",
                "Wij vervangen 600 laptops en willen refurbished en langere levensduur belonen in de gunning.",
                2.0, 30, status=SupportRequest.IN_PROGRESS, proposed_at=now - timedelta(days=28),
                accepted_at=now - timedelta(days=26))
    if r is not None:
        r.proposals.append(Proposal(expert=willem, affinity=0.77, rank=0, status=Proposal.ACCEPTED,
                                    confirmed_at=now - timedelta(days=27), responded_at=now - timedelta(days=26),
                                    explanation=_explanation(["circulair", "keten"], ["gunningscriteria"],
                                                             ["ict-hardware"])))
        e = Engagement(request=r, expert=willem, organisation_id=r.organisation.id, started_at=now - timedelta(days=26))
        e.sessions = [Session(held_on=local_date(now - timedelta(days=10)), days=0.5, created_by_id=willem.user.id,
                              notes="Marktconsultatie voorbereid; TCO Certified als minimumeis besproken.")]
        db.session.add(e)

    # Sent to an expert, waiting for an answer.
    annelies = experts["a.kuipers@utrecht.example.nl"]
    r = request("gm0014", "inkoop@groningen.example.nl", "Strategisch inkoopplan voor onze klimaatdoelen",
                "strategisch-inkoopplan", ["klimaat"], None,
                "Wij willen onze klimaatdoelen vertalen naar een strategisch inkoopplan per categorie.",
                2.0, 6, status=SupportRequest.PROPOSED, proposed_at=now - timedelta(days=3))
    if r is not None:
        r.proposals.append(Proposal(expert=annelies, affinity=0.72, rank=0, status=Proposal.CONFIRMED,
                                    confirmed_at=now - timedelta(days=2),
                                    explanation=_explanation(["klimaat"], ["strategisch-inkopen"], [])))

    # Open, and best fitted by an expert employed by the requester (never proposed to her).
    request("gm0983", "mvi@venlo.example.nl", "Circulaire renovatie van het stadsbeheerkantoor",
            "gunningscriteria", ["circulair"], "kantoorgebouwen",
            "Wij renoveren het kantoor van stadsbeheer en willen circulaire bouw en hergebruik van materialen "
            "belonen met gunningscriteria, met een materialenpaspoort.", 2.0, 4)
    # Open, beyond the yearly allowance: waits for a coordinator's approval.
    request("gm0344", "inkoop@utrecht.example.nl", "Inkoopkader voor inclusief inkopen",
            "inkoopkader", ["diversiteit", "social-return"], None,
            "Wij willen inclusief inkopen verankeren in ons inkoopkader en zoeken hulp bij de keuzes.",
            3.0, 2, beyond_allowance=True)
    # Cancelled by the requester.
    request("pv27", "inkoop@noord-holland.example.nl", "Gunningscriteria voor zero-emissie dienstauto's",
            "gunningscriteria", ["klimaat"], "dienstautos",
            "Aanbesteding van het wagenpark.", 1.0, 40, status=SupportRequest.CANCELLED,
            closed_at=now - timedelta(days=35), decision_note="De aanbesteding is een jaar uitgesteld.")
    db.session.flush()
    return created


def _explanation(themes: list[str], skills: list[str], groups: list[str]) -> dict:
    """A plausible stored breakdown for seeded (historical) proposals."""
    parts = [("organisation_types", 0.05, 1.0, ["gemeente"]), ("product_groups", 0.15, 1.0 if groups else 0.0, groups),
             ("regions", 0.05, 0.0, []), ("skills", 0.25, 1.0, skills), ("themes", 0.35, 1.0, themes),
             ("text", 0.15, 0.3, []), ("history", 0.10, 0.0, [])]
    contributions = [{"name": n, "weight": w, "score": s, "value": round(w * s, 6), "matched": m}
                     for n, w, s, m in parts]
    return {"total": round(sum(c["value"] for c in contributions), 6), "contributions": contributions}
