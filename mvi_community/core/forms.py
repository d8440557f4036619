"""Forms and validators shared by several domains."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import DataRequired, ValidationError

COMMON_PASSWORDS = frozenset(
    {
        "welkom01", "welkom123", "wachtwoord", "wachtwoord1", "wachtwoord123", "password", "password1",
        "password123", "1234567890", "12345678901", "qwertyuiop", "letmein123", "zomer2024!", "zomer2025!",
        "voorjaar2025", "amsterdam1", "rotterdam1", "welkomwelkom", "0123456789", "abcdefghij",
    }
)
MIN_PASSWORD_LENGTH = 10


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a password is too weak, or None. Length first (NCSC: long passphrases)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return str(_l("Kies een wachtwoord van minstens %(n)s tekens.", n=MIN_PASSWORD_LENGTH))
    lowered = password.casefold()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        return str(_l("Dit wachtwoord is te makkelijk te raden. Kies een langere zin of een andere combinatie."))
    if email and lowered == email.strip().casefold():
        return str(_l("Uw wachtwoord mag niet gelijk zijn aan uw e-mailadres."))
    return None


class StrongPassword:
    """WTForms validator using `password_problem`; `email_field` names the form's e-mail field."""

    def __init__(self, email_field: str | None = None) -> None:
        self.email_field = email_field

    def __call__(self, form, field) -> None:
        email = form[self.email_field].data if self.email_field and self.email_field in form else None
        problem = password_problem(field.data or "", email)
        if problem:
            raise ValidationError(problem)


def show_service_error(form, error) -> None:
    """Show a service's refusal (`ServiceError`) on the form — under the field it names, else
    above the form — and roll the request back, so that nothing half-done is committed."""
    from mvi_community.core.transaction import rollback_request

    rollback_request()
    if error.field and error.field in form:
        form[error.field].errors = list(form[error.field].errors) + [str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def flash_service_error(error) -> None:
    """For buttons that redirect: show a service's refusal as an error message and roll back.

    A permission refusal or a missing object is not a message on the next page: it is re-raised,
    so the visitor gets the 403/404 page however the view caught it."""
    from flask import flash

    from mvi_community.core.errors import NotFound, PermissionDenied
    from mvi_community.core.transaction import rollback_request

    if isinstance(error, (PermissionDenied, NotFound)):
        raise error
    rollback_request()
    flash(str(error.message), "error")


class LanguageForm(FlaskForm):
    language = SelectField(_l("Taal"), choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")], validators=[DataRequired()])
    next = HiddenField()


def button_action(action, success, target: str):
    """Run a state change from a button and redirect to `target`: on success flash `success` (a
    message, or a function of the action's result giving one);
    a broken rule is flashed and nothing changes; a permission refusal or a missing object is
    the 403/404 page. Returns (the action's result or None, the redirect)."""
    from flask import flash, redirect

    from mvi_community.core.errors import ServiceError

    try:
        result = action()
    except ServiceError as error:
        flash_service_error(error)
        return None, redirect(target)
    message = success(result) if callable(success) else success
    if message:
        flash(message, "success")
    return result, redirect(target)


def form_action(form, action, success, target: str):
    """Save a validated form's change: on success flash `success` (a message, a (message, category)
    pair, or a function of the action's result giving either) and return the redirect to `target`;
    a broken rule shows on the form (`show_service_error`) and None is returned, so the view renders
    the form again. A permission refusal or a missing object is the 403/404 page."""
    from flask import flash, redirect

    from mvi_community.core.errors import NotFound, PermissionDenied, ServiceError

    try:
        result = action()
    except (PermissionDenied, NotFound):
        raise
    except ServiceError as error:
        show_service_error(form, error)
        return None
    message = success(result) if callable(success) else success
    message, category = message if isinstance(message, tuple) else (message, "success")
    if message:
        flash(message, category)
    return redirect(target)
