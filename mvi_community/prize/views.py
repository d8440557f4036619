"""Prize pages under /prize. Views parse the request, call services, render or redirect."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mvi_community.accounts.models import Organisation
from mvi_community.core.errors import ServiceError
from mvi_community.core.forms import (
    button_action,
    flash_service_error,
    form_action,
    show_service_error,
)
from mvi_community.core.params import bounded_int
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.extensions import db
from mvi_community.prize import bp, services
from mvi_community.prize.forms import (
    CasesForm,
    ConflictForm,
    CriterionForm,
    EditionForm,
    JurorForm,
    NominationForm,
    NominationTextForm,
    ScoreForm,
    SettingsForm,
    StatementForm,
    TieForm,
)
from mvi_community.prize.models import DATE_FIELDS
from mvi_community.prize.services import editions as edition_services
from mvi_community.prize.services import jury as jury_services
from mvi_community.prize.services import nominations as nomination_services
from mvi_community.prize.services import replacements as replacement_services
from mvi_community.prize.services import results as result_services
from mvi_community.prize.services import scores as score_services
from mvi_community.prize.services.common import PHASE_LABELS, local, start_of_day


def _ctx(**values):
    values.setdefault("phase_labels", PHASE_LABELS)
    values.setdefault("local", local)
    values.setdefault("is_coordinator", is_coordinator(current_user))
    return values


@bp.get("/")
def index():
    return render_template("prize/index.html", **_ctx(editions=services.list_editions()))


@bp.get("/<int:year>")
def edition(year: int):
    edition = services.get_edition(year)
    juror = services.juror_of(current_user, edition)
    nominations = nomination_services.nominations_of(edition, current_user) \
        if current_user.is_authenticated or edition.published else []
    winners = result_services.compute(edition).winners() if edition.published else []
    return render_template("prize/edition.html", **_ctx(
        edition=edition, juror=juror, nominations=nominations, winners=winners,
        can_nominate=nomination_services.can_nominate(current_user, edition),
        can_view_report=result_services.can_view_report(current_user, edition)))


# --- coordinator: edition, rubric, jury, assignment, close, publish --------------------------

def _form_day(name: str, moment):
    """The day the edit form shows for a stored moment (a closing moment: the day it ends)."""
    moment = local(moment)
    if moment is None:
        return None
    if name in ("nominations_close", "scoring_close"):
        moment = moment - timedelta(seconds=1)
    return moment.date()


def _edition_data(form: EditionForm, year: int, edition=None) -> edition_services.EditionData:
    """Days from the form as moments. A day left as it was keeps the stored moment (so saving
    the form after "Jurering nu sluiten" does not move the close to the end of the day)."""
    dates = {}
    for name in DATE_FIELDS:
        day = getattr(form, name).data
        stored = getattr(edition, name) if edition is not None else None
        if day is None:
            dates[name] = None
        elif stored is not None and _form_day(name, stored) == day:
            dates[name] = stored
        elif name in ("nominations_close", "scoring_close"):  # closes at the end of that day
            dates[name] = start_of_day(day + timedelta(days=1))
        else:
            dates[name] = start_of_day(day)
    return edition_services.EditionData(
        year=year, title=form.title.data, description=form.description.data or None,
        benchmark_year=form.benchmark_year.data, benchmark_weight=form.benchmark_weight.data,
        jurors_per_nomination=form.jurors_per_nomination.data, per_type_categories=form.per_type_categories.data,
        normalise=form.normalise.data, hide_scores_until_submitted=form.hide_scores_until_submitted.data,
        blind=form.blind.data, **dates)


@bp.route("/nieuw", methods=["GET", "POST"])
@login_required
def new_edition():
    require(is_coordinator(current_user))
    form = EditionForm()
    if request.method == "GET":
        form.benchmark_weight.data = 0.3
        form.normalise.data = True
        form.hide_scores_until_submitted.data = True
    if form.validate_on_submit():
        try:
            edition = edition_services.create_edition(current_user, _edition_data(form, form.year.data))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De prijseditie %(year)s is aangemaakt.", year=edition.year), "success")
            return redirect(url_for("prize.edition", year=edition.year))
    return render_template("prize/edition_form.html", **_ctx(form=form, edition=None))


@bp.route("/<int:year>/bewerken", methods=["GET", "POST"])
@login_required
def edit_edition(year: int):
    require(is_coordinator(current_user))
    edition = services.get_edition(year)
    form = EditionForm(obj=edition)
    del form.year  # the year identifies the edition; it does not change
    if request.method == "GET":
        for name in DATE_FIELDS:
            getattr(form, name).data = _form_day(name, getattr(edition, name))
        form.per_type_categories.data = any(c.organisation_type for c in edition.categories)
    if form.validate_on_submit():
        try:
            edition_services.update_edition(current_user, edition, _edition_data(form, year, edition))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De prijseditie is opgeslagen."), "success")
            return redirect(url_for("prize.edition", year=year))
    return render_template("prize/edition_form.html", **_ctx(form=form, edition=edition))


@bp.route("/<int:year>/rubric", methods=["GET", "POST"])
@login_required
def rubric(year: int):
    require(is_coordinator(current_user))
    edition = services.get_edition(year)
    form = CriterionForm()
    if form.validate_on_submit():
        try:
            edition_services.save_criterion(current_user, edition, form.code.data, form.name.data, form.weight.data,
                                            form.description.data or None, form.levels.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Het criterium is opgeslagen."), "success")
            return redirect(url_for("prize.rubric", year=year))
    return render_template("prize/rubric.html", **_ctx(edition=edition, form=form))


@bp.post("/<int:year>/rubric/<code>/verwijderen")
@login_required
def remove_criterion(year: int, code: str):
    edition = services.get_edition(year)
    return button_action(lambda: edition_services.remove_criterion(current_user, edition, code),
                         _("Het criterium is verwijderd."), url_for("prize.rubric", year=year))[1]


@bp.route("/<int:year>/juryleden", methods=["GET", "POST"])
@login_required
def jurors(year: int):
    require(is_coordinator(current_user))
    edition = services.get_edition(year)
    form = JurorForm()
    organisations = db.session.scalars(db.select(Organisation).order_by(Organisation.name)).all()
    form.organisation_id.choices = [(0, _("— geen —"))] + [(o.id, o.name) for o in organisations]
    if form.validate_on_submit():
        try:
            juror = jury_services.invite_juror(current_user, edition, form.email.data, form.name.data,
                                               form.organisation_id.data or None, form.chair.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("%(name)s is uitgenodigd voor de jury.", name=juror.name), "success")
            return redirect(url_for("prize.jurors", year=year))
    return render_template("prize/jurors.html", **_ctx(edition=edition, form=form,
                                                        jury=jury_services.jurors(edition)))


@bp.post("/<int:year>/juryleden/<int:juror_id>/voorzitter")
@login_required
def set_chair(year: int, juror_id: int):
    edition = services.get_edition(year)
    return button_action(lambda: jury_services.set_chair(current_user, edition, juror_id),
                         _("De voorzitter is gewijzigd."), url_for("prize.jurors", year=year))[1]


@bp.get("/<int:year>/toewijzing")
@login_required
def assignment(year: int):
    """Before the release: the proposed assignment; after it: the jurors per nomination, with
    replacements and withdrawals."""
    require(is_coordinator(current_user))
    edition = services.get_edition(year)
    if edition.assignments_released_at is not None:
        return render_template("prize/assignment.html", **_ctx(
            edition=edition, preview=None, staffing=replacement_services.staffing(current_user, edition)))
    return render_template("prize/assignment.html", **_ctx(
        edition=edition, preview=jury_services.assignment_preview(edition), staffing=None))


@bp.post("/<int:year>/toewijzing/vrijgeven")
@login_required
def release(year: int):
    edition = services.get_edition(year)
    return button_action(lambda: jury_services.release_assignments(current_user, edition),
                         lambda count: _("De toewijzing is vrijgegeven: %(count)s beoordelingen.", count=count),
                         url_for("prize.assignment", year=year))[1]


@bp.post("/<int:year>/nominaties/<int:nomination_id>/juryleden")
@login_required
def add_juror(year: int, nomination_id: int):
    edition = services.get_edition(year)
    nomination = services.get_nomination(edition, nomination_id)
    juror_id = bounded_int(request.form.get("juror_id"), 1)
    return button_action(
        lambda: replacement_services.add_juror(current_user, edition, nomination, juror_id),
        lambda assignment: _("%(name)s beoordeelt nu ook %(organisation)s en heeft daarover een e-mail gekregen.",
                             name=assignment.juror.name, organisation=nomination.organisation.name),
        url_for("prize.assignment", year=year, _anchor=f"nominatie-{nomination_id}"))[1]


@bp.post("/<int:year>/nominaties/<int:nomination_id>/juryleden/<int:juror_id>/intrekken")
@login_required
def remove_assignment(year: int, nomination_id: int, juror_id: int):
    edition = services.get_edition(year)
    nomination = services.get_nomination(edition, nomination_id)
    return button_action(
        lambda: replacement_services.remove_assignment(current_user, edition, nomination, juror_id),
        lambda juror: _("De toewijzing van %(name)s aan %(organisation)s is ingetrokken.", name=juror.name,
                        organisation=nomination.organisation.name),
        url_for("prize.assignment", year=year, _anchor=f"nominatie-{nomination_id}"))[1]


@bp.post("/<int:year>/jurering-sluiten")
@login_required
def close_scoring(year: int):
    edition = services.get_edition(year)
    return button_action(lambda: edition_services.close_scoring(current_user, edition),
                         _("De jurering is gesloten; de scores liggen vast."), url_for("prize.edition", year=year))[1]


@bp.route("/<int:year>/juryrapport", methods=["GET", "POST"])
@login_required
def statement(year: int):
    require(is_coordinator(current_user))
    edition = services.get_edition(year)
    form = StatementForm(obj=edition)
    if form.validate_on_submit():
        try:
            edition_services.save_statement(current_user, edition, form.statement.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Het juryrapport is opgeslagen."), "success")
            return redirect(url_for("prize.report", year=year))
    return render_template("prize/statement.html", **_ctx(edition=edition, form=form))


@bp.post("/<int:year>/publiceren")
@login_required
def publish(year: int):
    edition = services.get_edition(year)
    return button_action(lambda: edition_services.publish(current_user, edition),
                         _("De uitslag is gepubliceerd."), url_for("prize.report", year=year))[1]


# --- nominations ------------------------------------------------------------------------------

@bp.route("/<int:year>/nomineren", methods=["GET", "POST"])
@login_required
def nominate(year: int):
    edition = services.get_edition(year)
    form = NominationForm()
    nominators = nomination_services.nominator_choices(current_user)
    if is_coordinator(current_user) and not nominators:
        nominators = nomination_services.nominee_choices()
    form.nominator_organisation_id.choices = [(o.id, o.name) for o in nominators]
    form.nominee_id.choices = [(0, _("— kies een organisatie —"))] + [
        (o.id, o.name) for o in nomination_services.nominee_choices()]
    form.category_code.choices = [(c.code, c.name) for c in edition.categories]
    if not nomination_services.can_nominate(current_user, edition):
        flash(_("Nomineren kan alleen terwijl de nominatieperiode open is."), "error")
        return redirect(url_for("prize.edition", year=year))
    if form.validate_on_submit():
        data = nomination_services.NominationData(
            nominee_id=form.nominee_id.data, nominator_organisation_id=form.nominator_organisation_id.data,
            category_code=form.category_code.data, motivation=form.motivation.data, project=form.project.data,
            evidence=form.evidence.data)
        try:
            nomination, merged = nomination_services.nominate(current_user, edition, data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            if merged:
                flash(_("%(name)s was al genomineerd; uw nominatie is samengevoegd en uw organisatie staat nu als "
                        "ondersteuner vermeld.", name=nomination.organisation.name), "success")
            else:
                flash(_("De nominatie van %(name)s is ingediend.", name=nomination.organisation.name), "success")
            return redirect(url_for("prize.nomination", year=year, nomination_id=nomination.id))
    return render_template("prize/nominate.html", **_ctx(edition=edition, form=form))


@bp.route("/<int:year>/nominaties/<int:nomination_id>", methods=["GET", "POST"])
@login_required
def nomination(year: int, nomination_id: int):
    edition = services.get_edition(year)
    nomination = services.get_nomination(edition, nomination_id)
    require(nomination_services.can_view_nomination(current_user, nomination))
    editable = nomination_services.can_edit_nomination(current_user, nomination)
    cases_form = CasesForm()
    if editable:
        cases_form.case_ids.choices = [(c.id, c.title) for c in nomination_services.linkable_cases(
            current_user, nomination.organisation_id)]
        if cases_form.validate_on_submit():
            try:
                nomination_services.link_cases(current_user, nomination, cases_form.case_ids.data or [])
                if request.files.get("attachment") and request.files["attachment"].filename:
                    nomination_services.add_attachment(current_user, nomination, request.files["attachment"])
            except ServiceError as error:
                show_service_error(cases_form, error)
            else:
                flash(_("De nominatie is bijgewerkt."), "success")
                return redirect(url_for("prize.nomination", year=year, nomination_id=nomination.id))
    juror = services.juror_of(current_user, edition)
    hide_nominator = edition.blind and juror is not None and not is_coordinator(current_user)
    return render_template("prize/nomination.html", **_ctx(
        edition=edition, nomination=nomination, editable=editable, cases_form=cases_form,
        cases=nomination_services.linked_cases(current_user, nomination), hide_nominator=hide_nominator,
        attachments_available=nomination_services.can_download_attachments(current_user, nomination)))


@bp.route("/<int:year>/nominaties/<int:nomination_id>/wijzigen", methods=["GET", "POST"])
@login_required
def edit_nomination(year: int, nomination_id: int):
    edition = services.get_edition(year)
    nomination = services.get_nomination(edition, nomination_id)
    require(nomination_services.can_edit_nomination(current_user, nomination))
    form = NominationTextForm(obj=None if request.method == "POST" else nomination)
    if form.validate_on_submit():
        done = form_action(form, lambda: nomination_services.update_nomination(
            current_user, nomination, form.motivation.data, form.project.data, form.evidence.data),
            lambda changed: _("De nominatie is bijgewerkt.") if changed else _("Er is niets gewijzigd."),
            url_for("prize.nomination", year=year, nomination_id=nomination.id))
        if done:
            return done
    status = 400 if form.is_submitted() else 200
    return render_template("prize/nomination_form.html", **_ctx(edition=edition, nomination=nomination, form=form)), status


@bp.get("/<int:year>/nominaties/<int:nomination_id>/bijlagen/<int:attachment_id>")
@login_required
def attachment(year: int, nomination_id: int, attachment_id: int):
    from mvi_community.core.uploads import send_stored

    edition = services.get_edition(year)
    nomination = services.get_nomination(edition, nomination_id)
    item = nomination_services.get_attachment(current_user, nomination, attachment_id)
    return send_stored(item.stored_name, item.filename, item.content_type)


# --- jury -------------------------------------------------------------------------------------

@bp.get("/<int:year>/jury")
@login_required
def jury(year: int):
    edition = services.get_edition(year)
    juror = services.juror_of(current_user, edition)
    require(juror is not None, _("U bent geen jurylid van deze editie."))
    nominations = jury_services.edition_nominations(edition)
    found = jury_services.conflicts(edition, [juror], nominations)
    assignments = jury_services.juror_assignments(juror)
    return render_template("prize/jury.html", **_ctx(
        edition=edition, juror=juror, nominations=nominations, conflicts=found, assignments=assignments,
        assigned={a.nomination_id for a in assignments}))


@bp.route("/<int:year>/nominaties/<int:nomination_id>/belangenconflict", methods=["GET", "POST"])
@login_required
def conflict(year: int, nomination_id: int):
    edition = services.get_edition(year)
    nomination = services.get_nomination(edition, nomination_id)
    juror = services.juror_of(current_user, edition)
    require(juror is not None, _("U bent geen jurylid van deze editie."))
    form = ConflictForm()
    if form.validate_on_submit():
        try:
            jury_services.declare_conflict(current_user, juror, nomination, form.reason.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Uw belangenconflict met %(name)s is vastgelegd.", name=nomination.organisation.name), "success")
            return redirect(url_for("prize.jury", year=year))
    return render_template("prize/conflict.html", **_ctx(edition=edition, nomination=nomination, form=form))


@bp.route("/<int:year>/nominaties/<int:nomination_id>/scoren", methods=["GET", "POST"])
@login_required
def score(year: int, nomination_id: int):
    edition = services.get_edition(year)
    nomination = services.get_nomination(edition, nomination_id)
    form = ScoreForm()
    errors: list[str] = []
    if form.validate_on_submit():
        entries = {}
        for criterion in edition.criteria:
            raw = request.form.get(f"score_{criterion.id}", "").strip().replace(",", ".")
            version = request.form.get(f"version_{criterion.id}", "").strip()
            try:
                value = float(raw) if raw else None
            except ValueError:
                errors.append(_("%(name)s: vul een getal in.", name=criterion.name))
                continue
            entries[criterion.id] = score_services.Entry(
                value, request.form.get(f"comment_{criterion.id}"), bounded_int(version, 1))
        if not errors:
            submit = request.form.get("action") == "submit"
            try:
                score_services.save_scores(current_user, edition, nomination, entries, submit)
            except ServiceError as error:
                show_service_error(form, error)
            else:
                flash(_("Uw scores zijn ingediend.") if submit else _("Uw concept is opgeslagen."), "success")
                return redirect(url_for("prize.score", year=year, nomination_id=nomination_id))
        else:
            form.form_errors.extend(errors)
    sheet = score_services.scoring_sheet(current_user, edition, nomination)
    return render_template("prize/score.html", **_ctx(
        edition=edition, nomination=nomination, sheet=sheet, form=form,
        posted=request.form if request.method == "POST" else None)), 400 if request.method == "POST" else 200


@bp.get("/<int:year>/uitslag")
def report(year: int):
    edition = services.get_edition(year)
    outcome = result_services.report(current_user, edition)
    return render_template("prize/report.html", **_ctx(
        edition=edition, outcome=outcome, rows=outcome.ranked(), tie_form=TieForm(),
        can_decide=result_services.can_decide_ties(current_user, edition),
        juror_letters=result_services.juror_letters(outcome)))


@bp.post("/<int:year>/gelijke-stand")
@login_required
def tie(year: int):
    edition = services.get_edition(year)
    form = TieForm()
    if form.validate_on_submit():
        members = [m for m in (bounded_int(v, 1) for v in request.form.get("group", "").split(",")) if m is not None]
        positions = {m: bounded_int(request.form.get(f"position_{m}"), 1, 1000) for m in members}
        try:
            if any(p is None for p in positions.values()) or len(set(positions.values())) != len(members):
                raise ServiceError(_("Geef elke nominatie een eigen plaats."))
            result_services.record_tie_decision(current_user, edition, sorted(members, key=positions.get),
                                                request.form.get("note") or None)
            flash(_("De beslissing bij gelijke stand is vastgelegd."), "success")
        except ServiceError as error:
            flash_service_error(error)
    return redirect(url_for("prize.report", year=year))


@bp.route("/instellingen", methods=["GET", "POST"])
@login_required
def settings():
    from mvi_community.accounts.forms import ORGANISATION_TYPE_LABELS

    require(is_coordinator(current_user))
    values = services.get_settings()
    form = SettingsForm(data=values if request.method == "GET" else None)
    form.eligible_types.choices = [(k, v) for k, v in ORGANISATION_TYPE_LABELS.items()]
    if form.validate_on_submit():
        services.save_settings(current_user, {"eligible_types": form.eligible_types.data,
                                              "require_benchmark": form.require_benchmark.data,
                                              "require_manifest": form.require_manifest.data})
        flash(_("De instellingen zijn opgeslagen."), "success")
        return redirect(url_for("prize.settings"))
    return render_template("prize/settings.html", **_ctx(form=form))
