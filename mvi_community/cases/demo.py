"""Demo cases: the examples of the 2016 letter to parliament on the MVI action plan (Venlo,
Amsterdam, Utrecht, Groningen, Wageningen, the water boards), and for `--scale large` thousands
of realistic cases built from Dutch building blocks with a fixed random seed (benchmarks).

Figures marked "ongeveer" come from DOMAIN.md's demo facts (some unverified); they are demo data.
Idempotent: a case is added only when no case with the same title exists.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from mvi_community.accounts.models import Membership, Organisation, User, hash_password
from mvi_community.cases.models import PUBLIC, PUBLISHED, SEARCH_INDEX, Case, case_theme
from mvi_community.cases.services.editing import _record_revision, refresh_search_text
from mvi_community.communities.models import Community
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.db import utcnow
from mvi_community.extensions import db

WATER_BOARD_USER = ("inkoop@rivierenland.example.nl", "Sander van Leeuwen", "ws0621")

CASES_2016 = [
    {
        "title": "Circulair stadskantoor Venlo: cradle-to-cradle met een sterke businesscase",
        "organisation": "gm0983", "contact": "inkoop@venlo.example.nl", "year": 2016, "phase": "contractmanagement",
        "product_group": "kantoorgebouwen", "themes": ["circulair", "klimaat", "milieu"],
        "procedure": "Europese aanbesteding, geïntegreerd contract (ontwerp, bouw en onderhoud)",
        "contract_value": 53_000_000, "co2": None, "circular": None, "jobs": None,
        "summary": "Venlo bouwde een stadskantoor volgens cradle-to-cradle. De investering van ongeveer 53 miljoen "
                   "euro verdient zich terug: het gebouw bespaart ongeveer 100.000 euro per jaar en de energiekosten "
                   "liggen ongeveer 75 procent lager.",
        "results_text": "- Ongeveer 75 procent lagere energiekosten dan een vergelijkbaar kantoor.\n"
                        "- Ongeveer 100.000 euro besparing per jaar op beheer en energie.\n"
                        "- Een groene gevel van ongeveer 2.000 m² die de lucht zuivert en het gebouw koelt.",
        "approach": "De gemeente stuurde op de totale kosten over de levensduur (TCO), niet op de laagste "
                    "bouwprijs. In de aanbesteding vroeg zij om materialen die na gebruik terug kunnen in de keten, "
                    "met een materialenpaspoort voor het hele gebouw. Bouwer en leveranciers blijven betrokken bij "
                    "het onderhoud, zodat zij belang hebben bij kwaliteit en hergebruik.",
        "lessons": "Reken de businesscase over de hele levensduur door en laat die vaststellen door het bestuur "
                   "voordat de aanbesteding begint. Een materialenpaspoort maakt hergebruik later mogelijk.",
    },
    {
        "title": "Amsterdam koopt 3.250 flexplekken circulair in",
        "organisation": "gm0363", "contact": "duurzaam@amsterdam.example.nl", "year": 2016, "phase": "aanbesteding",
        "product_group": "kantoormeubilair", "themes": ["circulair", "social-return"],
        "procedure": "Europese openbare procedure met gunning op beste prijs-kwaliteitverhouding",
        "contract_value": None, "co2": None, "circular": None, "jobs": None,
        "summary": "Voor de inrichting van 3.250 nieuwe flexibele werkplekken voerde Amsterdam een circulair "
                   "aanbestedingsproces uit: eerst hergebruiken wat er al is, dan refurbishen, en pas daarna "
                   "nieuw meubilair dat terug kan in de keten.",
        "results_text": "Het bestaande meubilair is grotendeels opnieuw gebruikt of opgeknapt. Nieuw meubilair "
                        "valt onder een terugnameregeling.",
        "approach": "Amsterdam inventariseerde eerst het bestaande meubilair. In de gunningscriteria woog het "
                    "aandeel hergebruikt en gerefurbished meubilair zwaar mee, naast een terugnamegarantie en een "
                    "plan voor onderhoud. Voor het opknappen werkte de leverancier samen met een sociale "
                    "werkplaats.",
        "lessons": "Een marktconsultatie vooraf liet zien dat leveranciers klaar waren voor hergebruik op deze "
                   "schaal. Leg terugname en rapportage vast in het contract.",
    },
    {
        "title": "Utrecht: pilots met circulaire inrichting van de openbare ruimte",
        "organisation": "gm0344", "contact": "inkoop@utrecht.example.nl", "year": 2016, "phase": "marktconsultatie",
        "product_group": "gww", "themes": ["circulair", "milieu"],
        "procedure": "Pilots met meervoudig onderhandse aanbestedingen", "contract_value": None,
        "co2": None, "circular": None, "jobs": None,
        "summary": "Utrecht voert pilots uit met het circulair inrichten van de openbare ruimte: bankjes, "
                   "bestrating, verlichting en speelplekken van hergebruikte of herbruikbare materialen.",
        "results_text": "De pilots lieten zien welke producten de markt al circulair kan leveren en waar de "
                        "gemeente haar eigen bestekken moet aanpassen.",
        "approach": "Per pilot organiseerde de gemeente een marktconsultatie met ontwerpers, aannemers en "
                    "leveranciers. Zij vroeg functioneel uit (\"een plek om te zitten voor twintig jaar\") in "
                    "plaats van een product voor te schrijven.",
        "lessons": "Betrek beheer en onderhoud vanaf het begin: zij moeten de circulaire materialen straks "
                   "onderhouden en hergebruiken.",
    },
    {
        "title": "Groningen besteedt het gemeentehuis circulair aan",
        "organisation": "gm0014", "contact": "inkoop@groningen.example.nl", "year": 2016, "phase": "aanbesteding",
        "product_group": "kantoorgebouwen", "themes": ["circulair", "klimaat"],
        "procedure": "Europese aanbesteding, concurrentiegerichte dialoog", "contract_value": None,
        "co2": None, "circular": None, "jobs": None,
        "summary": "De renovatie en inrichting van het gemeentehuis van Groningen is circulair aanbesteed: "
                   "materialen worden hergebruikt en nieuwe materialen moeten na gebruik terug in de keten kunnen.",
        "results_text": "Een groot deel van de bestaande materialen kreeg een tweede leven in het gebouw.",
        "approach": "In een concurrentiegerichte dialoog werkten de gemeente en marktpartijen de circulaire "
                    "ambitie uit tot concrete eisen en gunningscriteria, zoals het aandeel hergebruikt materiaal "
                    "en losmaakbare verbindingen.",
        "lessons": "De dialoog kost tijd, maar levert oplossingen op die de gemeente zelf niet had bedacht.",
    },
    {
        "title": "Wageningen wil 100 procent circulair inkopen",
        "organisation": "gm0289", "contact": "inkoop@wageningen.example.nl", "year": 2016, "phase": "voorbereiding",
        "product_group": None, "themes": ["circulair"], "procedure": "Inkoopbeleid en inkoopkader",
        "contract_value": None, "co2": None, "circular": 100, "jobs": None,
        "summary": "Wageningen heeft besloten zo veel mogelijk – uiteindelijk 100 procent – circulair in te "
                   "kopen. De gemeente vertaalde die ambitie naar haar inkoopkader en gunningscriteria.",
        "results_text": "De ambitie is vastgelegd in het inkoopbeleid; elke aanbesteding begint met de vraag hoe "
                        "zij circulair kan.",
        "approach": "Het college stelde de ambitie vast. Inkopers kregen een korte training en een vaste set "
                    "circulaire gunningscriteria per productgroep.",
        "lessons": "Een stip op de horizon helpt: 100 procent is een richting, geen eis voor elke opdracht.",
    },
    {
        "title": "Waterschappen passen de GWW-aanpak toe in de grond-, weg- en waterbouw",
        "organisation": "ws0621", "contact": WATER_BOARD_USER[0], "year": 2016, "phase": "aanbesteding",
        "product_group": "gww", "themes": ["circulair", "klimaat", "milieu"],
        "procedure": "Aanpak Duurzaam GWW: ambitieweb en gunning op duurzaamheid", "contract_value": None,
        "co2": 1250, "circular": 40, "jobs": 6,
        "summary": "De waterschappen werken in dijkversterkingen en andere GWW-projecten met de Aanpak Duurzaam "
                   "GWW: duurzaamheidsambities worden in elke projectfase meegenomen, van verkenning tot beheer.",
        "results_text": "In de voorbeeldprojecten daalde de CO2-uitstoot en werd een groot deel van grond en "
                        "asfalt hergebruikt.",
        "approach": "Met het ambitieweb bepaalt het projectteam per project de duurzaamheidsthema's. In de "
                    "aanbesteding weegt de CO2-prestatieladder mee en vraagt het waterschap om hergebruik van "
                    "vrijkomende materialen.",
        "lessons": "Leg de ambitie vroeg vast en houd haar vast in elke fase; anders sneuvelt zij bij de "
                   "eerste kostenafweging.",
    },
]


def _ensure_water_board_user(organisations: dict[str, Organisation], users: dict[str, User]) -> None:
    email, name, code = WATER_BOARD_USER
    if email in users or code not in organisations:
        return
    from mvi_community.demo.services import DEMO_PASSWORD

    user = User(email=email, name=name, password_hash=hash_password(DEMO_PASSWORD))
    db.session.add(user)
    db.session.add(Membership(user=user, organisation=organisations[code], role="org_admin"))
    users[email] = user
    db.session.flush()


def seed(scale: str = "small", large_count: int = 5000) -> int:
    """Flushes, never commits. Returns the number of cases added."""
    organisations = {o.code: o for o in db.session.scalars(select(Organisation))}
    users = {u.email: u for u in db.session.scalars(select(User))}
    _ensure_water_board_user(organisations, users)
    themes = {t.code: t for t in db.session.scalars(select(Theme))}
    groups = {g.code: g for g in db.session.scalars(select(ProductGroup))}
    gdci = db.session.scalar(select(Community).where(Community.slug == "green-deal-circulair-inkopen"))
    titles = set(db.session.scalars(select(Case.title)))
    coordinator = db.session.scalar(select(User).where(User.is_coordinator.is_(True)).order_by(User.id).limit(1))
    added = 0
    published = utcnow() - timedelta(days=30)
    for data in CASES_2016:
        if data["title"] in titles or data["organisation"] not in organisations:
            continue
        contact = users.get(data["contact"])
        case = Case(
            title=data["title"], summary=data["summary"], organisation=organisations[data["organisation"]],
            year=data["year"], phase=data["phase"], product_group=groups.get(data["product_group"] or ""),
            procedure=data["procedure"], contract_value=data["contract_value"], co2_reduction_tonnes=data["co2"],
            circular_share_percent=data["circular"], social_return_jobs=data["jobs"],
            results_text=data["results_text"], approach=data["approach"], lessons=data["lessons"],
            contact=contact, community=gdci, status=PUBLISHED, visibility=PUBLIC, created_by_id=contact.id if contact else None,
            published_at=published + timedelta(hours=added), submitted_at=published,
            decided_by_id=coordinator.id if coordinator else None,
            themes=[themes[c] for c in data["themes"] if c in themes],
        )
        db.session.add(case)
        db.session.flush()
        refresh_search_text(case)
        if contact is not None:
            _record_revision(contact, case)
        added += 1
    db.session.flush()
    if scale == "large":
        existing = db.session.scalar(select(func.count(Case.id))) or 0
        if existing < large_count:
            added += insert_generated(large_count - existing, seed=2016)
    return added


# --- generated cases (large scale, benchmarks) ------------------------------------------------

SUBJECTS = [
    # (product group, themes, noun phrase, verb phrase)
    ("kantoormeubilair", ["circulair"], "kantoormeubilair", "circulair inrichten van kantoren"),
    ("kantoormeubilair", ["circulair", "social-return"], "bureaustoelen en vergadertafels", "hergebruik van meubilair"),
    ("ict-hardware", ["circulair", "keten"], "laptops en beeldschermen", "refurbished ICT-hardware inkopen"),
    ("ict-hardware", ["keten"], "mobiele telefoons", "eerlijke en langer bruikbare telefoons"),
    ("dienstautos", ["klimaat"], "elektrische dienstauto's", "emissievrij wagenpark"),
    ("catering", ["milieu", "social-return"], "bedrijfscatering", "duurzame en gezonde catering"),
    ("schoonmaak", ["social-return", "milieu"], "schoonmaakdiensten", "schoonmaak met social return"),
    ("gww", ["circulair", "klimaat"], "fietspaden en wegen", "hergebruik van asfalt in de wegenbouw"),
    ("gww", ["milieu"], "dijkversterking", "natuurinclusieve dijkversterking"),
    ("kantoorgebouwen", ["circulair", "klimaat"], "renovatie van het stadskantoor", "circulair renoveren"),
    ("bedrijfskleding", ["keten", "circulair"], "bedrijfskleding", "circulaire bedrijfskleding met ISV"),
    ("energie", ["klimaat"], "groene stroom", "opwek van zonne-energie op daken"),
    ("openbare-verlichting", ["klimaat", "circulair"], "openbare verlichting", "led-verlichting als dienst"),
]
PHASE_LIST = ["voorbereiding", "marktconsultatie", "aanbesteding", "contractmanagement"]
OPENINGS = ["Bij de aanbesteding van {noun}", "Voor de vervanging van {noun}", "In een pilot met {noun}",
            "Samen met buurgemeenten voor {noun}"]
MIDDLES = ["vroegen wij leveranciers om {verb}.", "stond {verb} centraal in de gunningscriteria.",
           "werkten wij aan {verb} met een marktconsultatie vooraf.", "legden wij {verb} vast in het contract."]
RESULTS = ["Het aandeel hergebruikt materiaal steeg flink.", "De CO2-uitstoot daalde ten opzichte van het vorige contract.",
           "Er kwamen mensen met een afstand tot de arbeidsmarkt aan het werk.", "De levensduurkosten bleken lager."]
LESSONS = ["Begin vroeg met de markt in gesprek te gaan.", "Betrek contractmanagement vanaf de start.",
           "Vraag functioneel uit en laat ruimte voor innovatie.", "Maak afspraken over monitoring en rapportage."]
PROCEDURES = ["Europese openbare procedure", "Nationale openbare procedure", "Meervoudig onderhandse procedure",
              "Concurrentiegerichte dialoog", "Innovatiepartnerschap"]


def generate_cases(n: int, seed: int = 2016, organisation_ids: list[int] | None = None,
                   product_group_ids: dict[str, int] | None = None) -> Iterator[dict]:
    """Deterministic rows for the `cases_case` table (plus "theme_codes"), combinatorial Dutch text."""
    rng = random.Random(seed)
    organisation_ids = organisation_ids or [1]
    product_group_ids = product_group_ids or {}
    base = datetime(2015, 1, 1, tzinfo=UTC)
    for i in range(n):
        group, theme_codes, noun, verb = rng.choice(SUBJECTS)
        year = rng.randint(2015, 2025)
        phase = rng.choice(PHASE_LIST)
        title = f"{noun[0].upper()}{noun[1:]}: {verb} ({year}, nr. {i + 1})"
        summary = f"{rng.choice(OPENINGS).format(noun=noun)} {rng.choice(MIDDLES).format(verb=verb)}"
        results = " ".join(rng.sample(RESULTS, 2))
        lessons = " ".join(rng.sample(LESSONS, 2))
        approach = (f"{summary} We begonnen met een marktverkenning en stelden daarna eisen en gunningscriteria op "
                    f"voor {noun}. {rng.choice(MIDDLES).format(verb=verb)}")
        published = base + timedelta(days=rng.randint(0, 3800), minutes=i % 1440)
        yield {
            "title": title, "summary": summary, "organisation_id": rng.choice(organisation_ids), "year": year,
            "product_group_id": product_group_ids.get(group), "phase": phase, "procedure": rng.choice(PROCEDURES),
            "contract_value": rng.choice([None, rng.randint(20, 5000) * 1000]),
            "co2_reduction_tonnes": rng.choice([None, round(rng.uniform(1, 900), 1)]),
            "circular_share_percent": rng.choice([None, round(rng.uniform(5, 95), 1)]),
            "social_return_jobs": rng.choice([None, rng.randint(0, 25)]),
            "results_text": results, "approach": approach, "lessons": lessons,
            "status": PUBLISHED, "visibility": PUBLIC,
            "search_extra": None, "version": 1, "view_count": rng.randint(0, 400), "vote_count": rng.randint(0, 20),
            "created_at": published, "updated_at": published, "published_at": published,
            "theme_codes": theme_codes,
        }


def insert_generated(n: int, seed: int = 2016, batch: int = 2000) -> int:
    """Bulk-insert `n` generated published cases, their themes and (on SQLite) their index rows."""
    from mvi_community.core import search

    organisation_ids = list(db.session.scalars(select(Organisation.id))) or [1]
    groups = {g.code: g.id for g in db.session.scalars(select(ProductGroup))}
    theme_ids = {t.code: t.id for t in db.session.scalars(select(Theme))}
    organisations = {o.id: o.name for o in db.session.scalars(select(Organisation))}
    rows = list(generate_cases(n, seed, organisation_ids, groups))
    for row in rows:
        row["search_extra"] = " ".join([organisations.get(row["organisation_id"], ""), row["phase"],
                                        search.extra_terms(row["title"], row["summary"])])
    connection = db.session.connection()
    inserted = 0
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        ids = connection.execute(insert(Case.__table__).returning(Case.__table__.c.id, sort_by_parameter_order=True),
                                 [{k: v for k, v in r.items() if k != "theme_codes"} for r in chunk]).scalars().all()
        links = [{"case_id": case_id, "theme_id": theme_ids[code]} for case_id, row in zip(ids, chunk)
                 for code in row["theme_codes"] if code in theme_ids]
        if links:
            connection.execute(insert(case_theme), links)
        inserted += len(ids)
    SEARCH_INDEX.rebuild(connection)
    return inserted
