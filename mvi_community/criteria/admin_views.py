"""Coordinator pages: the feedback queue, the draft of the next version, publishing, settings."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.forms import flash_service_error, show_service_error
from mvi_community.core.i18n import current_locale
from mvi_community.core.params import bounded_int
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.taxonomy import active_product_groups, active_themes
from mvi_community.criteria import bp, services
from mvi_community.criteria.forms import CriterionForm, DraftForm, HandleFeedbackForm, SettingsForm
from mvi_community.criteria.models import FEEDBACK_OPEN, FEEDBACK_STATUSES, Criterion
from mvi_community.criteria.services import catalogue, editing
from mvi_community.criteria.views import _context
from mvi_community.extensions import db


@bp.get("/beheer")
@login_required
def manage():
    require(is_coordinator(current_user))
    status = request.args.get("status", FEEDBACK_OPEN)
    status = status if status in FEEDBACK_STATUSES or status == "alle" else FEEDBACK_OPEN
    current = catalogue.current_version()
    draft_form = DraftForm()
    if current is not None:
        draft_form.year.data = current.year + 1
    return render_template("criteria/manage.html", **_context(
        queue=editing.feedback_queue(current_user, None if status == "alle" else status), status=status,
        current=current, draft=editing.draft_version(), draft_form=draft_form,
        handle_form=HandleFeedbackForm(), window=services.feedback_window()))


@bp.post("/beheer/feedback/<int:feedback_id>")
@login_required
def handle_feedback(feedback_id: int):
    require(is_coordinator(current_user))
    form = HandleFeedbackForm()
    if not form.validate_on_submit():
        flash(_("Kies een besluit en schrijf een reactie aan de indiener."), "error")
        return redirect(url_for("criteria.manage") + f"#feedback-{feedback_id}")
    try:
        editing.handle_feedback(current_user, feedback_id, form.status.data, form.response.data)
    except ServiceError as error:
        flash_service_error(error)
    else:
        flash(_("De feedback is behandeld."), "success")
    return redirect(url_for("criteria.manage"))


@bp.post("/beheer/concept")
@login_required
def start_draft():
    require(is_coordinator(current_user))
    form = DraftForm()
    if form.validate_on_submit():
        try:
            draft = editing.start_draft(current_user, form.year.data, form.notes.data)
        except ServiceError as error:
            flash_service_error(error)
        else:
            flash(_("Conceptversie %(year)s staat klaar: een kopie van de huidige criteria.", year=draft.year),
                  "success")
            return redirect(url_for("criteria.draft"))
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("criteria.manage"))


def _draft():
    require(is_coordinator(current_user))
    draft = editing.draft_version()
    if draft is None:
        raise NotFound(_("Er is geen conceptversie. Begin er een op de beheerpagina."))
    return draft


@bp.get("/beheer/concept")
@login_required
def draft():
    version = _draft()
    current = catalogue.current_version()
    result = catalogue.compare_versions(current, version) if current is not None else None
    criteria = catalogue.criteria_of(version)
    # Labels for the draft's criteria: a group deactivated since still names its criteria.
    groups = {g.id: g for g in active_product_groups(keep={c.product_group_id for c in criteria})}
    return render_template("criteria/draft.html", **_context(
        version=version, criteria=criteria, result=result, current=current,
        open_feedback=editing.open_feedback_count(), groups=groups))


@bp.post("/beheer/concept/publiceren")
@login_required
def publish():
    version = _draft()
    try:
        editing.publish(current_user, version)
    except ServiceError as error:
        flash_service_error(error)
        return redirect(url_for("criteria.draft"))
    flash(_("Versie %(year)s is gepubliceerd. Inkopers zien nu wat er is veranderd.", year=version.year), "success")
    return redirect(url_for("criteria.version_changes", year=version.year))


def _criterion_form(version, criterion=None):
    form = CriterionForm(obj=criterion)
    keep_group = [criterion.product_group_id] if criterion is not None else ()
    form.product_group.choices = [(0, _("Kies een productgroep"))] + [
        (g.id, g.name(current_locale())) for g in active_product_groups(keep=keep_group)]
    form.themes.choices = [(t.id, t.name(current_locale()))
                           for t in active_themes(keep=[t.id for t in criterion.themes] if criterion is not None else ())]
    if request.method == "GET":
        if criterion is not None:
            form.product_group.data = criterion.product_group_id
            form.themes.data = [t.id for t in criterion.themes]
        elif bounded_int(request.args.get("productgroep"), minimum=1):
            form.product_group.data = bounded_int(request.args.get("productgroep"), minimum=1)
    if form.validate_on_submit():
        data = editing.CriterionData(
            product_group_id=form.product_group.data, type=form.type.data, level=form.level.data,
            title=form.title.data, text_nl=form.text_nl.data, verification_nl=form.verification_nl.data,
            theme_ids=form.themes.data or [], text_en=form.text_en.data, verification_en=form.verification_en.data,
            weight_percent=form.weight_percent.data, discount_eur=form.discount_eur.data,
            discount_basis=form.discount_basis.data, eu_gpp_reference=form.eu_gpp_reference.data,
            change_note=form.change_note.data, number=form.number.data)
        try:
            saved = editing.save_criterion(current_user, version, data, criterion)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Criterium %(number)s is opgeslagen in conceptversie %(year)s.", number=saved.number,
                    year=version.year), "success")
            return redirect(url_for("criteria.draft") + f"#c-{saved.number}")
    return render_template("criteria/criterion_form.html", **_context(form=form, version=version, item=criterion))


@bp.route("/beheer/concept/criteria/nieuw", methods=["GET", "POST"])
@login_required
def new_criterion():
    return _criterion_form(_draft())


@bp.route("/beheer/concept/criteria/<int:criterion_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_criterion(criterion_id: int):
    version = _draft()
    criterion = db.session.get(Criterion, criterion_id)
    if criterion is None or criterion.version_id != version.id:
        raise NotFound()
    return _criterion_form(version, criterion)


@bp.post("/beheer/concept/criteria/<int:criterion_id>/verwijderen")
@login_required
def remove_criterion(criterion_id: int):
    version = _draft()
    try:
        number = editing.remove_criterion(current_user, version, criterion_id)
    except ServiceError as error:
        flash_service_error(error)
    else:
        flash(_("Criterium %(number)s is uit de conceptversie gehaald.", number=number), "success")
    return redirect(url_for("criteria.draft"))


@bp.route("/beheer/instellingen", methods=["GET", "POST"])
@login_required
def settings():
    require(is_coordinator(current_user))
    values = services.get_settings()
    form = SettingsForm()
    if request.method == "GET":
        (form.start_month.data, form.start_day.data) = services.parse_month_day(values["feedback_start"])
        (form.end_month.data, form.end_day.data) = services.parse_month_day(values["feedback_end"])
    if form.validate_on_submit():
        try:
            services.parse_month_day(f"{form.start_month.data}-{form.start_day.data}")
            services.parse_month_day(f"{form.end_month.data}-{form.end_day.data}")
            services.save_settings(current_user, (form.start_month.data, form.start_day.data),
                                   (form.end_month.data, form.end_day.data))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De feedbackperiode is opgeslagen."), "success")
            return redirect(url_for("criteria.manage"))
    return render_template("criteria/settings.html", **_context(form=form, window=services.feedback_window()))
