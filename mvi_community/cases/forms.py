"""Forms for writing, moderating and asking about cases (Dutch labels, translated with _l)."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from mvi_community.communities.forms import MultiCheckboxField

PHASE_LABELS = {
    "voorbereiding": _l("Voorbereiding"),
    "marktconsultatie": _l("Marktconsultatie"),
    "aanbesteding": _l("Aanbesteding"),
    "contractmanagement": _l("Contractmanagement"),
}
STATUS_LABELS = {
    "draft": _l("Concept"),
    "submitted": _l("Ingediend, wacht op beoordeling"),
    "published": _l("Gepubliceerd"),
    "rejected": _l("Niet gepubliceerd"),
}
VISIBILITY_LABELS = {
    "public": _l("Openbaar: iedereen, ook zonder account, en de open-data-API"),
    "community": _l("Alleen leden van de gekozen community"),
}
SORT_LABELS = {
    "relevance": _l("Best passend"),
    "newest": _l("Nieuwste eerst"),
    "year": _l("Jaar (nieuwste eerst)"),
    "useful": _l("Meest nuttig gevonden"),
    "views": _l("Meest bekeken"),
    "title": _l("Titel (A–Z)"),
}
FIELD_LABELS = {
    "title": _l("Titel"), "summary": _l("Samenvatting"), "organisation": _l("Organisatie"),
    "partners": _l("Samenwerkende organisaties"), "year": _l("Jaar"), "phase": _l("Fase"),
    "product_group": _l("Productgroep"), "themes": _l("Thema's"), "procedure": _l("Procedure"),
    "contract_value": _l("Opdrachtwaarde"), "co2_reduction_tonnes": _l("CO2-reductie"),
    "circular_share_percent": _l("Aandeel circulair of hergebruikt materiaal"),
    "social_return_jobs": _l("Social return: banen"), "results_text": _l("Resultaten"), "approach": _l("Aanpak"),
    "lessons": _l("Geleerde lessen"), "contact": _l("Contactpersoon"), "community": _l("Community"),
    "visibility": _l("Zichtbaarheid"),
}


class DutchDecimalField(DecimalField):
    """Accepts "12,5" as well as "12.5" (a Dutch decimal comma); "1.250,5" too. A text input with a
    decimal keyboard, because a number input refuses the comma in many browsers."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def _value(self):
        value = super()._value()
        return value.replace(".", ",") if isinstance(value, str) else value

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str):
            value = valuelist[0].strip().replace(" ", "")
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
            valuelist = [value]
        super().process_formdata(valuelist)


class CaseForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(message=_l("Geef het praktijkvoorbeeld een titel.")),
                                                 Length(max=200)])
    summary = TextAreaField(_l("Samenvatting"), validators=[
        DataRequired(message=_l("Schrijf een korte samenvatting.")), Length(max=2000)],
        description=_l("Twee of drie zinnen: wat is er ingekocht, en wat leverde het op?"), render_kw={"rows": 3})
    organisation = SelectField(_l("Organisatie"), coerce=int, validate_choice=True,
                               description=_l("Leden van deze organisatie kunnen het praktijkvoorbeeld bewerken."))
    partners = SelectMultipleField(_l("Samenwerkende organisaties"), coerce=int, validate_choice=True,
                                   description=_l("Houd Ctrl (of Cmd) ingedrukt om er meer te kiezen."))
    year = IntegerField(_l("Jaar"), validators=[
        DataRequired(message=_l("Vul het jaar in.")),
        NumberRange(min=1990, max=date.today().year + 2, message=_l("Vul een jaartal in tussen %(min)s en %(max)s."))])
    phase = SelectField(_l("Fase van het inkoopproces"), choices=[SelectChoice(k, v) for k, v in PHASE_LABELS.items()])
    product_group = SelectField(_l("Productgroep"), coerce=int, validate_choice=True)
    themes = MultiCheckboxField(_l("Thema's"), coerce=int, validate_choice=True)
    procedure = StringField(_l("Procedure"), validators=[Optional(), Length(max=200)],
                            description=_l("Bijvoorbeeld: Europese openbare procedure, concurrentiegerichte dialoog."))
    contract_value = IntegerField(_l("Opdrachtwaarde in euro"), validators=[
        Optional(), NumberRange(min=0, max=100_000_000_000, message=_l("Vul een bedrag in hele euro's in."))],
        description=_l("In hele euro's, zonder punten."))
    co2_reduction_tonnes = DutchDecimalField(_l("CO2-reductie in ton"), places=1, validators=[
        Optional(), NumberRange(min=0, max=100_000_000, message=_l("Vul een aantal ton van 0 of meer in."))])
    circular_share_percent = DutchDecimalField(_l("Aandeel circulair of hergebruikt materiaal (%)"), places=1, validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Vul een percentage tussen 0 en 100 in."))])
    social_return_jobs = IntegerField(_l("Social return: aantal banen"), validators=[
        Optional(), NumberRange(min=0, max=1_000_000, message=_l("Vul een aantal van 0 of meer in."))])
    results_text = TextAreaField(_l("Resultaten"), validators=[Optional(), Length(max=10_000)], render_kw={"rows": 5})
    approach = TextAreaField(_l("Aanpak"), validators=[Optional(), Length(max=20_000)],
                             description=_l("Hoe heeft u het aangepakt? U kunt Markdown gebruiken."), render_kw={"rows": 8})
    lessons = TextAreaField(_l("Geleerde lessen"), validators=[Optional(), Length(max=10_000)],
                            description=_l("Wat zou u een andere overheid aanraden?"), render_kw={"rows": 5})
    contact = SelectField(_l("Contactpersoon"), coerce=int, validate_choice=True,
                          description=_l("Vragen van collega's komen bij deze persoon binnen; het e-mailadres blijft verborgen."))
    community = SelectField(_l("Community"), coerce=int, validate_choice=True,
                            description=_l("De community waaruit dit voorbeeld voortkomt; haar moderatoren mogen het beoordelen."))
    visibility = SelectField(_l("Zichtbaarheid"), choices=[SelectChoice(k, v) for k, v in VISIBILITY_LABELS.items()])


class AttachmentForm(FlaskForm):
    file = FileField(_l("Bestand"), description=_l("PDF, Word (.docx), Excel (.xlsx), PNG of JPEG; hoogstens 10 MB."))


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reden"), validators=[DataRequired(message=_l("Geef een reden, zodat de auteur weet wat er beter kan.")),
                                                    Length(max=4000)], render_kw={"rows": 4})


class QuestionForm(FlaskForm):
    subject = StringField(_l("Onderwerp"), validators=[Optional(), Length(max=200)])
    body = TextAreaField(_l("Uw vraag"), validators=[DataRequired(message=_l("Schrijf uw vraag.")), Length(max=5000)],
                         description=_l("De contactpersoon krijgt uw vraag per e-mail en antwoordt hier. U ziet het "
                                        "antwoord onder 'Mijn vragen'."), render_kw={"rows": 5})


class AnswerForm(FlaskForm):
    body = TextAreaField(_l("Uw bericht"), validators=[DataRequired(message=_l("Schrijf uw bericht.")), Length(max=5000)],
                         render_kw={"rows": 5})
