"""Benchmark pages: the public overview, an organisation's result page with downloads, the
publicity setting, and the coordinator's edition management (methodology, import, compute,
inspect, publish, export).  Views parse the request, call services, render or redirect."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from mvi_community.accounts.models import Organisation
from mvi_community.benchmark import bp, forms, services
from mvi_community.benchmark.importers import notices as notice_importer
from mvi_community.benchmark.importers import values as value_importer
from mvi_community.benchmark.services import pages
from mvi_community.benchmark.services import results as results_service
from mvi_community.benchmark.services.problems import translate_problems
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.forms import flash_service_error, show_service_error
from mvi_community.core.i18n import current_locale
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.transaction import rollback_request
from mvi_community.extensions import db


def _version_arg() -> int | None:
    return request.args.get("versie", type=int)


def _labels(**values):
    values.update(state_labels=forms.STATE_LABELS, status_labels=forms.STATUS_LABELS,
                  source_labels=forms.SOURCE_LABELS, report_source_labels=forms.REPORT_SOURCE_LABELS,
                  direction_labels=forms.DIRECTION_LABELS, peer_group_names=forms.PEER_GROUP_NAMES,
                  imputation_labels=forms.IMPUTATION_LABELS, outlier_labels=forms.OUTLIER_LABELS,
                  normalisation_labels=forms.NORMALISATION_LABELS, aggregation_labels=forms.AGGREGATION_LABELS,
                  peer_group_labels=forms.PEER_GROUP_LABELS, skip_reasons=forms.SKIP_REASONS,
                  indicator_label=pages.indicator_label, format_value=pages.format_value, locale=current_locale(),
                  date_text=pages.date_text, peer_group_name=pages.peer_group_name,
                  ordered_groups=pages.ordered_groups)
    return values


# --- public --------------------------------------------------------------------------------

@bp.get("/")
def index():
    view = pages.overview(current_user, None, None, request.args.get("page", 1, type=int), current_locale())
    return render_template("benchmark/index.html", **_labels(view=view))


@bp.get("/<int:year>")
def edition(year: int):
    view = pages.overview(current_user, year, _version_arg(), request.args.get("page", 1, type=int), current_locale())
    return render_template("benchmark/index.html", **_labels(view=view))


@bp.get("/<int:year>/organisaties/<code>")
def organisation(year: int, code: str):
    view = pages.organisation_view(current_user, year, code, _version_arg(), current_locale())
    form = forms.PublicityForm(results_public=view.public) if view.can_change_publicity else None
    return render_template("benchmark/organisation.html", **_labels(view=view, publicity_form=form))


@bp.get("/<int:year>/organisaties/<code>/resultaten.<fmt>")
def organisation_download(year: int, code: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    view = pages.organisation_view(current_user, year, code, _version_arg(), current_locale())
    name = f"benchmark-{year}-v{view.version.number}-{code}"
    if fmt == "csv":
        return _download("\ufeff" + results_service.export_csv(view.version, view.organisation), f"{name}.csv", "text/csv")
    return _download(results_service.export_xlsx(view.version, view.organisation), f"{name}.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/organisaties/<code>/openbaarheid")
@login_required
def publicity(code: str):
    organisation = db.first_or_404(db.select(Organisation).filter_by(code=code))
    form = forms.PublicityForm()
    if not form.validate_on_submit():
        raise ServiceError(_("Het formulier is niet geldig verstuurd. Probeer het opnieuw."))
    services.set_results_public(current_user, organisation, form.results_public.data)
    flash(_("Uw benchmarkresultaten zijn nu openbaar.") if form.results_public.data
          else _("Uw benchmarkresultaten zijn niet meer openbaar."), "success")
    year = request.form.get("year", type=int)
    if year:
        return redirect(url_for("benchmark.organisation", year=year, code=code))
    return redirect(url_for("benchmark.index"))


def _download(body, filename: str, mimetype: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- coordinator -----------------------------------------------------------------------------

@bp.route("/beheer", methods=["GET", "POST"])
@login_required
def manage():
    require(is_coordinator(current_user))
    form = forms.EditionForm()
    if form.validate_on_submit():
        try:
            edition = services.create_edition(current_user, form.year.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Editie %(year)s is aangemaakt met de standaardmethodologie.", year=edition.year), "success")
            return redirect(url_for("benchmark.manage_edition", year=edition.year))
    return render_template("benchmark/manage.html", **_labels(editions=services.list_editions(), form=form))


@bp.get("/beheer/<int:year>")
@login_required
def manage_edition(year: int):
    status = pages.edition_status(current_user, year)
    return render_template("benchmark/manage_edition.html",
                           **_labels(status=status, edition=status.edition, publish_form=forms.PublishForm()))


@bp.route("/beheer/<int:year>/methodologie", methods=["GET", "POST"])
@login_required
def methodology(year: int):
    require(is_coordinator(current_user))
    edition = services.get_edition(year)
    form = forms.MethodologyForm()
    problems: list[str] = []
    if request.method == "GET":
        form.fill(edition.methodology)
    elif form.validate_on_submit():
        document, problems = form.to_document()
        if document is not None:
            try:
                services.save_methodology(current_user, edition, document)
            except services.MethodologyInvalid as error:
                rollback_request()
                problems = error.problems
            else:
                flash(_("De methodologie van editie %(year)s is opgeslagen.", year=year), "success")
                return redirect(url_for("benchmark.manage_edition", year=year))
        if problems:
            form.document.errors = list(form.document.errors) + [
                ngettext("De methodologie is niet geldig: %(num)s probleem, zie hieronder.",
                         "De methodologie is niet geldig: %(num)s problemen, zie hieronder.", len(problems))]
    return render_template("benchmark/methodology_form.html",
                           **_labels(edition=edition, form=form, problems=translate_problems(problems)))


@bp.route("/beheer/<int:year>/import", methods=["GET", "POST"])
@login_required
def import_data(year: int):
    require(is_coordinator(current_user))
    edition = services.get_edition(year)
    notice_form = forms.NoticeUploadForm(prefix="notices")
    csv_form = forms.CsvUploadForm(prefix="csv")
    report = None
    csv_outcome = None
    if request.method == "POST":
        if "notices-file" in request.files and notice_form.validate_on_submit():
            upload = notice_form.file.data
            data = upload.read()
            report = notice_importer.import_notices(
                current_user, edition, notice_importer.documents_from_upload(upload.filename or "upload", data),
                label=upload.filename)
            flash(_("De aankondigingen zijn verwerkt. Bekijk het importverslag hieronder."), "success")
        elif "csv-file" in request.files and csv_form.validate_on_submit():
            upload = csv_form.file.data
            csv_outcome = value_importer.import_csv(current_user, edition, upload.read(), filename=upload.filename)
            if csv_outcome.ok:
                report = csv_outcome.report
                flash(_("Het CSV-bestand is ingelezen: %(new)s nieuwe en %(changed)s gewijzigde waarden.",
                        new=csv_outcome.created, changed=csv_outcome.updated), "success")
            else:
                rollback_request()
                csv_form.file.errors = list(csv_form.file.errors) + [
                    ngettext("Het bestand is niet ingelezen: %(num)s regel met fouten, zie het verslag.",
                             "Het bestand is niet ingelezen: %(num)s regels met fouten, zie het verslag.",
                             len(csv_outcome.problems))]
    return render_template("benchmark/import.html", **_labels(
        edition=edition, notice_form=notice_form, csv_form=csv_form, report=report, csv_outcome=csv_outcome))


@bp.get("/beheer/<int:year>/import/<int:report_id>")
@login_required
def import_report(year: int, report_id: int):
    edition, report = pages.get_import_report(current_user, year, report_id)
    return render_template("benchmark/import_report.html", **_labels(edition=edition, report=report))


@bp.post("/beheer/<int:year>/berekenen")
@login_required
def compute(year: int):
    require(is_coordinator(current_user))
    edition = services.get_edition(year)
    forms.FlaskForm().validate_on_submit() or _bad_form()
    try:
        version = services.compute_edition(current_user, edition)
    except ServiceError as error:
        flash_service_error(error)
        return redirect(url_for("benchmark.manage_edition", year=year))
    flash(_("Versie %(n)s is berekend: %(ranked)s van %(total)s organisaties gerangschikt. Controleer de resultaten en publiceer ze daarna.",
            n=version.number, ranked=version.aggregates["n_ranked"], total=version.aggregates["n_population"]), "success")
    return redirect(url_for("benchmark.inspect", year=year))


@bp.post("/beheer/<int:year>/publiceren")
@login_required
def publish(year: int):
    require(is_coordinator(current_user))
    edition = services.get_edition(year)
    form = forms.PublishForm()
    if not form.validate_on_submit():
        _bad_form()
    try:
        version = services.publish_edition(current_user, edition, form.note.data)
    except ServiceError as error:
        flash_service_error(error)
        return redirect(url_for("benchmark.manage_edition", year=year))
    flash(_("Versie %(n)s van editie %(year)s is gepubliceerd.", n=version.number, year=year), "success")
    return redirect(url_for("benchmark.edition", year=year))


def _bad_form():
    raise ServiceError(_("Het formulier is niet geldig verstuurd. Probeer het opnieuw."))


@bp.get("/beheer/<int:year>/inspectie")
@login_required
def inspect(year: int):
    require(is_coordinator(current_user))
    edition = services.get_edition(year)
    version = services.get_version(edition, _version_arg(), current_user)
    page = results_service.version_results_page(version, request.args.get("page", 1, type=int)) if version else None
    return render_template("benchmark/inspect.html", **_labels(
        edition=edition, version=version, page=page, themes=pages.theme_labels(current_locale())))


@bp.get("/beheer/<int:year>/export.<fmt>")
@login_required
def export(year: int, fmt: str):
    require(is_coordinator(current_user))
    if fmt not in ("csv", "json"):
        raise NotFound()
    edition = services.get_edition(year)
    version = services.get_version(edition, _version_arg(), current_user)
    if version is None:
        raise NotFound(_("Deze editie is nog niet berekend."))
    name = f"benchmark-{year}-v{version.number}"
    if fmt == "csv":
        return _download("\ufeff" + results_service.export_csv(version), f"{name}.csv", "text/csv")
    return _download(results_service.dumps(results_service.export_json(version)), f"{name}.json", "application/json")
