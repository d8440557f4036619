"""Case library pages: search, detail, write and edit, workflow, attachments, votes, questions."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from mvi_community.accounts.forms import ORGANISATION_TYPE_LABELS
from mvi_community.accounts.models import ORGANISATION_TYPES
from mvi_community.cases import bp, services
from mvi_community.cases.forms import (
    FIELD_LABELS,
    PHASE_LABELS,
    SORT_LABELS,
    STATUS_LABELS,
    VISIBILITY_LABELS,
    AnswerForm,
    AttachmentForm,
    CaseForm,
    QuestionForm,
    RejectForm,
)
from mvi_community.cases.models import PHASES, PUBLISHED
from mvi_community.communities import services as communities
from mvi_community.core import uploads
from mvi_community.core.errors import ServiceError
from mvi_community.core.forms import flash_service_error, show_service_error
from mvi_community.core.i18n import current_locale
from mvi_community.core.permissions import require
from mvi_community.core.taxonomy import active_product_groups, active_themes

MAX_FILTER_VALUES = 20


def _labels() -> dict:
    return {"phase_labels": PHASE_LABELS, "status_labels": STATUS_LABELS, "visibility_labels": VISIBILITY_LABELS,
            "sort_labels": SORT_LABELS, "type_labels": ORGANISATION_TYPE_LABELS, "field_labels": FIELD_LABELS}




def filters_from(args: MultiDict) -> services.CaseFilters:
    """Query-string filters; unknown values are dropped, never an error."""
    def many(name: str, allowed=None, cast=str) -> list:
        values = []
        for raw in args.getlist(name)[:MAX_FILTER_VALUES]:
            try:
                value = cast(raw)
            except (TypeError, ValueError):
                continue
            if allowed is None or value in allowed:
                values.append(value)
        return values

    sort = args.get("sort") or ("relevance" if (args.get("q") or "").strip() else "newest")
    return services.CaseFilters(
        q=(args.get("q") or "")[:2000],
        themes=many("thema"), organisation_types=many("type", ORGANISATION_TYPES),
        product_groups=many("productgroep"), years=many("jaar", cast=int), phases=many("fase", PHASES),
        organisation=(args.get("organisatie") or None), community_id=args.get("community", type=int),
        sort=sort if sort in services.SORTS else "newest",
    )


# --- browse and find -------------------------------------------------------------------------------

@bp.get("/")
def index():
    filters = filters_from(request.args)
    page = services.search_cases(current_user, filters, request.args.get("page", 1, type=int))
    return render_template("cases/index.html", page=page, filters=filters,
                           facets=services.facets(current_user, filters), **_labels())


@bp.get("/mijn")
@login_required
def mine():
    page = services.own_cases(current_user, request.args.get("page", 1, type=int))
    return render_template("cases/mine.html", page=page, can_create=services.can_create(current_user), **_labels())


@bp.get("/moderatie")
@login_required
def moderation():
    page = services.moderation_queue(current_user, request.args.get("page", 1, type=int))
    return render_template("cases/moderation.html", page=page, **_labels())


# --- write and edit ------------------------------------------------------------------------------

def _prepare_form(form: CaseForm, organisation_id: int | None, case=None) -> None:
    from wtforms import SelectChoice

    from mvi_community.accounts.forms import organisation_select_choices
    from mvi_community.accounts.services import organisation_choices

    own = [m.organisation for m in current_user.memberships]
    form.organisation.choices = [SelectChoice(o.id, o.name) for o in sorted(own, key=lambda o: o.name)]
    form.partners.choices = organisation_select_choices(organisation_choices())[1:]
    form.product_group.choices = [SelectChoice(0, _("Geen productgroep"))] + [
        SelectChoice(g.id, g.name(current_locale())) for g in active_product_groups(keep=[case.product_group_id] if case else ())]
    form.themes.choices = [SelectChoice(t.id, t.name(current_locale()))
                           for t in active_themes(keep=[t.id for t in case.themes] if case else ())]
    org_id = organisation_id or (own[0].id if own else 0)
    form.contact.choices = [SelectChoice(u.id, u.name) for u in services.contact_choices(org_id)]
    form.community.choices = [SelectChoice(0, _("Geen community"))] + [
        SelectChoice(c.id, c.name) for c in communities.all_communities()]


def _data(form: CaseForm) -> services.CaseData:
    return services.CaseData(
        title=form.title.data or "", summary=form.summary.data or "", organisation_id=form.organisation.data,
        year=form.year.data, phase=form.phase.data, product_group_id=form.product_group.data or None,
        procedure=form.procedure.data, contract_value=form.contract_value.data,
        co2_reduction_tonnes=form.co2_reduction_tonnes.data, circular_share_percent=form.circular_share_percent.data,
        social_return_jobs=form.social_return_jobs.data, results_text=form.results_text.data,
        approach=form.approach.data, lessons=form.lessons.data, contact_id=form.contact.data or None,
        community_id=form.community.data or None, visibility=form.visibility.data,
        theme_ids=form.themes.data or [], partner_ids=form.partners.data or [],
    )


@bp.route("/nieuw", methods=["GET", "POST"])
@login_required
def new():
    require(services.can_create(current_user), _("Alleen leden van een organisatie kunnen een praktijkvoorbeeld delen."))
    form = CaseForm()
    _prepare_form(form, request.form.get("organisation", type=int))
    if request.method == "GET":
        form.contact.data = current_user.id
        form.community.data = request.args.get("community", 0, type=int)
    if form.validate_on_submit():
        try:
            case = services.create_case(current_user, _data(form))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Het concept is opgeslagen. Voeg eventueel bijlagen toe en dien het in ter beoordeling."), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/form.html", form=form, case=None, **_labels())


@bp.route("/<int:case_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(case_id: int):
    case = services.get_case(case_id)
    services.check_edit(current_user, case)
    form = CaseForm(obj=case)
    _prepare_form(form, request.form.get("organisation", type=int) or case.organisation_id, case)
    if request.method == "GET":
        form.organisation.data = case.organisation_id
        form.partners.data = [o.id for o in case.partners]
        form.themes.data = [t.id for t in case.themes]
        form.product_group.data = case.product_group_id or 0
        form.contact.data = case.contact_id or 0
        form.community.data = case.community_id or 0
    if form.validate_on_submit():
        try:
            services.update_case(current_user, case, _data(form))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De wijzigingen zijn opgeslagen (versie %(n)s).", n=case.version), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/form.html", form=form, case=case, **_labels())


@bp.get("/<int:case_id>")
def detail(case_id: int):
    from mvi_community.criteria.services import (
        selections as criteria_selections,  # criteria imports cases
    )

    case = services.get_visible_case(current_user, case_id)
    if case.status == PUBLISHED:
        seen = session.get("cases_seen", [])
        if case.id not in seen:  # count a visitor once per session, not every reload
            services.count_view(case)
            session["cases_seen"] = (seen + [case.id])[-200:]
    owner = services.is_owner(current_user, case)
    authenticated = current_user.is_authenticated
    return render_template(
        "cases/detail.html", case=case, owner=owner,
        can_moderate=case.status == "submitted" and services.can_moderate(current_user, case),
        related=services.related_cases(current_user, case) if case.status == PUBLISHED else [],
        voted=services.has_voted(current_user, case) if authenticated and not owner else False,
        questions=services.questions_about(current_user, case) if authenticated else [],
        attachment_form=AttachmentForm(), reject_form=RejectForm(), question_form=QuestionForm(), **_labels(),
        attached_selections=criteria_selections.selections_for_case(current_user, case),
    )


@bp.get("/<int:case_id>/geschiedenis")
def history(case_id: int):
    case = services.get_visible_case(current_user, case_id)
    return render_template("cases/history.html", case=case, revisions=services.revisions(current_user, case),
                           **_labels())


# --- workflow ------------------------------------------------------------------------------------

@bp.post("/<int:case_id>/<any(indienen,publiceren,terugtrekken):action>")
@login_required
def transition(case_id: int, action: str):
    case = services.get_case(case_id)
    try:
        if action == "indienen":
            services.submit(current_user, case)
            flash(_("Het praktijkvoorbeeld is ingediend. De coördinator of een moderator beoordeelt het."), "success")
        elif action == "publiceren":
            services.publish(current_user, case)
            flash(_("Het praktijkvoorbeeld is gepubliceerd."), "success")
        else:
            services.withdraw(current_user, case)
            flash(_("Het praktijkvoorbeeld is teruggezet naar concept."), "success")
    except ServiceError as error:
        if error.status_code != 400:
            raise
        flash_service_error(error)
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.post("/<int:case_id>/afwijzen")
@login_required
def reject(case_id: int):
    case = services.get_case(case_id)
    form = RejectForm()
    if not form.validate_on_submit():
        require(services.can_moderate(current_user, case))
        flash(_("Geef een reden, zodat de auteur weet wat er beter kan."), "error")
        return redirect(url_for("cases.detail", case_id=case_id, _anchor="beoordelen"))
    services.reject(current_user, case, form.reason.data)
    flash(_("Het praktijkvoorbeeld is afgewezen; de auteur krijgt de reden per e-mail."), "success")
    return redirect(url_for("cases.moderation"))


# --- attachments ---------------------------------------------------------------------------------

@bp.post("/<int:case_id>/bijlagen")
@login_required
def upload(case_id: int):
    case = services.get_case(case_id)
    services.check_edit(current_user, case)
    form = AttachmentForm()
    if not form.validate_on_submit():
        flash(_("Het formulier is verlopen. Probeer het opnieuw."), "error")
        return redirect(url_for("cases.detail", case_id=case_id, _anchor="bijlagen"))
    try:
        attachment = services.add_attachment(current_user, case, form.file.data)
    except uploads.UploadRefused as error:
        flash_service_error(error)
    else:
        flash(_("De bijlage %(name)s is toegevoegd.", name=attachment.filename), "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="bijlagen"))


@bp.post("/<int:case_id>/bijlagen/<int:attachment_id>/verwijderen")
@login_required
def delete_attachment(case_id: int, attachment_id: int):
    case = services.get_case(case_id)
    services.delete_attachment(current_user, case, attachment_id)
    flash(_("De bijlage is verwijderd."), "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="bijlagen"))


@bp.get("/<int:case_id>/bijlagen/<int:attachment_id>/<path:filename>")
def attachment(case_id: int, attachment_id: int, filename: str):
    case = services.get_case(case_id)
    item = services.get_attachment(current_user, case, attachment_id)  # checks who may see the case
    return uploads.send_stored(item.stored_name, item.filename, item.content_type)


# --- votes and questions ---------------------------------------------------------------------------

@bp.post("/<int:case_id>/nuttig")
@login_required
def vote(case_id: int):
    case = services.get_case(case_id)
    try:
        voted = services.toggle_vote(current_user, case)
    except ServiceError as error:
        if error.status_code != 400:
            raise
        flash_service_error(error)
    else:
        flash(_("Bedankt! U vindt dit praktijkvoorbeeld nuttig.") if voted else _("Uw stem is ingetrokken."), "success")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.post("/<int:case_id>/vraag")
@login_required
def ask(case_id: int):
    case = services.get_visible_case(current_user, case_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            question = services.ask(current_user, case, form.subject.data, form.body.data)
        except ServiceError as error:
            if error.status_code != 400:
                raise
            flash_service_error(error)
        else:
            flash(_("Uw vraag is verstuurd. U krijgt een e-mail zodra er een antwoord is."), "success")
            return redirect(url_for("cases.question", question_id=question.id))
    else:
        flash(_("Schrijf uw vraag."), "error")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="vraag"))


@bp.get("/vragen")
@login_required
def questions():
    asked, received = services.questions_for(current_user)
    return render_template("cases/questions.html", asked=asked, received=received)


@bp.route("/vragen/<int:question_id>", methods=["GET", "POST"])
@login_required
def question(question_id: int):
    item = services.get_question(current_user, question_id)
    form = AnswerForm()
    can_write = services.can_see(current_user, item)  # a coordinator reads along without writing
    if request.method == "POST" and not can_write:
        services.answer(current_user, item, "")  # refused: 403 with the reason
    if form.validate_on_submit():
        services.answer(current_user, item, form.body.data)
        flash(_("Uw bericht is verstuurd."), "success")
        return redirect(url_for("cases.question", question_id=question_id, _anchor="nieuw"))
    return render_template("cases/question.html", question=item, form=form, can_write=can_write,
                           owner=services.is_owner(current_user, item.case))
