"""Expert pool pages: experts, asking for help, the coordinator's queue, the expert's answer,
the engagement log, feedback and dashboards. Views parse, call one service, render or redirect."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mvi_community.accounts.forms import ORGANISATION_TYPE_LABELS, organisation_select_choices
from mvi_community.core import uploads
from mvi_community.core.errors import NotFound, PermissionDenied, ServiceError
from mvi_community.core.forms import button_action, show_service_error
from mvi_community.core.i18n import current_locale
from mvi_community.core.permissions import is_coordinator, is_member, require
from mvi_community.core.taxonomy import active_product_groups, active_themes
from mvi_community.expertpool import bp, services
from mvi_community.expertpool.forms import (
    CONTRIBUTION_LABELS,
    EXPERT_STATUS_LABELS,
    GOAL_LABELS,
    LANGUAGE_LABELS,
    OUTCOME_LABELS,
    PROPOSAL_STATUS_LABELS,
    REQUEST_STATUS_LABELS,
    SKILL_LABELS,
    AnswerForm,
    AttachmentForm,
    CompleteForm,
    ConflictForm,
    DecisionForm,
    ExpertProfileForm,
    RatingForm,
    RequestForm,
    SessionForm,
    SettingsForm,
    UnavailabilityForm,
)
from mvi_community.expertpool.models import Proposal, SupportRequest
from mvi_community.extensions import db


@bp.context_processor
def _labels() -> dict:
    return {
        "skill_labels": SKILL_LABELS, "goal_labels": GOAL_LABELS, "outcome_labels": OUTCOME_LABELS,
        "language_labels": LANGUAGE_LABELS, "expert_status_labels": EXPERT_STATUS_LABELS,
        "request_status_labels": REQUEST_STATUS_LABELS, "proposal_status_labels": PROPOSAL_STATUS_LABELS,
        "contribution_labels": CONTRIBUTION_LABELS, "org_type_labels": ORGANISATION_TYPE_LABELS,
        "labels": lambda codes, mapping: [mapping.get(c, c) for c in codes or ()],
        "days": lambda value: format_decimal(value or 0, format="#,##0.#"),
        "num": lambda value, pattern="0.00": format_decimal(value or 0, format=pattern),
    }




# --- experts ---------------------------------------------------------------------------------

@bp.get("/")
def index():
    theme = request.args.get("thema") or None
    themes = active_themes()
    if theme not in {t.code for t in themes}:
        theme = None
    page = services.public_experts_page(request.args.get("page", 1, type=int), theme)
    own = services.expert_of(current_user)
    return render_template("expertpool/index.html", page=page, themes=themes, theme=theme or "", own=own)


@bp.get("/experts/<int:expert_id>")
def expert_detail(expert_id: int):
    expert, private = services.profile_for(current_user, expert_id)
    return render_template("expertpool/expert.html", expert=expert, private=private)


def _profile_form(form: ExpertProfileForm, choices) -> ExpertProfileForm:
    themes, groups, organisations = choices
    form.themes.choices = [(t.id, t.name(current_locale())) for t in themes]
    form.product_groups.choices = [(g.id, g.name(current_locale())) for g in groups]
    form.employer.choices = organisation_select_choices(organisations)
    return form


def _expert_data(form: ExpertProfileForm) -> services.ExpertData:
    return services.ExpertData(
        employer_id=form.employer.data, bio=form.bio.data, theme_ids=form.themes.data or [],
        skills=form.skills.data or [], languages=form.languages.data or [],
        days_per_quarter=float(form.days_per_quarter.data), max_concurrent=form.max_concurrent.data,
        job_title=form.job_title.data, product_group_ids=form.product_groups.data or [],
        organisation_types=form.organisation_types.data or [], regions=form.regions.data or [],
    )


@bp.route("/aanmelden", methods=["GET", "POST"])
@login_required
def apply():
    if services.expert_of(current_user) is not None:
        return redirect(url_for("expertpool.my_profile"))
    form = _profile_form(ExpertProfileForm(), services.reference_choices())
    if request.method == "GET":
        form.languages.data = ["nl"]
        form.days_per_quarter.data = 2
        form.max_concurrent.data = 1
        if current_user.memberships:
            form.employer.data = current_user.memberships[0].organisation_id
    if form.validate_on_submit():
        try:
            services.apply(current_user, _expert_data(form))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Bedankt voor uw aanmelding. Het secretariaat beoordeelt die zo snel mogelijk."), "success")
            return redirect(url_for("expertpool.my_profile"))
    return render_template("expertpool/profile_form.html", form=form, expert=None)


@bp.route("/mijn-profiel", methods=["GET", "POST"])
@login_required
def my_profile():
    expert = services.own_profile(current_user)
    if expert is None:
        return redirect(url_for("expertpool.apply"))
    choices = services.reference_choices(expert)
    form = _profile_form(ExpertProfileForm(obj=expert if request.method == "GET" else None), choices)
    if request.method == "GET":
        form.employer.data = expert.employer_id
        form.themes.data = [t.id for t in expert.themes]
        form.product_groups.data = [g.id for g in expert.product_groups]
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, _expert_data(form))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Uw profiel is opgeslagen."), "success")
            return redirect(url_for("expertpool.my_profile"))
    return _render_profile(expert, form, choices)


def _render_profile(expert, form, choices, unavailability_form=None, conflict_form=None):
    conflict_form = conflict_form or ConflictForm(prefix="conflict")
    conflict_form.organisation.choices = organisation_select_choices(choices[2])
    return render_template("expertpool/profile_form.html", form=form, expert=expert,
                           unavailability_form=unavailability_form or UnavailabilityForm(prefix="absence"),
                           conflict_form=conflict_form)


@bp.post("/mijn-profiel/afwezigheid")
@login_required
def add_unavailability():
    expert = services.own_profile(current_user)
    if expert is None:
        raise NotFound()
    form = UnavailabilityForm(prefix="absence")
    if form.validate_on_submit():
        try:
            services.add_unavailability(current_user, expert, form.starts_on.data, form.ends_on.data, form.note.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De periode is toegevoegd."), "success")
            return redirect(url_for("expertpool.my_profile") + "#afwezigheid")
    choices = services.reference_choices(expert)
    return _render_profile(expert, _profile_form(ExpertProfileForm(obj=expert), choices), choices,
                           unavailability_form=form)


@bp.post("/afwezigheid/<int:item_id>/verwijderen")
@login_required
def remove_unavailability(item_id: int):
    services.remove_unavailability(current_user, item_id)
    flash(_("De periode is verwijderd."), "success")
    return redirect(url_for("expertpool.my_profile") + "#afwezigheid")


@bp.post("/mijn-profiel/belangenconflicten")
@login_required
def add_conflict():
    expert = services.own_profile(current_user)
    if expert is None:
        raise NotFound()
    form = ConflictForm(prefix="conflict")
    choices = services.reference_choices(expert)
    form.organisation.choices = organisation_select_choices(choices[2])
    if form.validate_on_submit():
        try:
            services.add_conflict(current_user, expert, form.organisation.data, form.reason.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Het belangenconflict is vastgelegd."), "success")
            return redirect(url_for("expertpool.my_profile") + "#belangenconflicten")
    return _render_profile(expert, _profile_form(ExpertProfileForm(obj=expert), choices), choices, conflict_form=form)


@bp.post("/belangenconflicten/<int:conflict_id>/verwijderen")
@login_required
def remove_conflict(conflict_id: int):
    services.remove_conflict(current_user, conflict_id)
    flash(_("Het belangenconflict is verwijderd."), "success")
    return redirect(url_for("expertpool.my_profile") + "#belangenconflicten")


@bp.get("/mijn-verzoeken")
@login_required
def inbox():
    expert, proposals = services.expert_inbox(current_user)
    if expert is None:
        return redirect(url_for("expertpool.apply"))
    settings = services.get_settings()
    return render_template("expertpool/inbox.html", expert=expert, proposals=proposals,
                           deadline_days=int(settings["answer_deadline_days"]))


@bp.get("/beheer/experts")
@login_required
def manage_experts():
    experts = services.experts_for_coordinator(current_user)
    return render_template("expertpool/manage_experts.html", experts=experts, form=DecisionForm())


@bp.post("/beheer/experts/<int:expert_id>/goedkeuren")
@login_required
def approve_expert(expert_id: int):
    expert, response = button_action(lambda: services.decide(current_user, expert_id, True),
                            None, url_for("expertpool.manage_experts"))
    if expert:
        flash(_("%(name)s is toegevoegd aan de expertpool.", name=expert.user.name), "success")
    return response


@bp.post("/beheer/experts/<int:expert_id>/afwijzen")
@login_required
def reject_expert(expert_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("De toelichting is te lang (maximaal 2000 tekens)."), "error")
        return redirect(url_for("expertpool.manage_experts"))
    expert, response = button_action(lambda: services.decide(current_user, expert_id, False, form.note.data),
                            None, url_for("expertpool.manage_experts"))
    if expert:
        flash(_("De aanmelding van %(name)s is afgewezen.", name=expert.user.name), "success")
    return response


@bp.post("/beheer/experts/<int:expert_id>/inactief")
@login_required
def deactivate_expert(expert_id: int):
    return button_action(lambda: services.set_active(current_user, expert_id, False),
                _("De expert is op inactief gezet en krijgt geen nieuwe hulpvragen."),
                request.form.get("next") == "profile" and url_for("expertpool.my_profile")
                or url_for("expertpool.manage_experts"))[1]


@bp.post("/beheer/experts/<int:expert_id>/actief")
@login_required
def reactivate_expert(expert_id: int):
    return button_action(lambda: services.set_active(current_user, expert_id, True), _("De expert is weer actief."),
                url_for("expertpool.manage_experts"))[1]


# --- support requests ------------------------------------------------------------------------

def _member_organisations():
    return [m.organisation for m in current_user.memberships]


@bp.route("/hulpvragen/nieuw", methods=["GET", "POST"])
@login_required
def new_request():
    from mvi_community.criteria.services import (
        links as criteria_links,  # criteria imports the expert pool
    )

    organisations = _member_organisations()
    if not organisations:
        raise PermissionDenied(_("U kunt hulp vragen zodra u lid bent van een organisatie op het platform."))
    form = RequestForm()
    form.organisation.choices = [(o.id, o.name) for o in organisations]
    form.themes.choices = [(t.id, t.name(current_locale())) for t in active_themes()]
    form.product_group.choices = [(0, _("Geen specifieke productgroep"))] + [
        (g.id, g.name(current_locale())) for g in active_product_groups()]
    if request.method == "GET":
        form.organisation.data = organisations[0].id
        # Pre-filled from a criteria selection (?selectie=) or a procurement plan (?inkoopplan=).
        for key, value in criteria_links.request_prefill(current_user, request.args).items():
            form[key].data = value
    settings = services.get_settings()
    usages = {o.id: services.allowance_usage(o.id, services.local_today().year, settings) for o in organisations}
    if form.validate_on_submit():
        data = services.RequestData(
            organisation_id=form.organisation.data, title=form.title.data, goal=form.goal.data,
            theme_ids=form.themes.data or [], description=form.description.data,
            days_needed=float(form.days_needed.data), product_group_id=form.product_group.data or None,
            period_start=form.period_start.data, period_end=form.period_end.data,
        )
        try:
            support_request = services.create_request(current_user, data,
                                                      files=services.chosen_files(form.attachments.data))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            criteria_links.link_new_request(current_user, support_request, request.args)
            if support_request.beyond_allowance:
                flash(_("Uw hulpvraag is ingediend. U vraagt meer dagen dan uw organisatie dit jaar nog heeft; "
                        "het secretariaat beslist eerst over de extra dagen."), "warning")
            else:
                flash(_("Uw hulpvraag is ingediend. Het secretariaat zoekt een passende expert."), "success")
            return redirect(url_for("expertpool.request_detail", request_id=support_request.id))
    return render_template("expertpool/request_form.html", form=form, usages=usages, organisations=organisations,
                           max_attachments=services.MAX_ATTACHMENTS)


@bp.get("/hulpvragen")
@login_required
def requests():
    organisations = _member_organisations()
    if not organisations:
        if is_coordinator(current_user):
            return redirect(url_for("expertpool.queue"))
        raise PermissionDenied(_("U ziet hier de hulpvragen van uw organisatie zodra u lid bent van een organisatie."))
    code = request.args.get("organisatie")
    organisation = next((o for o in organisations if o.code == code), organisations[0])
    page = services.organisation_requests(current_user, organisation, request.args.get("page", 1, type=int))
    usage = services.allowance_usage(organisation.id, services.local_today().year)
    return render_template("expertpool/requests.html", page=page, organisation=organisation,
                           organisations=organisations, usage=usage)


@bp.get("/hulpvragen/<int:request_id>")
@login_required
def request_detail(request_id: int):
    support_request = services.get_request(current_user, request_id)
    return _render_request(support_request)


def _render_request(support_request: SupportRequest, **forms):
    from mvi_community.criteria.services import (
        links as criteria_links,  # criteria imports the expert pool
    )

    settings = services.get_settings()
    # The viewer's expert profile matters here only when it has a proposal on this request; the
    # proposals come with their experts, so this costs no query.
    viewer_expert = next((p.expert for p in support_request.proposals if p.expert.user_id == current_user.id), None)
    my_proposal = None
    if viewer_expert is not None:
        my_proposal = next((p for p in support_request.proposals if p.expert_id == viewer_expert.id
                            and p.status in p.VISIBLE_TO_EXPERT), None)
    engagement = support_request.engagement
    coordinator = is_coordinator(current_user)
    requester_side = is_member(current_user, support_request.organisation)
    rating_form = forms.get("rating_form") or RatingForm(prefix="rating")
    given = engagement.feedback_from("requester") if engagement is not None else None
    if (requester_side and support_request.status == SupportRequest.COMPLETED and given is None
            and "rating_form" not in forms):
        _case_choices(rating_form, support_request)
    context = {
        "r": support_request, "settings": settings, "deadline_days": int(settings["answer_deadline_days"]),
        "coordinator": coordinator, "requester_side": requester_side,
        "my_proposal": my_proposal,
        "engaged": engagement is not None and viewer_expert is not None and engagement.expert_id == viewer_expert.id,
        "today": services.local_today(),
        "theme_names": {t.code: t.name_nl for t in support_request.themes},
        "answer_form": forms.get("answer_form") or AnswerForm(prefix="answer"),
        "session_form": forms.get("session_form") or SessionForm(prefix="session"),
        "complete_form": forms.get("complete_form") or CompleteForm(prefix="complete"),
        "rating_form": rating_form,
        "used_case": services.feedback_case(current_user, given),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(prefix="attachment"),
        "can_add_attachment": services.can_add(current_user, support_request),
        "can_delete_attachment": services.can_delete(current_user, support_request),
        "feedback_form": forms.get("feedback_form") or CompleteForm(prefix="feedback"),
        "decision_form": DecisionForm(prefix="decision"),
        "attached_selections": criteria_links.selections_for_request(current_user, support_request),
    }
    if request.method == "GET" and context["session_form"].held_on.data is None:
        context["session_form"].held_on.data = context["today"]
    return render_template("expertpool/request.html", **context)


def _case_choices(form: RatingForm, support_request: SupportRequest) -> RatingForm:
    form.case.choices = [(0, _("Geen praktijkvoorbeeld"))] + [
        (c.id, c.title if c.status == "published" else _("%(title)s (niet gepubliceerd)", title=c.title))
        for c in services.case_choices(support_request)]
    return form


def _detail(request_id: int) -> str:
    return url_for("expertpool.request_detail", request_id=request_id)


@bp.post("/hulpvragen/<int:request_id>/annuleren")
@login_required
def cancel_request(request_id: int):
    form = DecisionForm(prefix="decision")
    form.validate_on_submit()
    return button_action(lambda: services.cancel_request(current_user, request_id, form.note.data),
                _("De hulpvraag is geannuleerd."), _detail(request_id))[1]


@bp.post("/hulpvragen/<int:request_id>/afwijzen")
@login_required
def decline_request(request_id: int):
    form = DecisionForm(prefix="decision")
    form.validate_on_submit()
    return button_action(lambda: services.decline_request(current_user, request_id, form.note.data),
                _("De hulpvraag is afgewezen; de aanvrager krijgt bericht."), _detail(request_id))[1]


@bp.post("/hulpvragen/<int:request_id>/extra-dagen")
@login_required
def approve_allowance(request_id: int):
    return button_action(lambda: services.approve_allowance(current_user, request_id),
                _("De extra dagen zijn goedgekeurd. U kunt nu een expert voorstellen."), _detail(request_id))[1]


@bp.post("/hulpvragen/<int:request_id>/voorstellen")
@login_required
def propose_one(request_id: int):
    outcome, response = button_action(lambda: services.propose(current_user, [request_id]), None, _detail(request_id))
    if outcome is not None:
        _flash_outcome(outcome)
    return response


@bp.post("/beheer/hulpvragen/voorstellen")
@login_required
def propose_all():
    outcome, response = button_action(lambda: services.propose(current_user), None, url_for("expertpool.queue"))
    if outcome is not None:
        _flash_outcome(outcome)
    return response


def _flash_outcome(outcome: services.ProposeOutcome) -> None:
    if outcome.proposed:
        flash(ngettext("Voor %(num)s hulpvraag is een expert voorgesteld. Controleer het voorstel en bevestig het.",
                       "Voor %(num)s hulpvragen is een expert voorgesteld. Controleer de voorstellen en bevestig ze.",
                       len(outcome.proposed)), "success")
    if outcome.unassigned:
        flash(ngettext("Voor %(num)s hulpvraag is geen passende expert met ruimte gevonden: %(why)s.",
                       "Voor %(num)s hulpvragen is geen passende expert met ruimte gevonden: %(why)s.",
                       len(outcome.unassigned), why=outcome.message or _("geen toegestane expert")), "warning")
    if outcome.skipped:
        flash(ngettext("%(num)s hulpvraag wacht eerst op goedkeuring van extra dagen.",
                       "%(num)s hulpvragen wachten eerst op goedkeuring van extra dagen.", len(outcome.skipped)),
              "warning")
    if not (outcome.proposed or outcome.unassigned or outcome.skipped):
        flash(_("Er zijn geen open hulpvragen om een expert voor te zoeken."), "info")


@bp.post("/hulpvragen/<int:request_id>/wisselen")
@login_required
def swap(request_id: int):
    proposal_id = request.form.get("proposal_id", type=int) or 0
    return button_action(lambda: services.swap(current_user, request_id, proposal_id),
                _("Het alternatief staat nu voorgesteld. Bevestig het voorstel om de expert te vragen."),
                _detail(request_id))[1]


@bp.post("/hulpvragen/<int:request_id>/bevestigen")
@login_required
def confirm(request_id: int):
    proposal, response = button_action(lambda: services.confirm(current_user, request_id), None, _detail(request_id))
    if proposal is not None:
        flash(_("%(name)s is per e-mail gevraagd om deze hulpvraag op te pakken.", name=proposal.expert.user.name),
              "success")
    return response


@bp.post("/hulpvragen/<int:request_id>/vervangen")
@login_required
def replace(request_id: int):
    alternate, response = button_action(lambda: services.replace_overdue(current_user, request_id), None, _detail(request_id))
    _flash_alternate(alternate)
    return response


def _flash_alternate(alternate) -> None:
    if alternate is None:
        return
    if alternate.status == alternate.CONFIRMED:
        flash(_("%(name)s is nu gevraagd als alternatief.", name=alternate.expert.user.name), "info")


@bp.post("/voorstellen/<int:proposal_id>/accepteren")
@login_required
def accept_proposal(proposal_id: int):
    engagement, response = button_action(lambda: services.accept(current_user, proposal_id),
                                _("U heeft de hulpvraag geaccepteerd. Neem contact op met de aanvrager om te beginnen."),
                                url_for("expertpool.inbox"))
    if engagement is not None:
        return redirect(_detail(engagement.request_id))
    return response


@bp.post("/voorstellen/<int:proposal_id>/afslaan")
@login_required
def decline_proposal(proposal_id: int):
    proposal = db.get_or_404(Proposal, proposal_id)
    request_id = proposal.request_id
    form = AnswerForm(prefix="answer")
    if form.validate_on_submit():
        try:
            services.decline(current_user, proposal_id, form.reason.data)
        except (PermissionDenied, NotFound):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("U heeft de hulpvraag afgeslagen. Bedankt voor uw snelle antwoord."), "success")
            return redirect(url_for("expertpool.inbox"))
    return _render_request(services.get_request(current_user, request_id), answer_form=form)


@bp.post("/hulpvragen/<int:request_id>/sessies")
@login_required
def log_session(request_id: int):
    form = SessionForm(prefix="session")
    if form.validate_on_submit():
        try:
            services.log_session(current_user, request_id, form.held_on.data, float(form.days.data), form.notes.data)
        except (PermissionDenied, NotFound):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De sessie is vastgelegd."), "success")
            return redirect(_detail(request_id) + "#logboek")
    return _render_request(services.get_request(current_user, request_id), session_form=form)


@bp.post("/hulpvragen/<int:request_id>/afronden")
@login_required
def complete(request_id: int):
    form = CompleteForm(prefix="complete")
    if not form.validate_on_submit():
        return _render_request(services.get_request(current_user, request_id), complete_form=form)
    return button_action(lambda: services.complete(current_user, request_id, form.comment.data),
                _("De ondersteuning is afgerond. De aanvrager wordt gevraagd om een beoordeling."),
                _detail(request_id))[1]


@bp.post("/hulpvragen/<int:request_id>/beoordelen")
@login_required
def rate(request_id: int):
    support_request = services.get_request(current_user, request_id)
    form = _case_choices(RatingForm(prefix="rating"), support_request)
    if form.validate_on_submit():
        try:
            services.rate(current_user, request_id, form.rating.data, form.outcome.data, form.comment.data,
                          case_id=form.case.data or None)
        except (PermissionDenied, NotFound):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Bedankt voor uw beoordeling."), "success")
            return redirect(_detail(request_id) + "#terugblik")
    return _render_request(services.get_request(current_user, request_id), rating_form=form)


@bp.post("/hulpvragen/<int:request_id>/terugblik")
@login_required
def expert_feedback(request_id: int):
    form = CompleteForm(prefix="feedback")
    if form.validate_on_submit():
        try:
            services.expert_feedback(current_user, request_id, form.comment.data)
        except (PermissionDenied, NotFound):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Bedankt voor uw terugblik."), "success")
            return redirect(_detail(request_id) + "#terugblik")
    return _render_request(services.get_request(current_user, request_id), feedback_form=form)


# --- attachments -----------------------------------------------------------------------------

@bp.post("/hulpvragen/<int:request_id>/bijlagen")
@login_required
def upload(request_id: int):
    form = AttachmentForm(prefix="attachment")
    if form.validate_on_submit():
        try:
            attachment = services.add_attachment(current_user, request_id, form.file.data)
        except (PermissionDenied, NotFound):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De bijlage %(name)s is toegevoegd.", name=attachment.filename), "success")
            return redirect(_detail(request_id) + "#bijlagen")
    return _render_request(services.get_request(current_user, request_id), attachment_form=form)


@bp.post("/hulpvragen/<int:request_id>/bijlagen/<int:attachment_id>/verwijderen")
@login_required
def delete_attachment(request_id: int, attachment_id: int):
    return button_action(lambda: services.delete_attachment(current_user, request_id, attachment_id),
                _("De bijlage is verwijderd."), _detail(request_id) + "#bijlagen")[1]


@bp.get("/hulpvragen/<int:request_id>/bijlagen/<int:attachment_id>/<path:filename>")
@login_required
def attachment(request_id: int, attachment_id: int, filename: str):
    item = services.get_attachment(current_user, request_id, attachment_id)  # checks who may see the request
    return uploads.send_stored(item.stored_name, item.filename, item.content_type)


# --- coordinator -----------------------------------------------------------------------------

QUEUE_FILTERS = ("open", *SupportRequest.STATUSES)


@bp.get("/beheer/hulpvragen")
@login_required
def queue():
    status = request.args.get("status", "open")
    if status not in QUEUE_FILTERS and status != "alle":
        status = "open"
    page = services.queue(current_user, request.args.get("page", 1, type=int), None if status == "alle" else status)
    counts = services.queue_counts(current_user)
    return render_template("expertpool/queue.html", page=page, status=status, counts=counts,
                           filters=QUEUE_FILTERS, today=services.local_today())


@bp.get("/beheer/dashboard")
@login_required
def dashboard():
    data = services.coordinator_dashboard(current_user)
    return render_template("expertpool/dashboard.html", data=data)


@bp.route("/beheer/instellingen", methods=["GET", "POST"])
@login_required
def settings():
    require(is_coordinator(current_user))
    current = services.get_settings()
    form = SettingsForm(data=current) if request.method == "GET" else SettingsForm()
    if form.validate_on_submit():
        services.save_settings(current_user, {
            "allowance_days": float(form.allowance_days.data),
            "answer_deadline_days": form.answer_deadline_days.data,
            "reminder_after_days": form.reminder_after_days.data,
            "escalate_after_days": form.escalate_after_days.data,
            "continuity_weight": float(form.continuity_weight.data),
            "auto_confirm_alternate": form.auto_confirm_alternate.data,
        })
        flash(_("De instellingen zijn opgeslagen."), "success")
        return redirect(url_for("expertpool.settings"))
    return render_template("expertpool/settings.html", form=form)
