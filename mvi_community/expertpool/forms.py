"""Forms of the expert pool, and the translated labels of its fixed vocabularies."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from mvi_community.accounts.forms import ORGANISATION_TYPE_LABELS
from mvi_community.accounts.importer import PROVINCES

SKILL_LABELS = {
    "ambitieformulering": _l("Ambitieformulering"),
    "inkoopkader": _l("Inkoopkader"),
    "gunningscriteria": _l("Gunningscriteria"),
    "strategisch-inkopen": _l("Strategisch inkopen"),
    "marktconsultatie": _l("Marktconsultatie"),
    "levensduurkosten": _l("Levensduurkosten (TCO)"),
    "contractmanagement": _l("Contractmanagement"),
}
GOAL_LABELS = {
    "ambities": _l("MVI-ambities formuleren"),
    "inkoopkader": _l("Een inkoopkader opstellen"),
    "gunningscriteria": _l("Gunningscriteria voor een aanbesteding"),
    "strategisch-inkoopplan": _l("Een strategisch inkoopplan"),
    "anders": _l("Anders"),
}
OUTCOME_LABELS = {
    "ambitie": _l("Ambitie vastgesteld"),
    "inkoopkader": _l("Inkoopkader vastgesteld"),
    "criteria-aanbesteding": _l("Criteria gebruikt in een aanbesteding"),
    "anders": _l("Anders"),
}
LANGUAGE_LABELS = {"nl": _l("Nederlands"), "en": _l("Engels"), "de": _l("Duits"), "fr": _l("Frans")}
EXPERT_STATUS_LABELS = {
    "applied": _l("Aangemeld"),
    "approved": _l("Goedgekeurd"),
    "rejected": _l("Afgewezen"),
    "inactive": _l("Niet actief"),
}
REQUEST_STATUS_LABELS = {
    "submitted": _l("Ingediend"),
    "proposed": _l("Expert voorgesteld"),
    "accepted": _l("Geaccepteerd"),
    "in_progress": _l("Loopt"),
    "completed": _l("Afgerond"),
    "declined": _l("Afgewezen"),
    "cancelled": _l("Geannuleerd"),
}
PROPOSAL_STATUS_LABELS = {
    "proposed": _l("Concept"),
    "confirmed": _l("Wacht op antwoord van de expert"),
    "accepted": _l("Geaccepteerd"),
    "declined": _l("Afgeslagen"),
    "expired": _l("Verlopen"),
}
CONTRIBUTION_LABELS = {
    "themes": _l("Thema's"),
    "skills": _l("Vaardigheden"),
    "product_groups": _l("Productgroep"),
    "organisation_types": _l("Soort organisatie"),
    "regions": _l("Regio"),
    "text": _l("Overeenkomst in tekst"),
    "history": _l("Eerder werk voor deze organisatie"),
}


class DaysField(DecimalField):
    """A decimal that accepts the Dutch decimal comma ("2,5") as well as a point: a text input
    with a decimal keyboard, since a number input refuses the comma in many browsers."""

    widget = widgets.TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("places", 1)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip().replace(",", ".")])
        except ValueError as error:
            raise ValueError(str(_l("Vul een getal in, zoals 2 of 2,5."))) from error

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        text = f"{Decimal(str(self.data)):f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", ",")


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes in a fieldset (rendered by templates/expertpool/_macros.html)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in labels.items()]


class ExpertProfileForm(FlaskForm):
    employer = SelectField(_l("Werkgever"), coerce=int, validate_choice=True,
                           validators=[DataRequired(message=_l("Kies de organisatie waar u werkt."))],
                           description=_l("U krijgt nooit een hulpvraag van uw eigen werkgever."))
    job_title = StringField(_l("Functie"), validators=[Optional(), Length(max=200)])
    bio = TextAreaField(_l("Over uzelf"), validators=[DataRequired(message=_l("Vertel kort wat u doet en waarmee u kunt helpen.")),
                                                       Length(max=4000)],
                        description=_l("Uw ervaring met maatschappelijk verantwoord inkopen. Deze tekst is openbaar."))
    themes = MultiCheckboxField(_l("Thema's"), coerce=int,
                                validators=[DataRequired(message=_l("Kies minstens één thema."))])
    skills = MultiCheckboxField(_l("Vaardigheden"), choices=_choices(SKILL_LABELS),
                                validators=[DataRequired(message=_l("Kies minstens één vaardigheid."))])
    product_groups = MultiCheckboxField(_l("Productgroepen"), coerce=int, validators=[Optional()])
    organisation_types = MultiCheckboxField(_l("Soorten organisaties die u kent"),
                                            choices=_choices(ORGANISATION_TYPE_LABELS), validators=[Optional()])
    regions = MultiCheckboxField(_l("Regio's (provincies)"), choices=[SelectChoice(p, p) for p in PROVINCES],
                                 validators=[Optional()])
    languages = MultiCheckboxField(_l("Talen"), choices=_choices(LANGUAGE_LABELS),
                                   validators=[DataRequired(message=_l("Kies minstens één taal."))])
    days_per_quarter = DaysField(_l("Adviesdagen per kwartaal"),
                                    validators=[InputRequired(message=_l("Vul het aantal dagen per kwartaal in.")),
                                                NumberRange(min=0, max=30, message=_l("Kies tussen 0 en 30 dagen."))],
                                    description=_l("Hoeveel dagen u per kwartaal beschikbaar bent, bijvoorbeeld 2 of 2,5."),
                                    render_kw={"inputmode": "decimal"})
    max_concurrent = IntegerField(_l("Maximaal aantal hulpvragen tegelijk"),
                                  validators=[InputRequired(message=_l("Vul een aantal in.")),
                                              NumberRange(min=0, max=10, message=_l("Kies tussen 0 en 10."))])


class UnavailabilityForm(FlaskForm):
    starts_on = DateField(_l("Vanaf"), validators=[InputRequired(message=_l("Vul een begindatum in."))])
    ends_on = DateField(_l("Tot en met"), validators=[InputRequired(message=_l("Vul een einddatum in."))])
    note = StringField(_l("Toelichting"), validators=[Optional(), Length(max=200)])

    def validate_ends_on(self, field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("De einddatum ligt vóór de begindatum."))


class ConflictForm(FlaskForm):
    organisation = SelectField(_l("Organisatie"), coerce=int, validate_choice=True,
                               validators=[DataRequired(message=_l("Kies een organisatie."))])
    reason = StringField(_l("Reden"), validators=[DataRequired(message=_l("Vul een reden in.")), Length(max=300)],
                         description=_l("Bijvoorbeeld: vorige werkgever, of familie werkt daar als inkoper."))


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("Toelichting"), validators=[Optional(), Length(max=2000)])


class RequestForm(FlaskForm):
    organisation = SelectField(_l("Namens organisatie"), coerce=int, validate_choice=True,
                               validators=[DataRequired(message=_l("Kies uw organisatie."))])
    title = StringField(_l("Korte titel"), validators=[DataRequired(message=_l("Geef uw hulpvraag een korte titel.")),
                                                         Length(max=200)],
                        description=_l("Bijvoorbeeld: gunningscriteria voor circulair meubilair."))
    goal = SelectField(_l("Waarbij zoekt u hulp?"), choices=[SelectChoice("", _l("Kies een doel"))] + _choices(GOAL_LABELS),
                       validators=[DataRequired(message=_l("Kies waarbij u hulp zoekt."))])
    themes = MultiCheckboxField(_l("Thema's"), coerce=int,
                                validators=[DataRequired(message=_l("Kies minstens één thema."))])
    product_group = SelectField(_l("Productgroep"), coerce=int, validate_choice=True, validators=[Optional()])
    description = TextAreaField(_l("Beschrijving"),
                                validators=[DataRequired(message=_l("Beschrijf uw hulpvraag.")), Length(max=4000)],
                                description=_l("Wat wilt u bereiken, waar staat u nu en wat is de planning?"))
    period_start = DateField(_l("Gewenste periode: vanaf"), validators=[Optional()])
    period_end = DateField(_l("Gewenste periode: tot en met"), validators=[Optional()])
    days_needed = DaysField(_l("Aantal adviesdagen"), default=2,
                               validators=[InputRequired(message=_l("Vul het aantal dagen in.")),
                                           NumberRange(min=0.5, max=10, message=_l("Kies tussen 0,5 en 10 dagen."))],
                               render_kw={"inputmode": "decimal"})
    attachments = MultipleFileField(
        _l("Bijlagen"), validators=[Optional()],
        description=_l("Bijvoorbeeld een concept-inkoopkader of een planning. PDF, Word (.docx), Excel (.xlsx), "
                       "PNG of JPEG; hoogstens 10 MB per bestand. U kunt meerdere bestanden tegelijk kiezen."))

    def validate_period_end(self, field) -> None:
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError(_l("De einddatum ligt vóór de begindatum."))


class AnswerForm(FlaskForm):
    reason = TextAreaField(_l("Reden"), validators=[Optional(), Length(max=2000)],
                           description=_l("Verplicht als u de hulpvraag afslaat."))


class SessionForm(FlaskForm):
    held_on = DateField(_l("Datum"), validators=[InputRequired(message=_l("Vul de datum van de sessie in."))])
    days = DaysField(_l("Bestede dagen"),
                        validators=[InputRequired(message=_l("Vul het aantal bestede dagen in.")),
                                    NumberRange(min=0.1, max=10, message=_l("Kies tussen 0,1 en 10 dagen."))],
                        description=_l("Bijvoorbeeld 0,5 voor een dagdeel."), render_kw={"inputmode": "decimal"})
    notes = TextAreaField(_l("Wat is er besproken?"), validators=[Optional(), Length(max=4000)])


class CompleteForm(FlaskForm):
    comment = TextAreaField(_l("Uw terugblik"), validators=[Optional(), Length(max=4000)],
                            description=_l("Wat is er bereikt, en wat kan de organisatie nu zelf verder?"))


class RatingForm(FlaskForm):
    rating = SelectField(_l("Uw waardering"), coerce=int, validate_choice=True,
                         choices=[SelectChoice(0, _l("Kies een cijfer"))] + [
                             SelectChoice(5, _l("5 – uitstekend")), SelectChoice(4, _l("4 – goed")),
                             SelectChoice(3, _l("3 – redelijk")), SelectChoice(2, _l("2 – matig")),
                             SelectChoice(1, _l("1 – slecht"))],
                         validators=[DataRequired(message=_l("Kies een waardering van 1 tot 5."))])
    outcome = SelectField(_l("Resultaat"), choices=[SelectChoice("", _l("Kies een resultaat"))] + _choices(OUTCOME_LABELS),
                          validators=[DataRequired(message=_l("Kies wat de ondersteuning heeft opgeleverd."))])
    comment = TextAreaField(_l("Toelichting"), validators=[Optional(), Length(max=4000)])
    case = SelectField(_l("Gebruikt in praktijkvoorbeeld"), coerce=int, validate_choice=False, validators=[Optional()],
                       choices=[SelectChoice(0, _l("Geen praktijkvoorbeeld"))],
                       description=_l("Heeft u de ondersteuning gebruikt in een praktijkvoorbeeld van uw organisatie? "
                                      "Kies het dan hier; ook een concept kan."))


class AttachmentForm(FlaskForm):
    file = FileField(_l("Bestand"), description=_l("PDF, Word (.docx), Excel (.xlsx), PNG of JPEG; hoogstens 10 MB."))


class SettingsForm(FlaskForm):
    allowance_days = DaysField(_l("Adviesdagen per organisatie per jaar"),
                                  validators=[InputRequired(), NumberRange(min=0, max=100)])
    answer_deadline_days = IntegerField(_l("Antwoordtermijn voor een expert (dagen)"),
                                        validators=[InputRequired(), NumberRange(min=1, max=60)])
    reminder_after_days = IntegerField(_l("Herinnering na (dagen)"),
                                       validators=[InputRequired(), NumberRange(min=1, max=60)])
    escalate_after_days = IntegerField(_l("Melden bij de coördinator na (dagen)"),
                                       validators=[InputRequired(), NumberRange(min=1, max=90)])
    continuity_weight = DaysField(_l("Gewicht eerder werk voor dezelfde organisatie"), places=2,
                                     validators=[InputRequired(), NumberRange(min=-1, max=1)],
                                     description=_l("Positief: voorkeur voor continuïteit; negatief: voorkeur voor rotatie."))
    auto_confirm_alternate = BooleanField(_l("Na een afwijzing het beste alternatief direct vragen"))

    def validate_escalate_after_days(self, field) -> None:
        if self.reminder_after_days.data and field.data is not None and field.data < self.reminder_after_days.data:
            raise ValidationError(_l("Melden bij de coördinator kan niet eerder dan de herinnering."))

