"""Forms for the coordinator's page of themes, product clusters and product groups.

The forms check what a form can (filled in, length, code format); the service checks what needs the
database (a code or name already taken, an existing cluster, the place in the order)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from mvi_community.core.params import bounded_int
from mvi_community.core.taxonomy_services import (
    CODE_MAX_LENGTH,
    CODE_PATTERN,
    GROUP_NAME_MAX_LENGTH,
    THEME_NAME_MAX_LENGTH,
)


def _strip(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class PlaceField(IntegerField):
    """A place in an order (1 = first): a whole number through core.params.bounded_int, so that
    "abc", "²" or a huge number is a Dutch field error, never a 500."""

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        self.data = bounded_int(valuelist[0], minimum=1, maximum=10_000)
        if self.data is None:
            raise ValueError(_l("Vul een heel getal in, 1 of hoger."))


def _name_fields(max_length: int):
    too_long = _l("De naam is te lang (maximaal %(n)s tekens).", n=max_length)
    name_nl = StringField(_l("Naam (Nederlands)"), filters=[_strip],
                          validators=[DataRequired(message=_l("Vul de Nederlandse naam in.")),
                                      Length(max=max_length, message=too_long)])
    name_en = StringField(_l("Naam (Engels)"), filters=[_strip],
                          validators=[DataRequired(message=_l("Vul de Engelse naam in.")),
                                      Length(max=max_length, message=too_long)],
                          description=_l("Getoond aan wie het platform in het Engels gebruikt."))
    return name_nl, name_en


def _code_field(example: str):
    return StringField(
        _l("Code"), filters=[_strip, _lower],
        validators=[DataRequired(message=_l("Vul een code in.")),
                    Length(max=CODE_MAX_LENGTH, message=_l("De code is te lang (maximaal %(n)s tekens).",
                                                           n=CODE_MAX_LENGTH)),
                    Regexp(f"^{CODE_PATTERN.pattern}$",
                           message=_l("Gebruik alleen kleine letters, cijfers en koppeltekens (geen spaties; niet "
                                      "aan het begin of eind), zoals ict-software."))],
        description=_l("Vaste sleutel in adressen en koppelingen, bijvoorbeeld %(example)s. De code kan later niet "
                       "meer worden gewijzigd.", example=example))


def _place_field():
    # The page says the range ("Van 1 tot en met 6") as the field's hint; the service checks it.
    return PlaceField(_l("Plaats in de volgorde"),
                      validators=[InputRequired(message=_l("Vul een plaats in de volgorde in."))])


class ThemeForm(FlaskForm):
    name_nl, name_en = _name_fields(THEME_NAME_MAX_LENGTH)
    position = _place_field()
    active = BooleanField(_l("Actief"), description=_l(
        "Een thema dat niet actief is, staat niet meer in de keuzelijsten. Waar het al gebruikt is, blijft het staan."))


class ClusterForm(FlaskForm):
    name_nl, name_en = _name_fields(GROUP_NAME_MAX_LENGTH)
    position = _place_field()


class NewClusterForm(FlaskForm):
    code = _code_field("zorg")
    name_nl, name_en = _name_fields(GROUP_NAME_MAX_LENGTH)


class ProductGroupForm(FlaskForm):
    name_nl, name_en = _name_fields(GROUP_NAME_MAX_LENGTH)
    # Choices are the clusters, set by the view; the service checks the cluster exists.
    cluster = SelectField(_l("Productcluster"), validate_choice=False,
                          validators=[DataRequired(message=_l("Kies een productcluster."))])
    active = BooleanField(_l("Actief"), default=True, description=_l(
        "Een productgroep die niet actief is, staat niet meer in de keuzelijsten. Praktijkvoorbeelden, criteria en "
        "expertprofielen die haar al hebben, houden haar."))


class NewProductGroupForm(ProductGroupForm):
    code = _code_field("ict-software")
