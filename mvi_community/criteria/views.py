"""Criteria pages: product groups in clusters, criteria with filters, the selection builder and saved
selections with exports, criterion history and feedback, versions and what changed."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mvi_community.core.errors import NotFound, PermissionDenied, ServiceError
from mvi_community.core.forms import button_action, flash_service_error, show_service_error
from mvi_community.core.i18n import current_locale
from mvi_community.core.params import bounded_int
from mvi_community.criteria import bp, services
from mvi_community.criteria.forms import (
    AttachCaseForm,
    AttachRequestForm,
    FeedbackForm,
    SelectionForm,
)
from mvi_community.criteria.models import (
    FEEDBACK_STATUSES,
    LEVEL_CODES,
    LEVEL_DESCRIPTIONS,
    LEVELS,
    TYPES,
)
from mvi_community.criteria.services import catalogue, editing, exports, selections


def _context(**values):
    values.setdefault("levels", LEVELS)
    values.setdefault("level_descriptions", LEVEL_DESCRIPTIONS)
    values.setdefault("types", TYPES)
    values.setdefault("feedback_statuses", FEEDBACK_STATUSES)
    values.setdefault("locale", current_locale())
    return values


def _levels_from_args() -> list[int]:
    chosen = []
    for value in request.args.getlist("niveau"):
        level = LEVEL_CODES.get(value) or bounded_int(value, minimum=min(LEVELS), maximum=max(LEVELS))
        if level and level not in chosen:
            chosen.append(level)
    return sorted(chosen)


def _download(data: bytes | str, filename: str, mimetype: str) -> Response:
    if isinstance(data, str):
        data = "\ufeff" + data
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/")
def index():
    version = catalogue.current_version()
    return render_template("criteria/index.html", **_context(
        version=version, clusters=catalogue.clusters_overview(version), window=services.feedback_window()))


@bp.route("/productgroepen/<code>", methods=["GET", "POST"])
def product_group(code: str):
    group = catalogue.get_product_group(code)
    year = bounded_int(request.args.get("versie"), minimum=1)
    version = catalogue.get_version(current_user, year) if year else catalogue.current_version()
    if version is None:
        raise NotFound(_("Er zijn nog geen criteria gepubliceerd."))
    levels = _levels_from_args()
    chosen_types = [t for t in request.args.getlist("type") if t in TYPES]
    criteria = catalogue.criteria_of(version, group, levels or None, chosen_types or None)
    form = None
    organisations = [m.organisation for m in current_user.memberships] if current_user.is_authenticated else []
    if organisations and version.published:
        form = SelectionForm()
        form.organisation.choices = [(o.id, o.name) for o in organisations]
        form.numbers.choices = [(c.number, c.number) for c in criteria]
        if request.method == "GET":
            form.organisation.data = organisations[0].id
            level_names = ", ".join(str(LEVELS[level]).lower() for level in levels)
            form.name.data = f"{group.name(current_locale())} – {level_names}" if levels else group.name(current_locale())
        if form.validate_on_submit():
            organisation = next(o for o in organisations if o.id == form.organisation.data)
            try:
                selection = selections.create_selection(current_user, organisation, version, group,
                                                        form.numbers.data, form.name.data)
            except ServiceError as error:
                show_service_error(form, error)
            else:
                flash(_("De selectie %(name)s is opgeslagen.", name=selection.name), "success")
                return redirect(url_for("criteria.selection", selection_id=selection.id))
    elif request.method == "POST":
        if current_user.is_authenticated:  # signed in, but no organisation or no published version
            raise PermissionDenied(_("Alleen leden van een organisatie kunnen een selectie opslaan, en alleen uit "
                                     "een gepubliceerde versie."))
        return redirect(url_for("accounts.login", next=request.full_path))
    versions = catalogue.versions(current_user)
    return render_template("criteria/product_group.html", **_context(
        group=group, version=version, criteria=criteria, chosen_levels=levels, chosen_types=chosen_types,
        form=form, versions=versions, current=next((v for v in versions if v.published), None),
        window=services.feedback_window()))


@bp.route("/criterium/<number>", methods=["GET", "POST"])
def criterion(number: str):
    history = catalogue.criterion_history(current_user, number)
    latest_published = next((c for c in history if c.version.published), None)
    window = services.feedback_window()
    form = None
    if current_user.is_authenticated and editing.can_comment(current_user) and window.open and latest_published:
        form = FeedbackForm()
        if form.validate_on_submit():
            try:
                editing.add_feedback(current_user, latest_published, form.body.data)
            except ServiceError as error:
                show_service_error(form, error)
            else:
                flash(_("Dank u wel. Het secretariaat neemt uw feedback mee in de volgende versie."), "success")
                return redirect(url_for("criteria.criterion", number=number) + "#feedback")
    return render_template("criteria/criterion.html", **_context(
        history=history, criterion=history[0], latest=latest_published, window=window, form=form,
        feedback=editing.feedback_for(number) if current_user.is_authenticated else []))


@bp.get("/versies")
def versions():
    return render_template("criteria/versions.html", **_context(versions=catalogue.versions(current_user),
                                                                current=catalogue.current_version()))


@bp.get("/versies/<int:year>")
def version_changes(year: int):
    version = catalogue.get_version(current_user, year)
    against = bounded_int(request.args.get("sinds"), minimum=1)
    old = (catalogue.get_version(current_user, against) if against and against < year
           else catalogue.previous_version(version))
    group_code = request.args.get("productgroep")
    group = catalogue.get_product_group(group_code) if group_code else None
    result = catalogue.compare_versions(old, version, group) if old is not None and old.year < version.year else None
    return render_template("criteria/changes.html", **_context(
        version=version, old=old, result=result, group=group, versions=catalogue.versions(current_user)))


# --- saved selections ------------------------------------------------------------------------

@bp.get("/selecties")
@login_required
def my_selections():
    organisations = [m.organisation for m in current_user.memberships]
    if not organisations:
        return render_template("criteria/selections.html", **_context(organisation=None, organisations=[],
                                                                      page=None, current=None))
    code = request.args.get("organisatie")
    organisation = next((o for o in organisations if o.code == code), organisations[0])
    return render_template("criteria/selections.html", **_context(
        organisation=organisation, organisations=organisations,
        page=selections.organisation_selections(current_user, organisation,
                                                bounded_int(request.args.get("page"), minimum=1) or 1),
        current=catalogue.current_version()))


def _selection_page(selection, request_form=None, case_form=None):
    group_criteria = catalogue.criteria_of(selection.version, selection.product_group)
    criteria = selections.selection_criteria(selection, group_criteria)
    can_edit = selections.can_edit(current_user, selection)
    links = selections.links_of(current_user, selection)
    request_form = request_form or AttachRequestForm(prefix="req")
    case_form = case_form or AttachCaseForm(prefix="case")
    if can_edit:
        request_form.request.choices = [(r.id, f"#{r.id} {r.title}") for r in links.attachable_requests]
        case_form.case.choices = [(c.id, c.title) for c in links.attachable_cases]
    return render_template("criteria/selection.html", **_context(
        selection=selection, criteria=criteria, can_edit=can_edit,
        changes=selections.changes_since(selection, group_criteria), request_form=request_form, case_form=case_form,
        linked_requests=links.requests, linked_cases=links.cases))


@bp.get("/selecties/<int:selection_id>")
@login_required
def selection(selection_id: int):
    return _selection_page(selections.get_selection(current_user, selection_id))


@bp.get("/selecties/<int:selection_id>/afdrukken")
@login_required
def selection_print(selection_id: int):
    selection = selections.get_selection(current_user, selection_id)
    return render_template("criteria/selection_print.html", **_context(
        selection=selection, criteria=selections.selection_criteria(selection)))


@bp.get("/selecties/<int:selection_id>.<fmt>")
@login_required
def selection_export(selection_id: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    selection = selections.get_selection(current_user, selection_id)
    criteria = selections.selection_criteria(selection)
    name = f"mvi-criteria-{selection.product_group.code}-{selection.version.year}-selectie-{selection.id}"
    if fmt == "csv":
        header, rows = exports.selection_rows(selection, criteria, current_locale())
        return _download(exports.to_csv(header, rows), f"{name}.csv", "text/csv")
    return _download(exports.selection_xlsx(selection, criteria, current_locale()), f"{name}.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _selection_action(selection_id: int, action, message: str):
    selection = selections.get_selection(current_user, selection_id)
    return button_action(lambda: action(selection), message,
                         url_for("criteria.selection", selection_id=selection_id))[1]


@bp.post("/selecties/<int:selection_id>/bijwerken")
@login_required
def update_selection(selection_id: int):
    selection = selections.get_selection(current_user, selection_id)
    try:
        selection, dropped = selections.update_to_current(current_user, selection)
    except ServiceError as error:
        flash_service_error(error)
    else:
        flash(_("De selectie gebruikt nu versie %(year)s.", year=selection.version.year), "success")
        if dropped:
            flash(_("Deze criteria bestaan niet meer en zijn uit de selectie gehaald: %(numbers)s.",
                    numbers=", ".join(dropped)), "warning")
    return redirect(url_for("criteria.selection", selection_id=selection_id))


@bp.post("/selecties/<int:selection_id>/verwijderen")
@login_required
def delete_selection(selection_id: int):
    selection = selections.get_selection(current_user, selection_id)
    try:
        selections.delete_selection(current_user, selection)
    except ServiceError as error:
        flash_service_error(error)
        return redirect(url_for("criteria.selection", selection_id=selection_id))
    flash(_("De selectie is verwijderd."), "success")
    return redirect(url_for("criteria.my_selections"))


@bp.post("/selecties/<int:selection_id>/hulpvragen")
@login_required
def attach_request(selection_id: int):
    selection = selections.get_selection(current_user, selection_id)
    form = AttachRequestForm(prefix="req")
    form.request.choices = [(r.id, r.title) for r in selections.attachable_requests(current_user, selection)]
    if form.validate_on_submit():
        try:
            selections.attach_to_request(current_user, selection, form.request.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De selectie hangt nu aan de hulpvraag."), "success")
            return redirect(url_for("criteria.selection", selection_id=selection_id))
    return _selection_page(selection, request_form=form), 400


@bp.post("/selecties/<int:selection_id>/praktijkvoorbeelden")
@login_required
def attach_case(selection_id: int):
    selection = selections.get_selection(current_user, selection_id)
    form = AttachCaseForm(prefix="case")
    form.case.choices = [(c.id, c.title) for c in selections.attachable_cases(current_user, selection)]
    if form.validate_on_submit():
        try:
            selections.attach_to_case(current_user, selection, form.case.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De selectie staat nu als gebruikte criteria bij het praktijkvoorbeeld."), "success")
            return redirect(url_for("criteria.selection", selection_id=selection_id))
    return _selection_page(selection, case_form=form), 400


@bp.post("/selecties/<int:selection_id>/ontkoppelen/<kind>/<int:target_id>")
@login_required
def detach(selection_id: int, kind: str, target_id: int):
    if kind not in ("request", "case"):
        raise NotFound()
    return _selection_action(selection_id, lambda s: selections.detach(current_user, s, kind, target_id),
                             _("De koppeling is verwijderd."))


from mvi_community.criteria import admin_views  # noqa: F401
