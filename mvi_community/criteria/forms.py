"""Forms of the criteria domain (Flask-WTF, CSRF on)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from mvi_community.core.i18n import current_locale
from mvi_community.core.params import bounded_int
from mvi_community.criteria.models import (
    FEEDBACK_DECLINED,
    FEEDBACK_HANDLED,
    LEVELS,
    MAX_DISCOUNT,
    MAX_EUROS,
    TEXT_LIMITS,
    TYPES,
)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def level_choices(empty=None) -> list[SelectChoice]:
    choices = [SelectChoice(level, f"{label} ({level}/3)") for level, label in LEVELS.items()]
    return ([SelectChoice("", empty)] if empty else []) + choices


class SelectionForm(FlaskForm):
    organisation = SelectField(_l("Organisatie"), coerce=int, validate_choice=True,
                               validators=[DataRequired(message=_l("Kies uw organisatie."))])
    name = StringField(_l("Naam van de selectie"),
                       validators=[DataRequired(message=_l("Geef de selectie een naam.")), Length(max=200)],
                       description=_l("Bijvoorbeeld: aanbesteding bureaustoelen 2026."))
    numbers = MultiCheckboxField(_l("Criteria"), validate_choice=False,
                                 validators=[DataRequired(message=_l("Vink minstens één criterium aan."))])


class FeedbackForm(FlaskForm):
    body = TextAreaField(_l("Uw feedback"), validators=[
        DataRequired(message=_l("Schrijf uw feedback.")), Length(min=10, max=4000, message=_l(
            "Schrijf tussen 10 en 4000 tekens."))],
        description=_l("Wat wilt u veranderen aan dit criterium, en waarom? Uw naam en organisatie zijn zichtbaar "
                       "voor andere leden."))


class HandleFeedbackForm(FlaskForm):
    status = SelectField(_l("Besluit"), choices=[SelectChoice(FEEDBACK_HANDLED, _l("Verwerkt in de nieuwe versie")),
                                                 SelectChoice(FEEDBACK_DECLINED, _l("Niet overgenomen"))],
                         validators=[DataRequired()])
    response = TextAreaField(_l("Reactie aan de indiener"), validators=[
        DataRequired(message=_l("Schrijf een reactie aan de indiener.")), Length(max=4000)])


class DraftForm(FlaskForm):
    year = IntegerField(_l("Jaar van de nieuwe versie"), validators=[
        InputRequired(message=_l("Vul het jaar in.")),
        NumberRange(min=2000, max=2100, message=_l("Vul een jaar tussen 2000 en 2100 in."))])
    notes = TextAreaField(_l("Toelichting bij de versie"), validators=[Optional(), Length(max=4000)])


class CriterionForm(FlaskForm):
    number = StringField(_l("Nummer"), validators=[Optional(), Length(max=30)],
                         description=_l("Leeg laten: het platform kiest het volgende vrije nummer, zoals KAN-GC-04."))
    product_group = SelectField(_l("Productgroep"), coerce=int, validate_choice=True,
                                validators=[DataRequired(message=_l("Kies een productgroep."))])
    type = SelectField(_l("Type"), choices=[SelectChoice("", _l("Kies een type"))]
                       + [SelectChoice(code, label) for code, label in TYPES.items()],
                       validators=[DataRequired(message=_l("Kies een type criterium."))])
    level = SelectField(_l("Ambitieniveau"), coerce=int, choices=level_choices(),
                        validators=[DataRequired(message=_l("Kies een ambitieniveau."))])
    themes = MultiCheckboxField(_l("Thema's"), coerce=int,
                                validators=[DataRequired(message=_l("Kies minstens één thema."))])
    title = StringField(_l("Korte titel"), validators=[DataRequired(message=_l("Geef het criterium een titel.")),
                                                       Length(max=TEXT_LIMITS["title"])])
    text_nl = TextAreaField(_l("Tekst (Nederlands)"), validators=[
        DataRequired(message=_l("Vul de tekst van het criterium in.")), Length(max=TEXT_LIMITS["text_nl"])])
    verification_nl = TextAreaField(_l("Verificatie (Nederlands)"), validators=[
        DataRequired(message=_l("Beschrijf hoe de inschrijver aantoont dat hij voldoet.")),
        Length(max=TEXT_LIMITS["verification_nl"])])
    text_en = TextAreaField(_l("Tekst (Engels)"), validators=[Optional(), Length(max=TEXT_LIMITS["text_en"])])
    verification_en = TextAreaField(_l("Verificatie (Engels)"), validators=[
        Optional(), Length(max=TEXT_LIMITS["verification_en"])])
    weight_percent = IntegerField(_l("Voorgestelde weging (%)"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Kies een weging tussen 0 en 100 procent."))],
        description=_l("Alleen bij gunningscriteria."))
    discount_eur = DecimalField(_l("Fictieve korting (euro)"), places=2, validators=[
        Optional(), NumberRange(min=0, message=_l("De fictieve korting kan niet negatief zijn.")),
        NumberRange(max=MAX_DISCOUNT, message=_l("Vul een korting van hoogstens 9.999.999.999,99 euro in."))],
        description=_l("Alleen bij gunningscriteria, bijvoorbeeld per ton vermeden CO2."))
    discount_basis = StringField(_l("Grondslag van de korting"), validators=[
        Optional(), Length(max=TEXT_LIMITS["discount_basis"])])
    eu_gpp_reference = StringField(_l("EU GPP-referentie"), validators=[
        Optional(), Length(max=TEXT_LIMITS["eu_gpp_reference"])])
    change_note = TextAreaField(_l("Wat is er veranderd, en waarom?"), validators=[
        Optional(), Length(max=TEXT_LIMITS["change_note"])],
        description=_l("Verschijnt in het wijzigingsoverzicht van deze versie."))


class SettingsForm(FlaskForm):
    start_day = IntegerField(_l("Begint op dag"), validators=[InputRequired(message=_l("Vul de dag in.")),
                                                              NumberRange(1, 31, message=_l("Kies een dag van 1 tot 31."))])
    start_month = IntegerField(_l("Begint in maand (1–12)"), validators=[InputRequired(message=_l("Vul de maand in.")),
                                                            NumberRange(1, 12, message=_l("Kies een maand van 1 tot 12."))])
    end_day = IntegerField(_l("Eindigt op dag"), validators=[InputRequired(message=_l("Vul de dag in.")),
                                                             NumberRange(1, 31, message=_l("Kies een dag van 1 tot 31."))])
    end_month = IntegerField(_l("Eindigt in maand (1–12)"), validators=[InputRequired(message=_l("Vul de maand in.")),
                                                          NumberRange(1, 12, message=_l("Kies een maand van 1 tot 12."))])


def _record_id(value) -> int | None:
    """A posted id: None (so DataRequired asks again) for anything but a number a database can hold."""
    return bounded_int(value, minimum=1)


class AttachRequestForm(FlaskForm):
    # The service checks that the request belongs to the selection's organisation (and says so).
    request = SelectField(_l("Hulpvraag"), coerce=_record_id, validate_choice=False,
                          validators=[DataRequired(message=_l("Kies een hulpvraag."))])


class AttachCaseForm(FlaskForm):
    case = SelectField(_l("Praktijkvoorbeeld"), coerce=_record_id, validate_choice=False,
                       validators=[DataRequired(message=_l("Kies een praktijkvoorbeeld."))])


class SummaryForm(FlaskForm):
    summary = TextAreaField(_l("Inleiding voor het management"), validators=[Optional(), Length(max=4000)],
                            description=_l("Waarom dit plan, en wat vraagt het van de organisatie?"))


def ambition_fields(form: FlaskForm, themes) -> list[tuple]:
    """Per theme a level select and a text area, added to a SummaryForm subclass at runtime."""
    return [(t, form[f"level_{t.id}"], form[f"text_{t.id}"]) for t in themes]


def make_ambitions_form(themes, **kwargs) -> FlaskForm:
    class AmbitionsForm(SummaryForm):
        pass

    for theme in themes:
        setattr(AmbitionsForm, f"level_{theme.id}", SelectField(
            _l("Ambitieniveau voor %(theme)s", theme=theme.name(current_locale())), coerce=lambda v: int(v) if v else None,
            choices=level_choices(_l("Geen ambitie voor dit thema")), validators=[Optional()]))
        setattr(AmbitionsForm, f"text_{theme.id}", TextAreaField(
            _l("Ambitie voor %(theme)s", theme=theme.name(current_locale())), validators=[Optional(), Length(max=4000)]))
    return AmbitionsForm(**kwargs)


class SpendForm(FlaskForm):
    # the plan's "last updated" moment when an edit form was opened (services.plan: no silent overwrite)
    loaded_at = HiddenField()
    product_group = SelectField(_l("Productgroep"), coerce=int, validate_choice=True,
                                validators=[DataRequired(message=_l("Kies een productgroep."))])
    annual_spend = IntegerField(_l("Jaarlijkse uitgaven (euro)"), validators=[
        Optional(), NumberRange(min=0, message=_l("Het bedrag kan niet negatief zijn.")),
        NumberRange(max=MAX_EUROS, message=_l("Vul een bedrag van hoogstens 2.147.483.647 euro in."))])
    notes = StringField(_l("Toelichting"), validators=[Optional(), Length(max=300)])


class TenderForm(FlaskForm):
    # the plan's "last updated" moment when an edit form was opened (services.plan: no silent overwrite)
    loaded_at = HiddenField()
    title = StringField(_l("Aanbesteding"), validators=[DataRequired(message=_l("Geef de aanbesteding een naam.")),
                                                        Length(max=200)])
    product_group = SelectField(_l("Productgroep"), coerce=int, validate_choice=True,
                                validators=[DataRequired(message=_l("Kies een productgroep."))])
    planned_on = DateField(_l("Geplande publicatie"), validators=[
        InputRequired(message=_l("Vul de geplande datum in (dag, maand, jaar)."))])
    level = SelectField(_l("Ambitieniveau"), coerce=int, choices=level_choices(),
                        validators=[DataRequired(message=_l("Kies een ambitieniveau."))])
    estimated_value = IntegerField(_l("Geraamde waarde (euro)"), validators=[
        Optional(), NumberRange(min=0, message=_l("Het bedrag kan niet negatief zijn.")),
        NumberRange(max=MAX_EUROS, message=_l("Vul een bedrag van hoogstens 2.147.483.647 euro in."))])
    selection = SelectField(_l("Toe te passen criteria"), coerce=int, validate_choice=True, validators=[Optional()],
                            description=_l("Een opgeslagen criteriaselectie van uw organisatie, met criteria uit de "
                                           "huidige versie."))
    notes = TextAreaField(_l("Toelichting"), validators=[Optional(), Length(max=4000)])
