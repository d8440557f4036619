"""Benchmark forms and the Dutch wording of the methodology's options."""
from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from mvi_community.benchmark import engine

STATE_LABELS = {"draft": _l("Concept"), "computed": _l("Berekend"), "published": _l("Gepubliceerd")}
STATUS_LABELS = {"ranked": _l("Gerangschikt"), "insufficient_data": _l("Onvoldoende gegevens")}
SOURCE_LABELS = {"eforms": _l("aanbestedingsaankondigingen (eForms)"), "csv": _l("monitorgegevens (CSV)"),
                 "platform": _l("gegevens van dit platform"), "methodology": _l("methodologie")}
REPORT_SOURCE_LABELS = {"eforms": _l("Aankondigingen"), "csv": _l("CSV"), "platform": _l("Platform")}
DIRECTION_LABELS = {"higher": _l("hoger is beter"), "lower": _l("lager is beter")}

IMPUTATION_LABELS = {
    "none": _l("Geen: een ontbrekende waarde blijft ontbreken; de score is het gemiddelde van wat er is."),
    "peer_median": _l("Een ontbrekende waarde wordt de mediaan van die indicator in de eigen vergelijkingsgroep (of van alle organisaties als de groep geen waarde heeft). Zulke geschatte waarden zijn overal gemarkeerd."),
    "peer_mean": _l("Een ontbrekende waarde wordt het gemiddelde van die indicator in de eigen vergelijkingsgroep (of van alle organisaties als de groep geen waarde heeft). Zulke geschatte waarden zijn overal gemarkeerd."),
}
OUTLIER_LABELS = {
    "none": _l("Uitschieters worden niet aangepast."),
    "winsorise": _l("Een indicator met een sterk scheve verdeling (scheefheid van 2 of meer én kurtosis van 3,5 of meer) wordt getemperd: de meest extreme waarde krijgt de waarde van de eerstvolgende, voor hoogstens 5 organisaties per indicator."),
}
NORMALISATION_LABELS = {
    "minmax": _l("Elke indicator wordt omgerekend naar 0–100: de laagste waarde krijgt 0, de hoogste 100 (omgekeerd als lager beter is). Hebben alle organisaties dezelfde waarde, dan krijgt iedereen 100."),
    "zscore": _l("Elke indicator wordt omgerekend naar een z-score rond 50 (50 + 10 × het aantal standaardafwijkingen boven het gemiddelde)."),
    "rank": _l("Elke indicator wordt omgerekend naar de rangorde op een schaal van 0 tot 100."),
    "target": _l("Elke indicator wordt afgezet tegen een streefwaarde: wie de streefwaarde haalt, krijgt 100."),
}
AGGREGATION_LABELS = {
    "arithmetic": _l("Een themascore is het gewogen gemiddelde van de indicatoren van dat thema; de totaalscore het gewogen gemiddelde van de themascores."),
    "geometric": _l("Een themascore is het gewogen meetkundig gemiddelde van de indicatoren; een lage score op één indicator telt daardoor zwaarder."),
}
PEER_GROUP_LABELS = {
    "type": _l("Organisaties worden vergeleken met organisaties van hetzelfde soort (gemeenten, provincies, waterschappen, ...)."),
    "type_size": _l("Organisaties worden vergeleken met organisaties van hetzelfde soort; gemeenten bovendien met gemeenten van vergelijkbare omvang (minder dan 20.000, 20.000–50.000, 50.000–100.000 en meer dan 100.000 inwoners)."),
}
PEER_GROUP_NAMES = {
    "gemeente-<20k": _l("Gemeenten tot 20.000 inwoners"),
    "gemeente-20-50k": _l("Gemeenten met 20.000–50.000 inwoners"),
    "gemeente-50-100k": _l("Gemeenten met 50.000–100.000 inwoners"),
    "gemeente-100k+": _l("Gemeenten met 100.000 inwoners of meer"),
    "gemeente": _l("Gemeenten"),
    "provincie": _l("Provincies"),
    "waterschap": _l("Waterschappen"),
    "rijk": _l("Ministeries"),
    "uitvoeringsorganisatie": _l("Uitvoeringsorganisaties"),
    "overig": _l("Overige organisaties"),
}
SKIP_REASONS = {
    "outside_period": _l("uitgegeven buiten de periode van de editie"),
    "no_issue_date": _l("geen publicatiedatum"),
    "no_lots": _l("geen percelen"),
}


def _choices(labels: dict[str, Any], names: dict[str, Any]) -> list[SelectChoice]:
    return [SelectChoice(code, names[code]) for code in labels]


class EditionForm(FlaskForm):
    year = IntegerField(_l("Jaar"), validators=[InputRequired(message=_l("Vul een jaar in.")), NumberRange(2000, 2100, message=_l("Kies een jaar tussen 2000 en 2100."))],
                        description=_l("De periode wordt standaard 1 januari van het jaar ervoor tot en met 31 december van dit jaar."))


class MethodologyForm(FlaskForm):
    period_start = DateField(_l("Begin van de periode"), validators=[InputRequired(message=_l("Vul de begindatum in."))])
    period_end = DateField(_l("Einde van de periode"), validators=[InputRequired(message=_l("Vul de einddatum in."))])
    min_coverage = FloatField(_l("Minimale dekking"), validators=[InputRequired(message=_l("Vul de minimale dekking in.")), NumberRange(0, 1, message=_l("Kies een getal van 0 tot en met 1."))],
                              description=_l("Het deel van de indicatoren waarvoor een organisatie een waarde moet hebben om gerangschikt te worden, bijvoorbeeld 0.667."))
    imputation = SelectField(_l("Ontbrekende waarden"), choices=_choices(IMPUTATION_LABELS, {"none": _l("Niet aanvullen"), "peer_median": _l("Mediaan van de vergelijkingsgroep"), "peer_mean": _l("Gemiddelde van de vergelijkingsgroep")}))
    outliers = SelectField(_l("Uitschieters"), choices=_choices(OUTLIER_LABELS, {"none": _l("Niet aanpassen"), "winsorise": _l("Temperen (winsoriseren)")}))
    normalisation = SelectField(_l("Normalisatie"), choices=_choices(NORMALISATION_LABELS, {"minmax": _l("Min-max (0–100)"), "zscore": _l("Z-score"), "rank": _l("Rangorde"), "target": _l("Streefwaarde")}))
    aggregation = SelectField(_l("Aggregatie"), choices=_choices(AGGREGATION_LABELS, {"arithmetic": _l("Rekenkundig gemiddelde"), "geometric": _l("Meetkundig gemiddelde")}))
    peer_groups = SelectField(_l("Vergelijkingsgroepen"), choices=_choices(PEER_GROUP_LABELS, {"type": _l("Soort organisatie"), "type_size": _l("Soort en omvang (gemeenten)")}))
    draws = IntegerField(_l("Aantal doorrekeningen voor de onzekerheid"), validators=[InputRequired(message=_l("Vul het aantal doorrekeningen in.")), NumberRange(0, engine.MAX_DRAWS)],
                         description=_l("0 slaat de onzekerheidsanalyse over; 1000 is gebruikelijk."))
    seed = IntegerField(_l("Startwaarde van het toeval (seed)"), validators=[InputRequired(message=_l("Vul een seed in.")), NumberRange(0)])
    weight_noise = FloatField(_l("Variatie van de gewichten"), validators=[InputRequired(message=_l("Vul de variatie in.")), NumberRange(0, 0.99)],
                              description=_l("Bijvoorbeeld 0.25: elk gewicht varieert in de doorrekeningen tussen 75% en 125%."))
    document = TextAreaField(_l("Thema's en indicatoren (JSON)"), validators=[DataRequired(message=_l("Vul de thema's en indicatoren in.")), Length(max=200_000)],
                             description=_l('Een JSON-object met "themes" en "indicators", zoals bij de export van de methodologie.'),
                             render_kw={"rows": 24, "spellcheck": "false"})

    def fill(self, methodology: dict[str, Any]) -> None:
        self.period_start.data = _date(methodology["period"]["start"])
        self.period_end.data = _date(methodology["period"]["end"])
        self.min_coverage.data = methodology["screening"]["min_coverage"]
        for name in ("imputation", "outliers", "normalisation", "aggregation", "peer_groups"):
            getattr(self, name).data = methodology[name]
        for name in ("draws", "seed", "weight_noise"):
            getattr(self, name).data = methodology["uncertainty"][name]
        self.document.data = json.dumps({"themes": methodology["themes"], "indicators": methodology["indicators"]},
                                        ensure_ascii=False, indent=2)

    def to_document(self) -> tuple[dict[str, Any] | None, list[str]]:
        """The full methodology document, or (None, problems) when the JSON is not readable."""
        try:
            parts = json.loads(self.document.data or "")
        except ValueError as error:
            return None, [f"JSON: {error}"]
        if not isinstance(parts, dict):
            return None, ['JSON: must be an object with "themes" and "indicators"']
        unknown = sorted(set(parts) - {"themes", "indicators"})
        problems = [f"{key}: unknown key (set the other options with the fields above)" for key in unknown]
        document = {
            "period": {"start": self.period_start.data.isoformat(), "end": self.period_end.data.isoformat()},
            "themes": parts.get("themes", []), "indicators": parts.get("indicators", []),
            "screening": {"min_coverage": self.min_coverage.data},
            "imputation": self.imputation.data, "outliers": self.outliers.data,
            "normalisation": self.normalisation.data, "aggregation": self.aggregation.data,
            "peer_groups": self.peer_groups.data,
            "uncertainty": {"draws": self.draws.data, "seed": self.seed.data, "weight_noise": self.weight_noise.data},
        }
        return (None, problems) if problems else (document, [])


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)


class NoticeUploadForm(FlaskForm):
    file = FileField(_l("XML-bestand of zip-archief"), validators=[
        FileRequired(message=_l("Kies een XML-bestand of een zip-archief.")),
        FileAllowed(["xml", "zip"], message=_l("Alleen XML-bestanden en zip-archieven."))],
        description=_l("eForms-aankondigingen, los of samen in een zip-archief. Aankondigingen buiten de periode worden overgeslagen."))


class CsvUploadForm(FlaskForm):
    file = FileField(_l("CSV-bestand"), validators=[
        FileRequired(message=_l("Kies een CSV-bestand.")),
        FileAllowed(["csv", "txt"], message=_l("Alleen CSV-bestanden."))],
        description=_l("Kolommen organisation_code, indicator_code, value en eventueel note; gescheiden door komma's of puntkomma's. Bij één foute regel wordt niets ingelezen."))


class PublishForm(FlaskForm):
    note = TextAreaField(_l("Toelichting bij deze versie"), validators=[Optional(), Length(max=2000)],
                         description=_l("Verplicht bij een correctie: wat is er veranderd ten opzichte van de vorige versie?"))


class PublicityForm(FlaskForm):
    results_public = BooleanField(_l("Maak de benchmarkresultaten van onze organisatie openbaar"),
                                  description=_l("Openbare resultaten staan op de benchmarkpagina en in de open data. U kunt dit altijd weer uitzetten."))
