"""Community pages: list, overview, membership, directory, discussions, meetings, calendars."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mvi_community.communities import bp, services
from mvi_community.communities.forms import (
    KIND_LABELS,
    NOTIFY_LABELS,
    POLICY_LABELS,
    ROLE_LABELS,
    TRACK_LABELS,
    CommunityForm,
    InviteForm,
    JoinForm,
    MeetingForm,
    MemberProfileForm,
    PostForm,
    ThreadForm,
    WorkingGroupForm,
    theme_choices,
    working_group_choices,
)
from mvi_community.communities.models import TRACKS
from mvi_community.core.errors import ServiceError
from mvi_community.core.forms import flash_service_error, show_service_error
from mvi_community.core.i18n import current_locale
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.taxonomy import active_themes
from mvi_community.core.transaction import rollback_request
from mvi_community.db import utcnow


def _labels() -> dict:
    return {"track_labels": TRACK_LABELS, "policy_labels": POLICY_LABELS, "kind_labels": KIND_LABELS,
            "role_labels": ROLE_LABELS, "notify_labels": NOTIFY_LABELS}


def _community_page(template: str, community, view, **context):
    return render_template(template, community=community, viewer=view, **_labels(), **context)


# --- list, create, overview ----------------------------------------------------------------------

@bp.get("/")
def index():
    track = request.args.get("spoor")
    track = track if track in TRACKS else None
    cards = services.list_communities(current_user, track)
    return render_template("communities/index.html", cards=cards, track=track, **_labels())


@bp.route("/nieuw", methods=["GET", "POST"])
@login_required
def new():
    require(is_coordinator(current_user))
    form = CommunityForm()
    form.themes.choices = theme_choices(active_themes(), current_locale())
    if form.validate_on_submit():
        try:
            community = services.create_community(current_user, _community_data(form))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De community %(name)s is aangemaakt.", name=community.name), "success")
            return redirect(url_for("communities.detail", slug=community.slug))
    return render_template("communities/form.html", form=form, community=None)


def _community_data(form) -> services.CommunityData:
    return services.CommunityData(name=form.name.data, description=form.description.data or "",
                                  track=form.track.data, membership_policy=form.membership_policy.data,
                                  theme_ids=form.themes.data or [])


@bp.route("/<slug>/bewerken", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    community = services.get_community(slug)
    require(services.is_moderator(current_user, community))
    form = CommunityForm(obj=community)
    form.themes.choices = theme_choices(active_themes(keep=[t.id for t in community.themes]), current_locale())
    if request.method == "GET":
        form.themes.data = [t.id for t in community.themes]
    if form.validate_on_submit():
        services.update_community(current_user, community, _community_data(form))
        flash(_("De gegevens zijn opgeslagen."), "success")
        return redirect(url_for("communities.detail", slug=slug))
    return render_template("communities/form.html", form=form, community=community)


@bp.get("/<slug>")
def detail(slug: str):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    threads = services.latest_threads(community) if view.can_read else []
    return _community_page(
        "communities/detail.html", community, view, threads=threads,
        meetings=services.meetings(community, upcoming=True, limit=4),
        members=services.member_count(community), join_form=JoinForm(),
        thread_counts=services.thread_counts_by_group(community) if view.can_read else {},
    )


# --- membership ----------------------------------------------------------------------------------

@bp.post("/<slug>/lid-worden")
@login_required
def join(slug: str):
    community = services.get_community(slug)
    form = JoinForm()
    if not form.validate_on_submit():
        flash(_("De toelichting is te lang (hoogstens 2000 tekens)."), "error")
        return redirect(url_for("communities.detail", slug=slug))
    try:
        member = services.join(current_user, community, form.motivation.data)
    except ServiceError as error:
        flash_service_error(error)
        return redirect(url_for("communities.detail", slug=slug))
    if member.status == "active":
        flash(_("Welkom! U bent nu lid van %(name)s.", name=community.name), "success")
    else:
        flash(_("Uw aanmelding is verstuurd. Een moderator beslist erover; u krijgt bericht per e-mail."), "success")
    return redirect(url_for("communities.detail", slug=slug))


@bp.post("/<slug>/uitnodiging-accepteren")
@login_required
def accept(slug: str):
    community = services.get_community(slug)
    services.accept_invitation(current_user, community)
    flash(_("Welkom! U bent nu lid van %(name)s.", name=community.name), "success")
    return redirect(url_for("communities.detail", slug=slug))


@bp.post("/<slug>/verlaten")
@login_required
def leave(slug: str):
    community = services.get_community(slug)
    try:
        services.leave(current_user, community)
    except ServiceError as error:
        flash_service_error(error)
        return redirect(url_for("communities.detail", slug=slug))
    flash(_("U bent geen lid meer van %(name)s.", name=community.name), "success")
    return redirect(url_for("communities.detail", slug=slug))


@bp.get("/<slug>/beheer")
@login_required
def manage(slug: str):
    community = services.get_community(slug)
    require(services.is_moderator(current_user, community))
    view = services.viewer(current_user, community)
    return _community_page(
        "communities/manage.html", community, view, pending=services.pending_members(current_user, community),
        members=services.directory_page(current_user, community, per_page=100) if view.can_read else None,
        invite_form=InviteForm(), group_form=WorkingGroupForm(),
    )


@bp.post("/<slug>/aanmeldingen/<int:member_id>/<any(goedkeuren,afwijzen):decision>")
@login_required
def decide(slug: str, member_id: int, decision: str):
    community = services.get_community(slug)
    member = services.decide_request(current_user, community, member_id, decision == "goedkeuren")
    if decision == "goedkeuren":
        flash(_("%(name)s is nu lid.", name=member.user.name), "success")
    else:
        flash(_("De aanmelding van %(name)s is afgewezen.", name=member.user.name), "success")
    return redirect(url_for("communities.manage", slug=slug))


@bp.post("/<slug>/uitnodigen")
@login_required
def invite(slug: str):
    community = services.get_community(slug)
    require(services.is_moderator(current_user, community))
    form = InviteForm()
    if form.validate_on_submit():
        try:
            member = services.invite(current_user, community, form.email.data)
        except ServiceError as error:
            flash_service_error(error)
        else:
            flash(_("%(name)s is uitgenodigd.", name=member.user.name), "success")
    else:
        flash(_("Vul een geldig e-mailadres in."), "error")
    return redirect(url_for("communities.manage", slug=slug))


@bp.post("/<slug>/leden/<int:member_id>/rol")
@login_required
def change_role(slug: str, member_id: int):
    community = services.get_community(slug)
    try:
        services.set_role(current_user, community, member_id, request.form.get("role", ""))
    except ServiceError as error:
        if error.status_code != 400:
            raise
        flash_service_error(error)
    else:
        flash(_("De rol is gewijzigd."), "success")
    return redirect(url_for("communities.manage", slug=slug))


@bp.post("/<slug>/werkgroepen")
@login_required
def add_group(slug: str):
    community = services.get_community(slug)
    require(services.is_moderator(current_user, community))
    form = WorkingGroupForm()
    if form.validate_on_submit():
        try:
            group = services.add_working_group(current_user, community, form.name.data, form.description.data)
        except ServiceError as error:
            flash_service_error(error)
        else:
            flash(_("De werkgroep %(name)s is toegevoegd.", name=group.name), "success")
    else:
        flash(_("Geef de werkgroep een naam."), "error")
    return redirect(url_for("communities.manage", slug=slug))


@bp.get("/<slug>/leden")
@login_required
def members(slug: str):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    q = (request.args.get("q") or "").strip()[:100]
    theme = request.args.get("thema") or None
    page = services.directory_page(current_user, community, request.args.get("page", 1, type=int), q=q, theme=theme)
    return _community_page("communities/members.html", community, view, page=page, q=q, theme=theme,
                           themes=active_themes())


@bp.route("/<slug>/mijn-profiel", methods=["GET", "POST"])
@login_required
def profile(slug: str):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    require(view.is_member, _("Word eerst lid van deze community."))
    form = MemberProfileForm(obj=view.member)
    form.themes.choices = theme_choices(active_themes(keep=[t.id for t in view.member.themes]), current_locale())
    if request.method == "GET":
        form.themes.data = [t.id for t in view.member.themes]
    if form.validate_on_submit():
        services.update_profile(current_user, community, form.intro.data, form.themes.data, form.notify.data)
        flash(_("Uw profiel in deze community is opgeslagen."), "success")
        return redirect(url_for("communities.members", slug=slug))
    return _community_page("communities/profile.html", community, view, form=form)


# --- working groups and discussions --------------------------------------------------------------

@bp.get("/<slug>/werkgroepen/<group_slug>")
def working_group(slug: str, group_slug: str):
    community = services.get_community(slug)
    group = services.get_working_group(community, group_slug)
    view = services.viewer(current_user, community)
    page = services.threads_page(current_user, community, request.args.get("page", 1, type=int),
                                 working_group_id=group.id) if view.can_read else None
    return _community_page("communities/working_group.html", community, view, group=group, page=page,
                           meetings=services.meetings(community, upcoming=True, working_group_id=group.id))


@bp.get("/<slug>/discussies")
@login_required
def threads(slug: str):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    page = services.threads_page(current_user, community, request.args.get("page", 1, type=int))
    return _community_page("communities/threads.html", community, view, page=page)


@bp.route("/<slug>/discussies/nieuw", methods=["GET", "POST"])
@login_required
def new_thread(slug: str):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    require(view.can_read, _("Alleen leden van deze community starten een discussie."))
    form = ThreadForm()
    form.working_group.choices = working_group_choices(community)
    if request.method == "GET" and request.args.get("werkgroep", type=int):
        form.working_group.data = request.args.get("werkgroep", type=int)
    if form.validate_on_submit():
        try:
            thread = services.create_thread(current_user, community, form.title.data, form.body.data,
                                            form.kind.data, form.working_group.data or None)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Uw bericht is geplaatst."), "success")
            return redirect(url_for("communities.thread", slug=slug, thread_id=thread.id))
    return _community_page("communities/thread_form.html", community, view, form=form)


@bp.get("/<slug>/discussies/<int:thread_id>")
@login_required
def thread(slug: str, thread_id: int):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    thread = services.get_thread(current_user, community, thread_id)
    return _community_page("communities/thread.html", community, view, thread=thread, form=PostForm(),
                           following=services.is_following(current_user, thread),
                           can_choose=thread.kind == "question" and (thread.author_id == current_user.id
                                                                    or view.is_moderator))


@bp.post("/<slug>/discussies/<int:thread_id>/reageren")
@login_required
def reply(slug: str, thread_id: int):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    thread = services.get_thread(current_user, community, thread_id)
    form = PostForm()
    if form.validate_on_submit():
        try:
            post = services.reply(current_user, thread, form.body.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Uw reactie is geplaatst."), "success")
            return redirect(url_for("communities.thread", slug=slug, thread_id=thread.id, _anchor=f"post-{post.id}"))
    rollback_request()
    return _community_page("communities/thread.html", community, view, thread=thread, form=form,
                           following=services.is_following(current_user, thread),
                           can_choose=thread.kind == "question" and (thread.author_id == current_user.id
                                                                    or view.is_moderator)), 400


@bp.post("/<slug>/discussies/<int:thread_id>/<any(volgen,ontvolgen):action>")
@login_required
def follow(slug: str, thread_id: int, action: str):
    community = services.get_community(slug)
    thread = services.get_thread(current_user, community, thread_id)
    if action == "volgen":
        services.follow(current_user, thread)
        flash(_("U volgt deze discussie. U krijgt e-mail volgens uw instelling in deze community."), "success")
    else:
        services.unfollow(current_user, thread)
        flash(_("U volgt deze discussie niet meer."), "success")
    return redirect(url_for("communities.thread", slug=slug, thread_id=thread_id))


@bp.post("/<slug>/discussies/<int:thread_id>/beste-antwoord")
@login_required
def best_answer(slug: str, thread_id: int):
    community = services.get_community(slug)
    thread = services.get_thread(current_user, community, thread_id)
    post_id = request.form.get("post_id", type=int)
    services.mark_best_answer(current_user, thread, post_id or None)
    flash(_("Het beste antwoord is gemarkeerd.") if post_id else _("Het beste antwoord is weer vrijgegeven."), "success")
    return redirect(url_for("communities.thread", slug=slug, thread_id=thread_id,
                            _anchor=f"post-{post_id}" if post_id else None))


@bp.route("/<slug>/berichten/<int:post_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_post(slug: str, post_id: int):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    post = services.get_post(community, post_id)
    require(services.can_edit_post(current_user, post), _("U kunt alleen uw eigen berichten bewerken."))
    form = PostForm(obj=post)
    if form.validate_on_submit():
        try:
            services.edit_post(current_user, post, form.body.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Uw bericht is bijgewerkt."), "success")
            return redirect(url_for("communities.thread", slug=slug, thread_id=post.thread_id, _anchor=f"post-{post.id}"))
    return _community_page("communities/post_edit.html", community, view, post=post, form=form)


@bp.get("/<slug>/berichten/<int:post_id>/geschiedenis")
@login_required
def post_history(slug: str, post_id: int):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    post = services.get_post(community, post_id)
    revisions = services.post_history(current_user, community, post)
    return _community_page("communities/post_history.html", community, view, post=post, revisions=revisions)


# --- meetings ------------------------------------------------------------------------------------

@bp.get("/<slug>/bijeenkomsten")
def meetings(slug: str):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    return _community_page("communities/meetings.html", community, view,
                           upcoming=services.meetings(community, upcoming=True),
                           past=services.meetings(community, upcoming=False, limit=12))


def _meeting_data(form) -> services.MeetingData:
    return services.MeetingData(
        title=form.title.data, day=form.day.data, start=form.start.data, end=form.end.data,
        location=form.location.data, online_url=form.online_url.data, agenda=form.agenda.data,
        capacity=form.capacity.data, working_group_id=form.working_group.data or None)


@bp.route("/<slug>/bijeenkomsten/nieuw", methods=["GET", "POST"])
@login_required
def new_meeting(slug: str):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    require(view.is_moderator, _("Alleen moderatoren plannen bijeenkomsten."))
    form = MeetingForm()
    form.working_group.choices = working_group_choices(community)
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(current_user, community, _meeting_data(form))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De bijeenkomst is gepland."), "success")
            return redirect(url_for("communities.meeting", slug=slug, meeting_id=meeting.id))
    return _community_page("communities/meeting_form.html", community, view, form=form, meeting=None)


@bp.route("/<slug>/bijeenkomsten/<int:meeting_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_meeting(slug: str, meeting_id: int):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    require(view.is_moderator, _("Alleen moderatoren wijzigen bijeenkomsten."))
    meeting = services.get_meeting(community, meeting_id)
    form = MeetingForm(obj=meeting)
    form.working_group.choices = working_group_choices(community)
    if request.method == "GET":
        start, end = services.to_local(meeting.starts_at), services.to_local(meeting.ends_at)
        form.day.data, form.start.data, form.end.data = start.date(), start.time(), end.time()
        form.working_group.data = meeting.working_group_id or 0
    if form.validate_on_submit():
        try:
            services.update_meeting(current_user, meeting, _meeting_data(form))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De bijeenkomst is bijgewerkt."), "success")
            return redirect(url_for("communities.meeting", slug=slug, meeting_id=meeting.id))
    return _community_page("communities/meeting_form.html", community, view, form=form, meeting=meeting)


@bp.get("/<slug>/bijeenkomsten/<int:meeting_id>")
def meeting(slug: str, meeting_id: int):
    community = services.get_community(slug)
    view = services.viewer(current_user, community)
    meeting = services.get_meeting(community, meeting_id)
    attendance = services.attendance(meeting, current_user)
    going, waiting = services.attendees(current_user, meeting) if view.can_read else ([], [])
    position = services.waiting_position(attendance.mine) if attendance.mine else None
    return _community_page("communities/meeting.html", community, view, meeting=meeting, attendance=attendance,
                           going=going, waiting=waiting, position=position, is_past=meeting.ends_at < utcnow())


@bp.post("/<slug>/bijeenkomsten/<int:meeting_id>/<any(aanmelden,afmelden):action>")
@login_required
def rsvp(slug: str, meeting_id: int, action: str):
    community = services.get_community(slug)
    meeting = services.get_meeting(community, meeting_id)
    if action == "aanmelden":
        row = services.rsvp(current_user, meeting)
        if row.status == "going":
            flash(_("U bent aangemeld. Voeg de bijeenkomst toe aan uw agenda met het .ics-bestand."), "success")
        else:
            flash(_("De bijeenkomst is vol. U staat op de wachtlijst en krijgt bericht zodra er een plaats vrijkomt."),
                  "success")
    else:
        services.cancel(current_user, meeting)
        flash(_("U bent afgemeld."), "success")
    return redirect(url_for("communities.meeting", slug=slug, meeting_id=meeting_id))


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/<slug>/bijeenkomsten/<int:meeting_id>.ics")
def meeting_ics(slug: str, meeting_id: int):
    community = services.get_community(slug)
    meeting = services.get_meeting(community, meeting_id)
    return _ics(services.meeting_ics(current_user, meeting), f"bijeenkomst-{meeting.id}.ics")


@bp.get("/<slug>/agenda.ics")
def feed(slug: str):
    community = services.get_community(slug)
    return _ics(services.community_feed(community), f"{community.slug}.ics")
