"""Forms: manifests, signing and withdrawal, the action plan, the yearly report, the due date."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import DateInput, TextInput

from mvi_community.accounts.forms import ORGANISATION_TYPE_LABELS, organisation_select_choices
from mvi_community.manifest.models import STEPS

MONTHS = [
    (1, _l("januari")), (2, _l("februari")), (3, _l("maart")), (4, _l("april")), (5, _l("mei")), (6, _l("juni")),
    (7, _l("juli")), (8, _l("augustus")), (9, _l("september")), (10, _l("oktober")), (11, _l("november")),
    (12, _l("december")),
]
GROUP_LABELS = {
    "": _l("Alle ondertekenaars"),
    "ceremonie": _l("Ondertekend tijdens de ceremonie"),
    "toetreders": _l("Toetreders"),
    "actief": _l("Niet ingetrokken"),
    "ingetrokken": _l("Ingetrokken"),
}
TYPE_LABELS = ORGANISATION_TYPE_LABELS


class DateInputField(Field):
    """An ISO date (`<input type="date">`) with a Dutch error message."""

    widget = DateInput()

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Vul een geldige datum in, bijvoorbeeld 24-11-2022.")

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.isoformat() if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
            try:
                self.data = datetime.strptime(text, fmt).date()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(self.message)


class DecimalCommaField(Field):
    """A number that accepts a decimal comma ("12,5"), with a Dutch error message."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return (f"{self.data:g}").replace(".", ",")

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = float(valuelist[0].strip().replace("%", "").replace(",", ".").strip())
        except ValueError as error:
            self.data = None
            raise ValueError(_l("Vul een getal in, bijvoorbeeld 12,5.")) from error


class DutchIntegerField(IntegerField):
    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError as error:
            self.data = None
            raise ValueError(_l("Vul een geheel getal in.")) from error


class InRange:
    """Like NumberRange, but silent when the value could not be read (its own message is shown)."""

    def __init__(self, low: float, high: float, message) -> None:
        self.low, self.high, self.message = low, high, message

    def __call__(self, form, field) -> None:
        if field.data is not None and not self.low <= field.data <= self.high:
            raise ValidationError(self.message)


def not_in_future(form, field) -> None:
    from mvi_community.manifest.services import today

    if field.data and field.data > today():
        raise ValidationError(_l("Deze datum kan niet in de toekomst liggen."))


def step_choices(empty_label):
    return [SelectChoice(0, empty_label)] + [SelectChoice(n, f"{n}. {label}") for n, label in STEPS.items()]


class ManifestForm(FlaskForm):
    code = StringField(_l("Code"), validators=[
        DataRequired(message=_l("Vul een code in.")), Length(max=40),
        Regexp(r"^[a-z0-9][a-z0-9-]{1,39}$", message=_l("Gebruik kleine letters, cijfers en streepjes, zoals mvoi-2022.")),
    ], description=_l("Korte, vaste code voor adressen en de open data, bijvoorbeeld mvoi-2022."))
    title = StringField(_l("Titel"), validators=[DataRequired(message=_l("Vul de titel in.")), Length(max=300)])
    text = TextAreaField(_l("Tekst van het manifest"), validators=[DataRequired(message=_l("Vul de tekst van het manifest in.")),
                                                                  Length(max=20000)],
                         description=_l("Gewone tekst; laat een witregel tussen alinea's."), render_kw={"rows": 12})
    period_start = DateInputField(_l("Looptijd vanaf"), validators=[InputRequired(message=_l("Vul het begin van de looptijd in."))])
    period_end = DateInputField(_l("Looptijd tot en met"), validators=[InputRequired(message=_l("Vul het einde van de looptijd in."))])
    ceremony_date = DateInputField(_l("Datum van de ondertekeningsceremonie"),
                                   validators=[InputRequired(message=_l("Vul de datum van de ceremonie in."))],
                                   description=_l("Wie na deze datum ondertekent, staat in de lijst als toetreder."))

    def validate_period_end(self, field) -> None:
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError(_l("Het einde van de looptijd ligt vóór het begin."))


class SignForm(FlaskForm):
    organisation = SelectField(_l("Organisatie"), coerce=int, validate_choice=True,
                               validators=[DataRequired(message=_l("Kies de organisatie die ondertekent."))])
    signer_name = StringField(_l("Naam van de ondertekenaar"),
                              validators=[DataRequired(message=_l("Vul de naam in van degene die ondertekent.")), Length(max=200)],
                              description=_l("De bestuurder die namens de organisatie tekent, bijvoorbeeld de wethouder."))
    signer_function = StringField(_l("Functie van de ondertekenaar"), validators=[Optional(), Length(max=200)],
                                  description=_l("Bijvoorbeeld: wethouder Duurzaamheid en Inkoop."))
    signed_on = DateInputField(_l("Datum van ondertekening"),
                               validators=[InputRequired(message=_l("Vul de datum van ondertekening in.")), not_in_future])

    def set_organisations(self, organisations) -> None:
        if len(organisations) == 1:
            self.organisation.choices = [SelectChoice(organisations[0].id, organisations[0].name)]
        else:
            self.organisation.choices = organisation_select_choices(organisations)


class WithdrawForm(FlaskForm):
    withdrawn_on = DateInputField(_l("Datum van intrekking"),
                                  validators=[InputRequired(message=_l("Vul de datum van intrekking in.")), not_in_future])


class ReopenReportForm(FlaskForm):
    reason = TextAreaField(_l("Reden voor heropenen"),
                           description=_l("De beheerders van de organisatie krijgen deze reden per e-mail."),
                           validators=[DataRequired(message=_l("Geef een reden op.")),
                                       Length(min=5, max=1000, message=_l("Gebruik 5 tot 1000 tekens."))])


class GoalForm(Form):
    theme_id = HiddenField()
    current_step = SelectField(_l("Huidige trede"), coerce=int, choices=step_choices(_l("Niet opgenomen in het plan")),
                               description=_l("Waar staat uw organisatie nu? Laat leeg als u dit doel niet opneemt."))
    target_step = SelectField(_l("Doeltrede"), coerce=int, choices=step_choices(_l("Kies een doeltrede")))
    ambition = TextAreaField(_l("Ambitie"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    measures = TextAreaField(_l("Maatregelen"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3},
                             description=_l("Wat gaat u doen om de doeltrede te bereiken?"))
    target_description = StringField(_l("Meetbaar doel"), validators=[Optional(), Length(max=300)],
                                     description=_l("Bijvoorbeeld: aandeel circulair ingekochte kantoorinrichting."))
    target_share = DecimalCommaField(_l("Streefaandeel (%)"), validators=[
        Optional(), InRange(0, 100, _l("Vul een percentage tussen 0 en 100 in."))])
    target_year = DutchIntegerField(_l("Te bereiken in jaar"), validators=[
        Optional(), InRange(2000, 2100, _l("Vul een jaartal in, bijvoorbeeld 2025."))])
    owner = StringField(_l("Eigenaar"), validators=[Optional(), Length(max=200)],
                        description=_l("Wie is verantwoordelijk, bijvoorbeeld het team Inkoop en Contractmanagement."))

    @property
    def included(self) -> bool:
        return bool(self.current_step.data)

    def validate_target_step(self, field) -> None:
        if not self.current_step.data:
            return
        if not field.data:
            raise ValidationError(_l("Kies een doeltrede."))
        if field.data < self.current_step.data:
            raise ValidationError(_l("De doeltrede kan niet lager zijn dan de huidige trede."))


class PlanForm(FlaskForm):
    summary = TextAreaField(_l("Inleiding"), validators=[Optional(), Length(max=10000)], render_kw={"rows": 5},
                            description=_l("Waarom en hoe uw organisatie maatschappelijk verantwoord inkoopt."))
    goals = FieldList(FormField(GoalForm))

    def validate_goals(self, field) -> None:
        if not any(entry.form.included for entry in field.entries):
            raise ValidationError(_l("Kies bij minstens één maatschappelijk doel de huidige trede."))


class ProgressForm(Form):
    theme_id = HiddenField()
    step_reached = SelectField(_l("Bereikte trede"), coerce=int, choices=step_choices(_l("Kies een trede")))
    done = TextAreaField(_l("Wat is er gedaan?"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    share_reached = DecimalCommaField(_l("Bereikt aandeel (%)"), validators=[
        Optional(), InRange(0, 100, _l("Vul een percentage tussen 0 en 100 in."))])
    next_steps = TextAreaField(_l("Volgende stappen"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})


class ReportForm(FlaskForm):
    summary = TextAreaField(_l("Samenvatting"), validators=[Optional(), Length(max=10000)], render_kw={"rows": 4},
                            description=_l("Wat ging goed, wat ging minder goed en wat leert u ervan?"))
    progress = FieldList(FormField(ProgressForm))

    def check_complete(self, goal_names: list[str]) -> bool:
        """Before submitting: every goal needs the step reached and what was done."""
        ok = True
        for entry, name in zip(self.progress.entries, goal_names):
            if not entry.form.step_reached.data:
                entry.form.step_reached.errors = list(entry.form.step_reached.errors) + [
                    str(_l("Kies bij %(goal)s de bereikte trede.", goal=name))]
                ok = False
            if not (entry.form.done.data or "").strip():
                entry.form.done.errors = list(entry.form.done.errors) + [
                    str(_l("Beschrijf bij %(goal)s wat er is gedaan.", goal=name))]
                ok = False
        return ok


class DueDateForm(FlaskForm):
    month = SelectField(_l("Maand"), coerce=int, choices=[SelectChoice(n, label) for n, label in MONTHS])
    day = DutchIntegerField(_l("Dag"), validators=[InputRequired(message=_l("Vul de dag in.")),
                                                  InRange(1, 31, _l("Vul een dag van 1 tot en met 31 in."))])
