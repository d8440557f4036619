"""Demo data for the communities: the Green Deal Circulair Inkopen (forerunners, with its eight
thematic working groups) and a newcomers' community, members from the demo accounts, a few
discussions, and meetings — four a year — placed around today's date.

Idempotent: communities are found by slug, everything else is only added when the community is
new. The newcomers' "kennismakingssessie" is deliberately full (two places, two taken), so that
Bram Smits (Helmond) can try "RSVP → waiting list → moves up when someone cancels".
"""
from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from mvi_community.accounts.models import User
from mvi_community.communities.models import (
    ACTIVE,
    GOING,
    Community,
    CommunityMember,
    Meeting,
    Post,
    Rsvp,
    Thread,
    ThreadFollow,
    WorkingGroup,
)
from mvi_community.communities.services.meetings import local_to_utc
from mvi_community.core.taxonomy import Theme
from mvi_community.db import utcnow
from mvi_community.extensions import db

GDCI = "green-deal-circulair-inkopen"
NEWCOMERS = "starten-met-circulair-inkopen"

WORKING_GROUPS = [
    ("bouw", "Bouw", "Circulair bouwen en renoveren: van materialenpaspoort tot losmaakbare verbindingen."),
    ("disposables", "Disposables", "Wegwerpproducten vervangen door herbruikbare of biobased alternatieven."),
    ("ict", "ICT", "Langer gebruik, refurbished hardware en terugname van laptops, telefoons en servers."),
    ("interieur", "Interieur", "Kantoormeubilair en inrichting: hergebruik, refurbishment en terugnamegaranties."),
    ("intern-draagvlak", "Intern draagvlak", "Bestuurders, budgethouders en inkopers meekrijgen in circulair inkopen."),
    ("ketensamenwerking", "Ketensamenwerking", "Samen met leveranciers en andere overheden de keten sluiten."),
    ("infra-gww", "Infra/GWW", "Circulaire grond-, weg- en waterbouw, zoals de GWW-aanpak van de waterschappen."),
    ("monitoring", "Monitoring", "Meten wat circulair inkopen oplevert: materialen, CO2 en het aandeel circulair."),
]

GDCI_DESCRIPTION = """\
In de Green Deal Circulair Inkopen leren publieke en private partijen samen hoe zij het beste circulaire producten kunnen verwerven. Deze community is er voor de koplopers (*verdieping*): deelnemers die zelf circulaire inkooptrajecten uitvoeren en hun ervaringen delen.

Elke deelnemer voert minstens twee circulaire pilots uit. We komen vier keer per jaar bij elkaar; daarnaast werken thematische werkgroepen aan concrete vragen.
"""

NEWCOMERS_DESCRIPTION = """\
Wilt u beginnen met circulair inkopen? In deze community (*verbreding*) krijgt u inzicht in wat een circulaire economie is en hoe die vorm krijgt in een aanbesteding. Koplopers van de Green Deal delen hun praktijkvoorbeelden en beantwoorden uw vragen.
"""

# (email, community slug, role)
MEMBERS = [
    ("coordinator@mvi-community.nl", GDCI, "moderator"),
    ("duurzaam@amsterdam.example.nl", GDCI, "moderator"),
    ("inkoop@venlo.example.nl", GDCI, "member"),
    ("mvi@venlo.example.nl", GDCI, "member"),
    ("inkoop@utrecht.example.nl", GDCI, "member"),
    ("inkoop@wageningen.example.nl", GDCI, "member"),
    ("inkoop@groningen.example.nl", GDCI, "member"),
    ("coordinator@mvi-community.nl", NEWCOMERS, "moderator"),
    ("duurzaam@amsterdam.example.nl", NEWCOMERS, "member"),
    ("inkoop@wageningen.example.nl", NEWCOMERS, "member"),
    ("inkoop@helmond.example.nl", NEWCOMERS, "member"),
    ("inkoop@noord-holland.example.nl", NEWCOMERS, "member"),
]

THREADS = [
    # (community, working group slug, author email, kind, title, body, replies [(email, body, best)])
    (GDCI, "interieur", "inkoop@utrecht.example.nl", "question",
     "Hoe borgen jullie de terugname van kantoormeubilair na het contract?",
     "We bereiden een aanbesteding voor kantoormeubilair voor. Hoe leggen jullie vast dat de leverancier het "
     "meubilair na de contractperiode terugneemt en hergebruikt? Werkt een **terugnamegarantie** in de praktijk?",
     [("duurzaam@amsterdam.example.nl",
       "Bij onze 3.250 flexplekken hebben we terugname als contractbepaling opgenomen, met een prijs per "
       "teruggenomen product. Belangrijk: leg ook vast *wat* er daarna met het meubilair gebeurt "
       "(hergebruik, refurbishment of recycling) en laat de leverancier daar jaarlijks over rapporteren.", True),
      ("inkoop@venlo.example.nl",
       "Wij werken met een materialenpaspoort. Dan weet je over tien jaar nog wat er in je meubilair zit.", False)]),
    (GDCI, "infra-gww", "inkoop@wageningen.example.nl", "discussion",
     "Ervaringen met de GWW-aanpak bij kleine opdrachten?",
     "De waterschappen passen de GWW-aanpak toe bij grote projecten. Heeft iemand ervaring met kleinere "
     "opdrachten, zoals fietspaden of beschoeiingen?",
     [("inkoop@groningen.example.nl",
       "Ja, bij fietspaden werkt het goed als je al in de marktconsultatie vraagt naar hergebruik van asfalt.", False)]),
    (NEWCOMERS, None, "inkoop@helmond.example.nl", "question",
     "Waar begin je als je nog nooit circulair hebt ingekocht?",
     "Onze gemeente wil dit jaar de eerste circulaire aanbesteding doen. Welke productgroep is een goede start?",
     [("duurzaam@amsterdam.example.nl",
       "Begin met een productgroep waar veel gebeurt en de markt al ver is, zoals kantoormeubilair of "
       "ICT-hardware. Bekijk de praktijkvoorbeelden van Amsterdam en Venlo in de bibliotheek.", False)]),
]


def _meetings(today: date) -> list[dict]:
    """GDCI: four community meetings a year around today; working-group and newcomer meetings."""
    quarter_offsets = (-80, 9, 100, 191)
    titles = ("Communitybijeenkomst: terugblik op de pilots", "Communitybijeenkomst: circulair bouwen en interieur",
              "Communitybijeenkomst: monitoring en CO2", "Communitybijeenkomst: ketensamenwerking")
    places = ("Stadskantoor Venlo, Hanzeplein 1, Venlo", "Stadhuis Amsterdam, Amstel 1, Amsterdam",
              "Stadskantoor Utrecht, Stadsplateau 1, Utrecht", "Gemeentehuis Wageningen, Markt 22, Wageningen")
    out = [
        {"community": GDCI, "group": None, "title": title, "day": today + timedelta(days=offset),
         "start": time(13, 30), "end": time(17, 0), "location": place, "online_url": None, "capacity": 60,
         "agenda": "1. Welkom en voorstelronde\n2. Pitches van drie pilots\n3. Werkgroepen aan de slag\n4. Borrel"}
        for offset, title, place in zip(quarter_offsets, titles, places)
    ]
    out.append({"community": GDCI, "group": "interieur", "title": "Werkgroep Interieur: terugnamegaranties",
                "day": today + timedelta(days=24), "start": time(10, 0), "end": time(11, 30), "location": None,
                "online_url": "https://meet.example.nl/gdci-interieur", "capacity": None,
                "agenda": "- Voorbeeldbepalingen uit Amsterdam\n- Ervaringen met materialenpaspoorten"})
    out.append({"community": NEWCOMERS, "group": None, "title": "Kennismakingssessie circulair inkopen",
                "day": today + timedelta(days=16), "start": time(15, 0), "end": time(16, 30),
                "location": "Provinciehuis Noord-Holland, Houtplein 33, Haarlem", "online_url": None, "capacity": 2,
                "agenda": "Koplopers vertellen hoe zij begonnen, daarna stelt u uw vragen.", "going": [
                    "duurzaam@amsterdam.example.nl", "inkoop@wageningen.example.nl"]})
    return out


def seed(scale: str = "small") -> dict[str, Community]:
    """Flushes, never commits. Returns the communities by slug."""
    users = {u.email: u for u in db.session.scalars(select(User))}
    themes = {t.code: t for t in db.session.scalars(select(Theme))}
    existing = {c.slug: c for c in db.session.scalars(select(Community))}
    created: set[str] = set()
    for slug, name, track, policy, description, theme_codes in (
        (GDCI, "Green Deal Circulair Inkopen", "verdieping", "request", GDCI_DESCRIPTION, ("circulair", "klimaat")),
        (NEWCOMERS, "Starten met circulair inkopen", "verbreding", "open", NEWCOMERS_DESCRIPTION, ("circulair",)),
    ):
        if slug in existing:
            continue
        community = Community(slug=slug, name=name, track=track, membership_policy=policy, description=description,
                              themes=[themes[c] for c in theme_codes if c in themes])
        db.session.add(community)
        existing[slug] = community
        created.add(slug)
    db.session.flush()
    if GDCI in created:
        for position, (slug, name, description) in enumerate(WORKING_GROUPS):
            db.session.add(WorkingGroup(community=existing[GDCI], slug=slug, name=name, description=description,
                                        position=position))
    now = utcnow()
    for email, slug, role in MEMBERS:
        if slug in created and email in users:
            db.session.add(CommunityMember(community=existing[slug], user_id=users[email].id, role=role,
                                           status=ACTIVE, joined_at=now,
                                           themes=[themes["circulair"]] if "circulair" in themes else []))
    db.session.flush()
    for slug, group_slug, author, kind, title, body, replies in THREADS:
        if slug not in created or author not in users:
            continue
        community = existing[slug]
        group = next((g for g in community.working_groups if g.slug == group_slug), None)
        started = now - timedelta(days=12)
        thread = Thread(community=community, working_group=group, author_id=users[author].id, kind=kind, title=title,
                        created_at=started, last_activity_at=started, reply_count=len(replies))
        db.session.add(thread)
        db.session.add(Post(thread=thread, author_id=users[author].id, body=body, created_at=started))
        for n, (email, text, best) in enumerate(replies, start=1):
            db.session.add(Post(thread=thread, author_id=users[email].id, body=text, is_best_answer=best,
                                created_at=started + timedelta(hours=5 * n)))
            thread.last_activity_at = started + timedelta(hours=5 * n)
        db.session.flush()
        for email in {author, *(r[0] for r in replies)}:
            db.session.add(ThreadFollow(thread_id=thread.id, user_id=users[email].id))
    today = now.date()
    for data in _meetings(today):
        if data["community"] not in created:
            continue
        community = existing[data["community"]]
        group = next((g for g in community.working_groups if g.slug == data["group"]), None)
        meeting = Meeting(community=community, working_group=group, title=data["title"],
                          starts_at=local_to_utc(data["day"], data["start"]),
                          ends_at=local_to_utc(data["day"], data["end"]), location=data["location"],
                          online_url=data["online_url"], agenda=data["agenda"], capacity=data["capacity"])
        db.session.add(meeting)
        db.session.flush()
        for email in data.get("going", []):
            if email in users:
                db.session.add(Rsvp(meeting_id=meeting.id, user_id=users[email].id, status=GOING))
    db.session.flush()
    return existing
