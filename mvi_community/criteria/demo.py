"""Demo criteria (clearly demo: written for this platform, not PIANOo's official texts), two
published versions so that "what changed" has content, a few feedback comments, a selection and a
procurement plan for Amsterdam. Idempotent."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from mvi_community.accounts.models import Organisation, User
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.criteria.models import (
    FEEDBACK_HANDLED,
    PUBLISHED,
    Criterion,
    CriteriaVersion,
    CriterionFeedback,
    PlanAmbition,
    PlannedTender,
    PlanSpend,
    ProcurementPlan,
    Selection,
    SelectionItem,
)
from mvi_community.extensions import db

DEMO = "[Demo] "
# number, group, type, level, themes, title, text, verification, weight %, discount €, EU GPP
CRITERIA_2025 = [
    ("KMB-ME-01", "kantoormeubilair", "minimumeis-specificatie", 1, ["milieu"], "Duurzaam hout",
     "Hout en houtachtige materialen in het meubilair komen aantoonbaar uit duurzaam beheerde bossen.",
     "FSC- of PEFC-certificaat van de leverancier, of gelijkwaardig bewijs van de herkomst.", None, None,
     "EU GPP Furniture 2017, TS1"),
    ("KMB-ME-02", "kantoormeubilair", "minimumeis-specificatie", 2, ["circulair"], "Demontabel en repareerbaar",
     "Bureaus en stoelen zijn met gangbaar gereedschap te demonteren; onderdelen die slijten (wielen, "
     "armleuningen, bekleding) zijn los te vervangen.",
     "Demontagehandleiding en een lijst van vervangbare onderdelen met hun levertijd.", None, None,
     "EU GPP Furniture 2017, TS3"),
    ("KMB-GC-01", "kantoormeubilair", "gunningscriterium", 2, ["circulair", "klimaat"], "Hergebruikt meubilair",
     "De inschrijver levert een deel van de stoelen en bureaus als gereviseerd (refurbished) meubilair. "
     "Hoe groter het aandeel, hoe hoger de waardering.",
     "Opgave van het aandeel gereviseerde producten per productsoort, met een beschrijving van het revisieproces.",
     20, None, "EU GPP Furniture 2017, AC2"),
    ("KMB-GC-02", "kantoormeubilair", "gunningscriterium", 3, ["klimaat"], "CO2-voetafdruk over de levensduur",
     "De inschrijver berekent de CO2-uitstoot van het aangeboden meubilair over tien jaar gebruik. Per ton "
     "minder uitstoot dan de referentiewaarde krijgt de inschrijving een fictieve korting.",
     "Levenscyclusanalyse volgens EN 15804 of gelijkwaardig, opgesteld door een onafhankelijke partij.",
     None, 150, None),
    ("KMB-CB-01", "kantoormeubilair", "contractbepaling", 2, ["circulair"], "Terugname aan het einde van de levensduur",
     "De opdrachtnemer neemt het meubilair aan het einde van de gebruiksduur terug en zorgt voor hergebruik "
     "of hoogwaardige recycling.",
     "Jaarlijkse rapportage over teruggenomen aantallen en hun bestemming.", None, None, None),
    ("KMB-SC-01", "kantoormeubilair", "selectiecriterium", 1, ["keten"], "Gepaste zorgvuldigheid in de keten",
     "De inschrijver past gepaste zorgvuldigheid toe volgens de OESO-richtlijnen voor de productie van het meubilair.",
     "Eigen verklaring en het meest recente verslag over gepaste zorgvuldigheid.", None, None, None),
    ("ICT-ME-01", "ict-hardware", "minimumeis-specificatie", 1, ["milieu", "klimaat"], "Energiezuinige apparatuur",
     "Laptops en beeldschermen voldoen aan de meest recente versie van Energy Star of een gelijkwaardig label.",
     "Productblad met het label of een testrapport van een geaccrediteerd laboratorium.", None, None,
     "EU GPP Computers 2021, TS1"),
    ("ICT-GC-01", "ict-hardware", "gunningscriterium", 2, ["circulair"], "Lange garantie en beschikbaarheid van onderdelen",
     "De inschrijver biedt langer dan drie jaar garantie en houdt reserveonderdelen ten minste vijf jaar beschikbaar.",
     "Garantievoorwaarden en een verklaring over de beschikbaarheid van onderdelen.", 15, None,
     "EU GPP Computers 2021, AC1"),
    ("ICT-MU-01", "ict-hardware", "minimumeis-uitvoering", 2, ["keten"], "Eerlijke productieketen",
     "De opdrachtnemer brengt de risico's op schending van arbeidsrechten in de productieketen in kaart en "
     "neemt passende maatregelen (Internationale Sociale Voorwaarden).",
     "Risicoanalyse en plan van aanpak binnen zes maanden na de start van het contract.", None, None, None),
    ("AUT-ME-01", "dienstautos", "minimumeis-specificatie", 1, ["klimaat"], "Emissieloos rijden",
     "Nieuwe personenauto's stoten geen CO2 uit tijdens het rijden (volledig elektrisch of waterstof).",
     "Typegoedkeuring of certificaat van overeenstemming van het voertuig.", None, None, "EU GPP Transport 2019, TS1"),
    ("AUT-GC-01", "dienstautos", "gunningscriterium", 2, ["klimaat", "milieu"], "Energieverbruik per kilometer",
     "Hoe lager het energieverbruik per kilometer (WLTP), hoe hoger de waardering.",
     "WLTP-waarden uit het certificaat van overeenstemming.", 20, None, None),
    ("CAT-ME-01", "catering", "minimumeis-specificatie", 1, ["milieu"], "Duurzame vis",
     "Vis en visproducten hebben een keurmerk voor duurzame visserij of kweek.",
     "Overzicht van het assortiment met de keurmerken.", None, None, "EU GPP Food and catering 2019, TS3"),
    ("CAT-GC-01", "catering", "gunningscriterium", 2, ["klimaat"], "Meer plantaardig",
     "De inschrijver biedt een menu waarin het aandeel plantaardige eiwitten per jaar toeneemt.",
     "Menuplan met het aandeel plantaardige eiwitten en een jaarlijkse rapportage.", 15, None, None),
    ("SCH-ME-01", "schoonmaak", "minimumeis-specificatie", 1, ["milieu"], "Milieuvriendelijke schoonmaakmiddelen",
     "Schoonmaakmiddelen dragen een milieukeurmerk zoals het EU Ecolabel of gelijkwaardig.",
     "Productlijst met keurmerken.", None, None, "EU GPP Cleaning services 2018, TS1"),
    ("SCH-CB-01", "schoonmaak", "contractbepaling", 2, ["social-return"], "Social return",
     "De opdrachtnemer besteedt ten minste 5% van de opdrachtwaarde aan werk voor mensen met een afstand tot "
     "de arbeidsmarkt.", "Halfjaarlijkse rapportage volgens de Prestatieladder Socialer Ondernemen of gelijkwaardig.",
     None, None, None),
    ("GWW-GC-01", "gww", "gunningscriterium", 2, ["klimaat"], "CO2-Prestatieladder",
     "Een inschrijver met een certificaat op de CO2-Prestatieladder krijgt een fictieve korting die hoger is "
     "naarmate de trede hoger is.", "Geldig certificaat op naam van de inschrijver.", None, 25000, None),
    ("GWW-GC-02", "gww", "gunningscriterium", 3, ["klimaat", "circulair"], "Milieukostenindicator (MKI)",
     "De inschrijver berekent de MKI van het ontwerp; hoe lager de MKI, hoe hoger de fictieve korting.",
     "MKI-berekening met DuboCalc of gelijkwaardig.", None, 50000, None),
]
# What the 2026 version changes (number → field changes and the change note); and new criteria.
CHANGES_2026 = {
    "KMB-GC-01": ({"weight_percent": 25, "text_nl": "De inschrijver levert ten minste een deel van de stoelen en bureaus als "
                   "gereviseerd (refurbished) meubilair. Hoe groter het aandeel, hoe hoger de waardering; boven 50% "
                   "geldt de maximale score."},
                  "Weging verhoogd van 20% naar 25% en een plafond voor de score toegevoegd, na feedback van "
                  "gemeenten over de beoordeling."),
    "KMB-ME-02": ({"level": 1}, "Naar basisniveau: demontabel meubilair is inmiddels gangbaar in de markt."),
    "AUT-GC-01": ({"weight_percent": 25}, "Weging verhoogd: CO2 weegt zwaarder mee."),
}
NEW_2026 = [
    ("KMB-GC-03", "kantoormeubilair", "gunningscriterium", 2, ["circulair"], "Aandeel gerecycled materiaal",
     "Hoe hoger het aandeel gerecycled staal, aluminium of kunststof in het nieuwe meubilair, hoe hoger de waardering.",
     "Materialenpaspoort per product met het aandeel gerecycled materiaal.", 10, None, "EU GPP Furniture 2017, AC3",
     "Nieuw criterium, voorgesteld in de feedbackperiode van 2025."),
]
REMOVED_2026 = ["KMB-SC-01"]


def _criterion(version, groups, themes, row, position, note=None) -> Criterion:
    number, group, type_, level, theme_codes, title, text, verification, weight, discount, gpp = row[:11]
    return Criterion(version=version, number=number, product_group_id=groups[group].id, type=type_, level=level,
                     title=title, text_nl=DEMO + text, verification_nl=verification, weight_percent=weight,
                     discount_eur=discount, discount_basis="per ton minder CO2" if discount and group != "gww" else
                     ("bij de hoogste trede" if discount else None), eu_gpp_reference=gpp, position=position,
                     themes=[themes[c] for c in theme_codes], change_note=note)


def seed(scale: str = "small") -> None:
    if db.session.scalar(select(CriteriaVersion.id).limit(1)) is not None:
        return
    groups = {g.code: g for g in db.session.scalars(select(ProductGroup))}
    themes = {t.code: t for t in db.session.scalars(select(Theme))}
    v2025 = CriteriaVersion(year=2025, status=PUBLISHED, published_at=datetime(2025, 6, 2, 8, tzinfo=timezone.utc),
                            notes="Demoversie van de criteriaset (geen officiële teksten).")
    db.session.add(v2025)
    for position, row in enumerate(CRITERIA_2025):
        db.session.add(_criterion(v2025, groups, themes, row, position))
    v2026 = CriteriaVersion(year=2026, status=PUBLISHED, published_at=datetime(2026, 6, 1, 8, tzinfo=timezone.utc),
                            notes="Jaarlijkse herziening: CO2 weegt zwaarder, meer nadruk op hergebruik.")
    db.session.add(v2026)
    for position, row in enumerate(CRITERIA_2025):
        if row[0] in REMOVED_2026:
            continue
        criterion = _criterion(v2026, groups, themes, row, position)
        if row[0] in CHANGES_2026:
            fields, note = CHANGES_2026[row[0]]
            for key, value in fields.items():
                setattr(criterion, key, DEMO + value if key == "text_nl" else value)
            criterion.change_note = note
        db.session.add(criterion)
    for row in NEW_2026:
        db.session.add(_criterion(v2026, groups, themes, row, 50, note=row[11]))
    db.session.flush()

    users = {u.email: u for u in db.session.scalars(select(User))}
    organisations = {o.code: o for o in db.session.scalars(select(Organisation))}
    old = {c.number: c for c in v2025.criteria}
    coordinator = users.get("coordinator@mvi-community.nl")
    for email, number, body, response in (
        ("inkoop@utrecht.example.nl", "KMB-GC-01",
         "Het is lastig om het aandeel gereviseerd meubilair te beoordelen zonder bovengrens: één inschrijver bood "
         "100% aan terwijl dat niet te leveren was. Graag een plafond.",
         "Dank u. In versie 2026 geldt boven 50% de maximale score."),
        ("inkoop@venlo.example.nl", "KMB-ME-02",
         "Demontabel meubilair is inmiddels standaard bij vrijwel alle leveranciers; dit kan naar basisniveau.",
         "Overgenomen: het criterium staat in 2026 op basisniveau."),
    ):
        author = users.get(email)
        if author is None or number not in old:
            continue
        db.session.add(CriterionFeedback(
            criterion=old[number], number=number, author_id=author.id,
            organisation_id=author.memberships[0].organisation_id if author.memberships else None, body=body,
            status=FEEDBACK_HANDLED, response=response, handled_by_id=coordinator.id if coordinator else None,
            handled_at=datetime(2025, 5, 12, 9, tzinfo=timezone.utc),
            created_at=datetime(2025, 4, 10, 14, tzinfo=timezone.utc)))

    amsterdam, owner = organisations.get("gm0363"), users.get("inkoop@amsterdam.example.nl")
    if amsterdam is None or owner is None:
        return
    selection = Selection(name="Flexplekken stadhuis 2025", owner_id=owner.id, organisation=amsterdam, version=v2025,
                          product_group=groups["kantoormeubilair"],
                          items=[SelectionItem(number=n, title=old[n].title, position=i) for i, n in
                                 enumerate(["KMB-ME-01", "KMB-ME-02", "KMB-GC-01", "KMB-CB-01"])])
    db.session.add(selection)
    plan = ProcurementPlan(organisation=amsterdam, updated_by_id=owner.id,
                           summary="Amsterdam koopt jaarlijks voor honderden miljoenen in. Dit plan laat zien welke "
                                   "aanbestedingen de komende twee jaar bijdragen aan onze doelen voor klimaat en "
                                   "circulariteit.")
    plan.ambitions = [
        PlanAmbition(theme_id=themes["circulair"].id, level=3,
                     ambition="In 2030 koopt de gemeente de helft van haar meubilair en ICT circulair in."),
        PlanAmbition(theme_id=themes["klimaat"].id, level=2, ambition="Het wagenpark rijdt in 2027 emissieloos."),
        PlanAmbition(theme_id=themes["social-return"].id, level=2, ambition="Social return in alle dienstencontracten."),
    ]
    plan.spend = [PlanSpend(product_group_id=groups["kantoormeubilair"].id, annual_spend_eur=1_800_000),
                  PlanSpend(product_group_id=groups["ict-hardware"].id, annual_spend_eur=6_500_000),
                  PlanSpend(product_group_id=groups["schoonmaak"].id, annual_spend_eur=4_200_000)]
    plan.tenders = [PlannedTender(title="Meubilair stadsloketten", product_group_id=groups["kantoormeubilair"].id,
                                  planned_on=date(2026, 9, 1), level=2, estimated_value_eur=900_000,
                                  selection=selection),
                    PlannedTender(title="Schoonmaak stadsdeelkantoren", product_group_id=groups["schoonmaak"].id,
                                  planned_on=date(2027, 2, 1), level=2, estimated_value_eur=3_000_000)]
    db.session.add(plan)
    db.session.flush()
