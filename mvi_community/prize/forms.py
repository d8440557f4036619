"""Prize forms: the edition, a rubric criterion, a juror invitation, a nomination, a conflict
declaration, the jury statement. The scoring sheet's fields depend on the rubric and are read
by the view (with CSRF through `ScoreForm`)."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import DateInput


class DayField(Field):
    """An ISO date (`<input type="date">`) with a Dutch error message."""

    widget = DateInput()

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.isoformat() if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
            try:
                self.data = datetime.strptime(valuelist[0].strip(), fmt).date()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(_l("Vul een geldige datum in, bijvoorbeeld 24-11-2026."))


class EditionForm(FlaskForm):
    year = IntegerField(_l("Jaar"), validators=[InputRequired(_l("Vul het jaar in.")), NumberRange(1990, 2100)])
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Vul een titel in.")), Length(max=200)])
    description = TextAreaField(_l("Toelichting"), validators=[Optional(), Length(max=5000)])
    benchmark_year = IntegerField(_l("Benchmarkeditie (jaar)"),
                                  validators=[InputRequired(_l("Vul het jaar van de benchmarkeditie in.")),
                                              NumberRange(2000, 2100, _l("Vul een jaar tussen 2000 en 2100 in."))])
    benchmark_weight = FloatField(_l("Gewicht van de benchmark (0–1)"),
                                  validators=[InputRequired(_l("Vul het gewicht in.")), NumberRange(0, 1)])
    jurors_per_nomination = IntegerField(_l("Juryleden per nominatie"), default=3,
                                         validators=[InputRequired(_l("Vul een aantal in.")), NumberRange(1, 20)])
    per_type_categories = BooleanField(_l("Eén categorie per organisatietype (anders één categorie medeoverheden)"))
    normalise = BooleanField(_l("Scores per jurylid normaliseren"), default=True)
    hide_scores_until_submitted = BooleanField(_l("Scores van anderen pas tonen na indienen"), default=True)
    blind = BooleanField(_l("Indieners verbergen voor de jury"))
    nominations_open = DayField(_l("Nominaties open vanaf"), validators=[Optional()])
    nominations_close = DayField(_l("Nominaties sluiten op"), validators=[Optional()])
    scoring_open = DayField(_l("Jurering open vanaf"), validators=[Optional()])
    scoring_close = DayField(_l("Jurering sluit op"), validators=[Optional()])
    deliberation_at = DayField(_l("Juryberaad op"), validators=[Optional()])
    ceremony_at = DayField(_l("Uitreiking op"), validators=[Optional()])


class CriterionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Vul een code in.")), Length(max=40)])
    name = StringField(_l("Naam"), validators=[DataRequired(_l("Vul een naam in.")), Length(max=200)])
    weight = FloatField(_l("Gewicht"), default=1.0, validators=[InputRequired(_l("Vul een gewicht in."))])
    description = TextAreaField(_l("Omschrijving"), validators=[Optional(), Length(max=2000)])
    levels = TextAreaField(_l("Niveaus (één per regel, bijvoorbeeld \"1-3: nauwelijks zichtbaar\")"),
                           validators=[Optional(), Length(max=4000)])


class JurorForm(FlaskForm):
    email = StringField(_l("E-mailadres"), validators=[DataRequired(_l("Vul een e-mailadres in.")),
                                                       Email(_l("Vul een geldig e-mailadres in."))])
    name = StringField(_l("Naam"), validators=[DataRequired(_l("Vul een naam in.")), Length(max=200)])
    organisation_id = SelectField(_l("Organisatie"), coerce=int, validators=[Optional()])
    chair = BooleanField(_l("Voorzitter van de jury"))


class NominationTextForm(FlaskForm):
    """The texts of a nomination that its nominator may still change (not the nominee or category)."""

    project = StringField(_l("Project of programma"), validators=[
        Optional(), Length(max=300, message=_l("Gebruik hoogstens %(max)d tekens."))])
    motivation = TextAreaField(_l("Motivering"), validators=[
        DataRequired(_l("Vul een motivering in.")),
        Length(min=20, max=10000, message=_l("Geef een motivering van minstens %(min)d en hoogstens %(max)d tekens."))])
    evidence = TextAreaField(_l("Onderbouwing (resultaten, cijfers, bronnen)"), validators=[
        Optional(), Length(max=10000, message=_l("Gebruik hoogstens %(max)d tekens."))])


class NominationForm(NominationTextForm):
    nominator_organisation_id = SelectField(_l("Namens"), coerce=int,
                                            validators=[InputRequired(_l("Kies namens welke organisatie u nomineert."))])
    nominee_id = SelectField(_l("Genomineerde organisatie"), coerce=int,
                             validators=[InputRequired(_l("Kies een organisatie om te nomineren."))])
    category_code = SelectField(_l("Categorie"), validators=[InputRequired(_l("Kies een categorie."))])


class CasesForm(FlaskForm):
    case_ids = SelectMultipleField(_l("Casussen"), coerce=int, validators=[Optional()])


class ConflictForm(FlaskForm):
    reason = TextAreaField(_l("Reden van het belangenconflict"),
                           validators=[DataRequired(_l("Vul de reden in.")), Length(min=5, max=2000)])


class StatementForm(FlaskForm):
    statement = TextAreaField(_l("Juryrapport (Markdown)"), validators=[Optional(), Length(max=20000)])


class ScoreForm(FlaskForm):
    """CSRF only: the score fields follow the rubric (score_<id>, comment_<id>, version_<id>)."""


class SettingsForm(FlaskForm):
    eligible_types = SelectMultipleField(_l("Organisatietypen die genomineerd kunnen worden"),
                                         validators=[DataRequired(_l("Kies minstens één organisatietype."))])
    require_benchmark = BooleanField(_l("Een gerangschikt resultaat in de benchmark is vereist"))
    require_manifest = BooleanField(_l("Ondertekening van het Manifest MVOI is vereist"))


class TieForm(FlaskForm):
    """CSRF only: the positions are read per nomination (position_<id>)."""
