"""Manifest pages: manifests, signatories (list, CSV, signing, withdrawal), action plans, yearly
reports and the monitor. Views parse the request, call services, render or redirect."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mvi_community.accounts.models import ORGANISATION_TYPES
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.forms import show_service_error
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.manifest import bp, services
from mvi_community.manifest.forms import (
    GROUP_LABELS,
    MONTHS,
    TYPE_LABELS,
    DueDateForm,
    ManifestForm,
    PlanForm,
    ReopenReportForm,
    ReportForm,
    SignForm,
    WithdrawForm,
)
from mvi_community.manifest.models import CIRCULAR_TARGET, STEP_DESCRIPTIONS, STEPS


def _csv(text: str, filename: str) -> Response:
    return Response("\ufeff" + text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _list_filters() -> tuple[str | None, str | None, str]:
    type_ = request.args.get("type") if request.args.get("type") in ORGANISATION_TYPES else None
    group = request.args.get("groep") if request.args.get("groep") in GROUP_LABELS and request.args.get("groep") else None
    q = request.args.get("q", "").strip()[:100]
    return type_, group, q


def _context(**values):
    values.setdefault("steps", STEPS)
    values.setdefault("type_labels", TYPE_LABELS)
    values.setdefault("state_labels", services.REPORT_STATE_LABELS)
    return values


# --- manifests -------------------------------------------------------------------------------

@bp.get("/")
def index():
    return render_template("manifest/index.html", manifests=services.manifests(), counts=services.manifest_counts())


@bp.route("/nieuw", methods=["GET", "POST"])
@login_required
def new_manifest():
    return _manifest_form(None)


@bp.route("/<code>/bewerken", methods=["GET", "POST"])
@login_required
def edit_manifest(code: str):
    return _manifest_form(services.get_manifest(code))


def _manifest_form(manifest):
    require(is_coordinator(current_user))
    form = ManifestForm(obj=manifest)
    if form.validate_on_submit():
        data = services.ManifestData(form.code.data, form.title.data, form.text.data, form.period_start.data,
                                     form.period_end.data, form.ceremony_date.data)
        try:
            saved = services.save_manifest(current_user, data, manifest)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Het manifest %(title)s is opgeslagen.", title=saved.title), "success")
            return redirect(url_for("manifest.manifest", code=saved.code))
    return render_template("manifest/manifest_form.html", form=form, manifest=manifest)


@bp.get("/<code>")
def manifest(code: str):
    manifest = services.get_manifest(code)
    own = services.own_signatories(current_user, manifest) if current_user.is_authenticated else []
    signable = services.signable_organisations(current_user, manifest) if current_user.is_authenticated else []
    return render_template("manifest/manifest.html", **_context(
        manifest=manifest, counts=services.signatory_counts(manifest), own=own, signable=signable,
        step_descriptions=STEP_DESCRIPTIONS,
    ))


# --- signatories -----------------------------------------------------------------------------

@bp.get("/<code>/ondertekenaars")
def signatories(code: str):
    manifest = services.get_manifest(code)
    type_, group, q = _list_filters()
    page = services.signatories_page(manifest, request.args.get("page", 1, type=int), type_=type_, group=group, q=q or None)
    ceremony = [s for s in page.items if not s.toetreder]
    joiners = [s for s in page.items if s.toetreder]
    return render_template("manifest/signatories.html", **_context(
        manifest=manifest, page=page, ceremony=ceremony, joiners=joiners, counts=services.signatory_counts(manifest),
        type=type_ or "", group=group or "", q=q, group_labels=GROUP_LABELS,
    ))


@bp.get("/<code>/ondertekenaars.csv")
def signatories_csv(code: str):
    manifest = services.get_manifest(code)
    type_, group, q = _list_filters()
    return _csv(services.signatories_csv(manifest, type_, group, q or None), f"ondertekenaars-{manifest.code}.csv")


@bp.route("/<code>/ondertekenen", methods=["GET", "POST"])
@login_required
def sign(code: str):
    manifest = services.get_manifest(code)
    organisations = services.signable_organisations(current_user, manifest)
    form = SignForm()
    form.set_organisations(organisations)
    if request.method == "GET":
        form.signed_on.data = services.today()
        wanted = request.args.get("organisatie")
        match = next((o for o in organisations if o.code == wanted), None)
        if match is not None:
            form.organisation.data = match.id
        elif len(organisations) == 1:
            form.organisation.data = organisations[0].id
    if organisations and form.validate_on_submit():
        organisation = next(o for o in organisations if o.id == form.organisation.data)
        try:
            signatory = services.sign(current_user, manifest, organisation, form.signer_name.data,
                                      form.signer_function.data, form.signed_on.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            if signatory.toetreder:
                flash(_("%(org)s heeft het manifest ondertekend en staat in de lijst als toetreder.",
                        org=organisation.name), "success")
            else:
                flash(_("%(org)s heeft het manifest ondertekend.", org=organisation.name), "success")
            return redirect(url_for("manifest.signatory", code=manifest.code, org=organisation.code))
    return render_template("manifest/sign.html", manifest=manifest, form=form, organisations=organisations)


@bp.get("/<code>/organisaties/<org>")
def signatory(code: str, org: str):
    manifest = services.get_manifest(code)
    signatory = services.get_signatory(manifest, org)
    plan = services.get_plan(current_user, signatory, with_goals=False)
    can_read = services.can_read_drafts(current_user, signatory)
    reports = services.report_overview(signatory) if can_read else []
    return render_template("manifest/signatory.html", **_context(
        manifest=manifest, signatory=signatory, plan=plan, reports=reports, can_read=can_read,
        can_edit=services.can_edit(current_user, signatory),
        can_withdraw=services.can_withdraw(current_user, signatory),
    ))


@bp.route("/<code>/organisaties/<org>/intrekken", methods=["GET", "POST"])
@login_required
def withdraw(code: str, org: str):
    manifest = services.get_manifest(code)
    signatory = services.get_signatory(manifest, org)
    require(services.can_withdraw(current_user, signatory))
    form = WithdrawForm()
    if request.method == "GET":
        form.withdrawn_on.data = services.today()
    if form.validate_on_submit():
        try:
            services.withdraw(current_user, signatory, form.withdrawn_on.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De ondertekening van %(org)s is ingetrokken.", org=signatory.organisation.name), "success")
            return redirect(url_for("manifest.signatory", code=code, org=org))
    return render_template("manifest/withdraw.html", manifest=manifest, signatory=signatory, form=form)


# --- action plans ----------------------------------------------------------------------------

def _plan_or_404(signatory):
    plan = services.get_plan(current_user, signatory)
    if plan is None:
        raise NotFound(_("Er is (nog) geen gepubliceerd actieplan voor deze organisatie."))
    return plan


@bp.get("/<code>/organisaties/<org>/actieplan")
def plan(code: str, org: str):
    manifest = services.get_manifest(code)
    signatory = services.get_signatory(manifest, org)
    plan = _plan_or_404(signatory)
    return render_template("manifest/plan.html", **_context(
        manifest=manifest, signatory=signatory, plan=plan, can_edit=services.can_edit(current_user, signatory),
    ))


@bp.get("/<code>/organisaties/<org>/actieplan/afdrukken")
def plan_print(code: str, org: str):
    manifest = services.get_manifest(code)
    signatory = services.get_signatory(manifest, org)
    plan = _plan_or_404(signatory)
    return render_template("manifest/plan_print.html", **_context(manifest=manifest, signatory=signatory, plan=plan,
                                                                  printed_on=services.today()))


@bp.route("/<code>/organisaties/<org>/actieplan/bewerken", methods=["GET", "POST"])
@login_required
def edit_plan(code: str, org: str):
    manifest = services.get_manifest(code)
    signatory = services.get_signatory(manifest, org)
    require(services.can_edit(current_user, signatory))
    plan = services.get_plan(current_user, signatory)
    themes = services.plan_themes(plan)
    goals = {g.theme_id: g for g in plan.goals} if plan else {}
    if request.method == "POST":
        form = PlanForm()
    else:
        form = PlanForm(formdata=None, summary=plan.summary if plan else None)
    while len(form.goals.entries) < len(themes):
        form.goals.append_entry()
    for entry, theme in zip(form.goals.entries, themes):
        entry.theme = theme
        if request.method == "GET":
            goal = goals.get(theme.id)
            entry.form.theme_id.data = str(theme.id)
            if goal is not None:
                for name in ("current_step", "target_step", "ambition", "measures", "target_description",
                             "target_share", "target_year", "owner"):
                    entry.form[name].data = getattr(goal, name)
        else:
            entry.form.theme_id.data = str(theme.id)  # the order on the page, not what was posted
    if request.method == "POST" and form.validate():
        data = [
            services.GoalData(
                theme_id=theme.id, current_step=entry.form.current_step.data, target_step=entry.form.target_step.data,
                ambition=entry.form.ambition.data, measures=entry.form.measures.data,
                target_description=entry.form.target_description.data, target_share=entry.form.target_share.data,
                target_year=entry.form.target_year.data, owner=entry.form.owner.data,
            )
            for entry, theme in zip(form.goals.entries, themes) if entry.form.current_step.data
        ]
        try:
            services.save_plan(current_user, signatory, form.summary.data, data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Het actieplan is opgeslagen."), "success")
            return redirect(url_for("manifest.plan", code=code, org=org))
    return render_template("manifest/plan_form.html", **_context(manifest=manifest, signatory=signatory, plan=plan,
                                                                 form=form, entries=list(zip(form.goals.entries, themes))))


@bp.post("/<code>/organisaties/<org>/actieplan/publiceren")
@login_required
def publish_plan(code: str, org: str):
    manifest = services.get_manifest(code)
    signatory = services.get_signatory(manifest, org)
    services.publish_plan(current_user, signatory)
    flash(_("Het actieplan is gepubliceerd. Iedereen kan het nu lezen."), "success")
    return redirect(url_for("manifest.plan", code=code, org=org))


# --- yearly reports --------------------------------------------------------------------------

def _report_year(signatory, year: int) -> None:
    if year not in services.report_years(signatory):
        raise NotFound()


@bp.get("/<code>/organisaties/<org>/rapportages/<int:year>")
@login_required
def report(code: str, org: str, year: int):
    manifest = services.get_manifest(code)
    signatory = services.get_signatory(manifest, org)
    report = services.get_report(current_user, signatory, year)
    if report is None:
        if services.can_edit(current_user, signatory):
            return redirect(url_for("manifest.edit_report", code=code, org=org, year=year))
        raise NotFound(_("Voor %(year)s is nog geen rapportage begonnen.", year=year))
    state = services.report_state(report.due_on, report.submitted_at if report.submitted else None)
    return render_template("manifest/report.html", **_context(
        manifest=manifest, signatory=signatory, report=report, state=state,
        can_edit=services.can_edit(current_user, signatory) and not report.submitted,
        can_reopen=services.can_reopen(current_user, report),
    ))


@bp.route("/<code>/organisaties/<org>/rapportages/<int:year>/heropenen", methods=["GET", "POST"])
@login_required
def reopen_report(code: str, org: str, year: int):
    manifest = services.get_manifest(code)
    signatory = services.get_signatory(manifest, org)
    report = services.get_report(current_user, signatory, year)
    require(services.can_reopen(current_user, report))
    form = ReopenReportForm()
    if form.validate_on_submit():
        try:
            services.reopen_report(current_user, signatory, year, form.reason.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De rapportage is heropend; de organisatie kan haar aanpassen en opnieuw indienen."), "success")
            return redirect(url_for("manifest.report", code=code, org=org, year=year))
    return render_template("manifest/reopen_report.html", **_context(
        manifest=manifest, signatory=signatory, report=report, form=form))


@bp.route("/<code>/organisaties/<org>/rapportages/<int:year>/bewerken", methods=["GET", "POST"])
@login_required
def edit_report(code: str, org: str, year: int):
    manifest = services.get_manifest(code)
    signatory = services.get_signatory(manifest, org)
    require(services.can_edit(current_user, signatory))
    _report_year(signatory, year)
    plan = services.get_plan(current_user, signatory)
    report = services.get_report(current_user, signatory, year)
    if report is not None and report.submitted:
        flash(_("Deze rapportage is al ingediend."), "info")
        return redirect(url_for("manifest.report", code=code, org=org, year=year))
    if plan is None or not plan.published:
        return render_template("manifest/report_no_plan.html", manifest=manifest, signatory=signatory, year=year,
                               plan=plan)
    goals = sorted(plan.goals, key=lambda g: (g.theme.position, g.theme_id))
    existing = {p.theme_id: p for p in report.progress} if report else {}
    form = ReportForm() if request.method == "POST" else ReportForm(formdata=None, summary=report.summary if report else None)
    while len(form.progress.entries) < len(goals):
        form.progress.append_entry()
    for entry, goal in zip(form.progress.entries, goals):
        entry.form.theme_id.data = str(goal.theme_id)
        if request.method == "GET" and goal.theme_id in existing:
            row = existing[goal.theme_id]
            for name in ("step_reached", "done", "share_reached", "next_steps"):
                entry.form[name].data = getattr(row, name)
    submit = request.form.get("action") == "submit"
    if request.method == "POST" and form.validate() and (not submit or form.check_complete([g.theme.name(str(get_locale())) for g in goals])):
        data = [
            services.ProgressData(theme_id=goal.theme_id, step_reached=entry.form.step_reached.data or None,
                                  done=entry.form.done.data, share_reached=entry.form.share_reached.data,
                                  next_steps=entry.form.next_steps.data)
            for entry, goal in zip(form.progress.entries, goals)
        ]
        try:
            saved = services.save_report(current_user, signatory, year, form.summary.data, data, submit=submit)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            if submit:
                flash(_("De rapportage over %(year)s is ingediend. Dank u wel!", year=year), "success")
                return redirect(url_for("manifest.report", code=code, org=org, year=year))
            flash(_("De conceptrapportage is opgeslagen. U kunt later verder gaan."), "success")
            return redirect(url_for("manifest.edit_report", code=code, org=org, year=saved.year))
    due_on = report.due_on if report else services.due_date(year)
    return render_template("manifest/report_form.html", **_context(
        manifest=manifest, signatory=signatory, plan=plan, report=report, year=year, form=form, due_on=due_on,
        entries=list(zip(form.progress.entries, goals)), circular_target=CIRCULAR_TARGET,
    ))


# --- monitor ---------------------------------------------------------------------------------

def _monitor_data():
    code = request.args.get("manifest")
    manifest = services.get_manifest(code) if code else services.current_manifest()
    if manifest is None:
        return None, []
    years = services.monitor_years(manifest)
    year = request.args.get("jaar", type=int)
    if year not in years:
        year = services.default_monitor_year()
        if year not in years:
            year = years[-1]
    return services.monitor(manifest, year), years


@bp.get("/monitor")
def monitor():
    data, years = _monitor_data()
    return render_template("manifest/monitor.html", **_context(
        data=data, years=years, manifests=services.manifests(), circular_target=CIRCULAR_TARGET,
        ON_TIME=services.ON_TIME, LATE=services.LATE, MISSING=services.MISSING, OPEN=services.OPEN,
        show_details=is_coordinator(current_user),
    ))


@bp.get("/monitor.csv")
def monitor_csv():
    data, _years = _monitor_data()
    if data is None:
        raise NotFound()
    return _csv(services.monitor_csv(data), f"manifest-monitor-{data.manifest.code}-{data.year}.csv")


@bp.get("/monitor/organisaties.csv")
@login_required
def monitor_details_csv():
    require(is_coordinator(current_user))
    data, _years = _monitor_data()
    if data is None:
        raise NotFound()
    return _csv(services.monitor_details_csv(current_user, data),
                f"manifest-monitor-organisaties-{data.manifest.code}-{data.year}.csv")


# --- settings --------------------------------------------------------------------------------

@bp.route("/instellingen", methods=["GET", "POST"])
@login_required
def settings():
    require(is_coordinator(current_user))
    month, day = services.report_due_month_day()
    form = DueDateForm(month=month, day=day)
    if form.validate_on_submit():
        try:
            services.set_report_due(current_user, form.month.data, form.day.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De uiterste datum voor de jaarrapportage is opgeslagen."), "success")
            return redirect(url_for("manifest.settings"))
    example = services.due_date(services.today().year - 1, (month, day))
    return render_template("manifest/settings.html", form=form, example=example, months=dict(MONTHS))


@bp.app_template_global("manifest_org_type")
def _org_type_label(value: str) -> str:
    return str(TYPE_LABELS.get(value, value))

