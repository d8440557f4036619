"""Forms for communities, members, discussions and meetings (Dutch labels, translated with _l)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional

TRACK_LABELS = {"verdieping": _l("Verdieping (koplopers)"), "verbreding": _l("Verbreding (nieuwkomers)")}
POLICY_LABELS = {
    "open": _l("Open: iedereen met een account kan lid worden"),
    "request": _l("Op aanvraag: een moderator beslist"),
    "invitation": _l("Alleen op uitnodiging"),
}
NOTIFY_LABELS = {
    "direct": _l("Direct: een e-mail bij elke nieuwe reactie"),
    "digest": _l("Dagelijks overzicht: één e-mail per dag"),
    "off": _l("Geen e-mail"),
}
KIND_LABELS = {"discussion": _l("Discussie"), "question": _l("Vraag (met een beste antwoord)")}
ROLE_LABELS = {"member": _l("Lid"), "moderator": _l("Moderator")}


class MultiCheckboxField(SelectMultipleField):
    """Rendered as a group of checkboxes (templates/communities/_macros.html: checkbox_group)."""


class CommunityForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(message=_l("Geef de community een naam.")), Length(max=200)])
    description = TextAreaField(_l("Beschrijving"), validators=[Optional(), Length(max=10_000)],
                                description=_l("Waar gaat de community over, en voor wie is zij? Markdown mag."),
                                render_kw={"rows": 6})
    track = SelectField(_l("Spoor"), choices=[SelectChoice(k, v) for k, v in TRACK_LABELS.items()])
    membership_policy = SelectField(_l("Lidmaatschap"), choices=[SelectChoice(k, v) for k, v in POLICY_LABELS.items()])
    themes = MultiCheckboxField(_l("Thema's"), coerce=int, validate_choice=True)


class WorkingGroupForm(FlaskForm):
    name = StringField(_l("Naam van de werkgroep"),
                       validators=[DataRequired(message=_l("Geef de werkgroep een naam.")), Length(max=200)])
    description = TextAreaField(_l("Beschrijving"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})


class JoinForm(FlaskForm):
    motivation = TextAreaField(_l("Waarom wilt u lid worden?"), validators=[Optional(), Length(max=2000)],
                               description=_l("De moderator leest dit bij uw aanmelding."), render_kw={"rows": 3})


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[
        DataRequired(message=_l("Vul een e-mailadres in.")),
        Email(message=_l("Vul een geldig e-mailadres in, zoals naam@gemeente.nl."), check_deliverability=False),
        Length(max=320)],
        description=_l("Deze persoon heeft al een account op MVI Community."))


class MemberProfileForm(FlaskForm):
    intro = TextAreaField(_l("Over mij"), validators=[Optional(), Length(max=2000)],
                          description=_l("Waar werkt u aan? Wat kunt u anderen bieden?"), render_kw={"rows": 4})
    themes = MultiCheckboxField(_l("Mijn thema's"), coerce=int, validate_choice=True)
    notify = SelectField(_l("E-mail over gevolgde discussies"),
                         choices=[SelectChoice(k, v) for k, v in NOTIFY_LABELS.items()])


class ThreadForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(message=_l("Geef de discussie een titel.")),
                                                 Length(max=200)])
    kind = SelectField(_l("Soort"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    working_group = SelectField(_l("Werkgroep"), coerce=int, validate_choice=True)
    body = TextAreaField(_l("Bericht"), validators=[DataRequired(message=_l("Schrijf een bericht.")),
                                                    Length(max=20_000)],
                         description=_l("U kunt Markdown gebruiken: **vet**, *cursief*, lijstjes en links."),
                         render_kw={"rows": 8})


class PostForm(FlaskForm):
    body = TextAreaField(_l("Uw reactie"), validators=[DataRequired(message=_l("Schrijf een bericht.")),
                                                       Length(max=20_000)],
                         description=_l("U kunt Markdown gebruiken: **vet**, *cursief*, lijstjes en links."),
                         render_kw={"rows": 6})


class MeetingForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(message=_l("Geef de bijeenkomst een titel.")),
                                                 Length(max=200)])
    working_group = SelectField(_l("Werkgroep"), coerce=int, validate_choice=True)
    day = DateField(_l("Datum"), validators=[DataRequired(message=_l("Vul een geldige datum in."))])
    start = TimeField(_l("Begintijd"), validators=[DataRequired(message=_l("Vul een geldige begintijd in."))],
                      description=_l("Nederlandse tijd"))
    end = TimeField(_l("Eindtijd"), validators=[DataRequired(message=_l("Vul een geldige eindtijd in."))],
                    description=_l("Nederlandse tijd"))
    location = StringField(_l("Plaats"), validators=[Optional(), Length(max=300)],
                           description=_l("Adres of gebouw; laat leeg voor een online bijeenkomst."))
    online_url = URLField(_l("Link voor online deelname"), validators=[
        Optional(), URL(message=_l("Vul een geldige link in, zoals https://…")), Length(max=500)],
        description=_l("Alleen leden van de community zien deze link."))
    capacity = IntegerField(_l("Maximaal aantal deelnemers"), validators=[
        Optional(), NumberRange(min=1, max=10_000, message=_l("Vul een aantal van 1 tot 10.000 in."))],
        description=_l("Laat leeg als er geen maximum is. Wie zich aanmeldt als het vol is, komt op de wachtlijst."))
    agenda = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=10_000)],
                           description=_l("U kunt Markdown gebruiken."), render_kw={"rows": 6})


def working_group_choices(community) -> list[SelectChoice]:
    return [SelectChoice(0, _l("Hele community"))] + [SelectChoice(g.id, g.name) for g in community.working_groups]


def theme_choices(themes, locale: str) -> list[SelectChoice]:
    return [SelectChoice(t.id, t.name(locale)) for t in themes]
