"""Forms for sign-in, account requests, invitations, passwords, profiles and roles."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    SelectChoice,
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, EqualTo, Length, NumberRange, Optional, Regexp

from mvi_community.accounts.importer import PROVINCES
from mvi_community.accounts.models import ORGANISATION_TYPES
from mvi_community.core.forms import StrongPassword

LOCALES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]

ORGANISATION_TYPE_LABELS = {
    "rijk": _l("Rijk (ministerie)"),
    "provincie": _l("Provincie"),
    "gemeente": _l("Gemeente"),
    "waterschap": _l("Waterschap"),
    "uitvoeringsorganisatie": _l("Uitvoeringsorganisatie"),
    "overig": _l("Overig"),
}
ROLE_LABELS = {"member": _l("Lid"), "org_admin": _l("Beheerder van de organisatie")}

def organisation_select_choices(organisations) -> list[SelectChoice]:
    """A "choose" option, then the organisations grouped by type (rendered as optgroups)."""
    return [SelectChoice(0, _l("Kies een organisatie"))] + [
        SelectChoice(o.id, o.name, optgroup=str(ORGANISATION_TYPE_LABELS.get(o.type, o.type))) for o in organisations
    ]


EMAIL_REQUIRED = DataRequired(message=_l("Vul uw e-mailadres in."))
EMAIL_VALID = Email(message=_l("Vul een geldig e-mailadres in, zoals naam@gemeente.nl."), check_deliverability=False)


def _password_fields(label=None):
    password = PasswordField(
        label or _l("Wachtwoord"),
        validators=[DataRequired(message=_l("Kies een wachtwoord.")), Length(max=200), StrongPassword("email")],
        description=_l("Minstens 10 tekens. Een zin van een paar woorden is sterk en goed te onthouden."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Herhaal het wachtwoord"),
        validators=[DataRequired(message=_l("Herhaal het wachtwoord.")), EqualTo("password", message=_l("De wachtwoorden zijn niet gelijk."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[EMAIL_REQUIRED, Length(max=320)], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(message=_l("Vul uw wachtwoord in."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Ingelogd blijven op dit apparaat"))
    next = HiddenField()


class AccountRequestForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(message=_l("Vul uw naam in.")), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("E-mailadres"), validators=[EMAIL_REQUIRED, EMAIL_VALID, Length(max=320)],
                       description=_l("Gebruik het e-mailadres van uw werk."), render_kw={"autocomplete": "email"})
    organisation = SelectField(_l("Organisatie"), coerce=int, validate_choice=True,
                               validators=[DataRequired(message=_l("Kies uw organisatie."))],
                               description=_l("Staat uw organisatie er niet bij? Neem contact op met het secretariaat."))
    job_title = StringField(_l("Functie"), validators=[Optional(), Length(max=200)],
                            render_kw={"autocomplete": "organization-title"})
    motivation = TextAreaField(_l("Toelichting"), validators=[Optional(), Length(max=2000)],
                               description=_l("Waarvoor wilt u het platform gebruiken?"))
    password, password_confirm = _password_fields()
    locale = SelectField(_l("Voorkeurstaal"), choices=LOCALES, default="nl")

    def set_organisations(self, organisations) -> None:
        self.organisation.choices = organisation_select_choices(organisations)


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[EMAIL_REQUIRED, EMAIL_VALID, Length(max=320)],
                       render_kw={"autocomplete": "email"})


class ResetPasswordForm(FlaskForm):
    email = HiddenField()
    password, password_confirm = _password_fields(_l("Nieuw wachtwoord"))


class AcceptInvitationForm(FlaskForm):
    email = HiddenField()
    name = StringField(_l("Naam"), validators=[DataRequired(message=_l("Vul uw naam in.")), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    password, password_confirm = _password_fields()


class AcceptExistingForm(FlaskForm):
    pass


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[EMAIL_REQUIRED, EMAIL_VALID, Length(max=320)])
    name = StringField(_l("Naam"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Rol"), choices=[SelectChoice(k, v) for k, v in ROLE_LABELS.items()], default="member")


class ProfileForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(message=_l("Vul uw naam in.")), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    locale = SelectField(_l("Voorkeurstaal"), choices=LOCALES)


class ChangePasswordForm(FlaskForm):
    email = HiddenField()
    current_password = PasswordField(_l("Huidig wachtwoord"), validators=[DataRequired(message=_l("Vul uw huidige wachtwoord in."))],
                                     render_kw={"autocomplete": "current-password"})
    password, password_confirm = _password_fields(_l("Nieuw wachtwoord"))


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("Reden (wordt naar de aanvrager gestuurd)"), validators=[Optional(), Length(max=2000)])


class PlatformRolesForm(FlaskForm):
    is_coordinator = BooleanField(_l("Coördinator (secretariaat)"))
    active = BooleanField(_l("Account actief"))


class MembershipForm(FlaskForm):
    organisation = SelectField(_l("Organisatie"), coerce=int, validators=[DataRequired(message=_l("Kies een organisatie."))])
    role = SelectField(_l("Rol"), choices=[SelectChoice(k, v) for k, v in ROLE_LABELS.items()], default="member")


class MemberRoleForm(FlaskForm):
    role = SelectField(_l("Rol"), choices=[SelectChoice(k, v) for k, v in ROLE_LABELS.items()] + [SelectChoice("", _l("Verwijderen uit organisatie"))])


class OrganisationForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(message=_l("Vul een code in.")), Length(max=20),
                       Regexp(r"^[a-z][a-z0-9-]{1,19}$", message=_l("Gebruik kleine letters en cijfers, zoals gm0363."))],
                       description=_l("CBS/TOOI-code, bijvoorbeeld gm0363 voor Amsterdam of pv27 voor Noord-Holland."))
    name = StringField(_l("Naam"), validators=[DataRequired(message=_l("Vul de naam in.")), Length(max=200)])
    type = SelectField(_l("Soort organisatie"), choices=[SelectChoice(t, ORGANISATION_TYPE_LABELS[t]) for t in ORGANISATION_TYPES])
    kvk = StringField(_l("KvK-nummer"), validators=[Optional(), Regexp(r"^\d{8}$", message=_l("Een KvK-nummer heeft 8 cijfers."))])
    oin = StringField(_l("OIN"), validators=[Optional(), Regexp(r"^\d{20}$", message=_l("Een OIN heeft 20 cijfers."))])
    province = SelectField(_l("Provincie"), validators=[Optional()], choices=[SelectChoice("", _l("Geen / landelijk"))] + [SelectChoice(p, p) for p in PROVINCES])
    population = IntegerField(_l("Inwonertal"), validators=[Optional(), NumberRange(min=1, message=_l("Vul een positief getal in."))],
                              description=_l("Alleen voor gemeenten; bepaalt de grootteklasse."))
    website = URLField(_l("Website"), validators=[Optional(), URL(message=_l("Vul een geldig webadres in, beginnend met https://."))])
