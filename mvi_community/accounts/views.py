"""Sign-in, account requests, invitations, password reset, profile, organisations, user admin."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from mvi_community.accounts import bp, services
from mvi_community.accounts.forms import (
    ORGANISATION_TYPE_LABELS,
    AcceptExistingForm,
    AcceptInvitationForm,
    AccountRequestForm,
    ChangePasswordForm,
    DecisionForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    MemberRoleForm,
    MembershipForm,
    OrganisationForm,
    PlatformRolesForm,
    ProfileForm,
    ResetPasswordForm,
    organisation_select_choices,
)
from mvi_community.accounts.models import ORGANISATION_TYPES, Organisation
from mvi_community.core.errors import ServiceError
from mvi_community.core.forms import show_service_error
from mvi_community.core.permissions import (
    can_manage_organisation,
    is_coordinator,
    is_member,
    require,
)
from mvi_community.core.urls import safe_next
from mvi_community.extensions import db, email_rate_key, limiter, login_manager


@login_manager.user_loader
def _load_user(user_id: str):
    return services.load_user(user_id)


login_manager.login_view = "accounts.login"
login_manager.login_message_category = "info"


@login_manager.unauthorized_handler
def _unauthorized():
    flash(_("Log in om deze pagina te bekijken."), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))


def _login_limits() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _reset_limits() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


# --- sign in / out ---------------------------------------------------------------------------

@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(_login_limits, methods=["POST"])
@limiter.limit(_login_limits, methods=["POST"], key_func=email_rate_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("Het e-mailadres of wachtwoord klopt niet."))
        else:
            session.clear()
            login_user(user, remember=form.remember.data)
            session["locale"] = user.locale
            flash(_("U bent ingelogd. Welkom, %(name)s.", name=user.name), "success")
            return redirect(safe_next(form.next.data) or url_for("core.home"))
    return render_template("accounts/login.html", form=form)


@bp.post("/uitloggen")
@login_required
def logout():
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("U bent uitgelogd."), "success")
    return redirect(url_for("core.home"))


# --- account request -------------------------------------------------------------------------

def _account_request_limits() -> str:
    return current_app.config["ACCOUNT_REQUEST_RATE_LIMIT"]


@bp.route("/account-aanvragen", methods=["GET", "POST"])
@limiter.limit(_account_request_limits, methods=["POST"])
def request_account():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = AccountRequestForm()
    form.set_organisations(services.organisation_choices())
    if request.method == "GET" and request.args.get("organisatie"):
        match = next((o for o in services.organisation_choices() if o.code == request.args["organisatie"]), None)
        if match:
            form.organisation.data = match.id
    if form.validate_on_submit():
        try:
            services.request_account(
                form.email.data, form.name.data, form.organisation.data, form.password.data,
                form.job_title.data, form.motivation.data, form.locale.data,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            return render_template("accounts/request_sent.html")
    return render_template("accounts/request_account.html", form=form)


@bp.get("/accountaanvragen")
@login_required
def account_requests():
    pending = services.pending_requests_for(current_user)
    return render_template("accounts/account_requests.html", pending=pending, form=DecisionForm())


@bp.post("/accountaanvragen/<int:request_id>/goedkeuren")
@login_required
def approve_request(request_id: int):
    user = services.approve_request(current_user, request_id)
    flash(_("De aanvraag van %(name)s is goedgekeurd.", name=user.name), "success")
    return redirect(url_for("accounts.account_requests"))


@bp.post("/accountaanvragen/<int:request_id>/afwijzen")
@login_required
def reject_request(request_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("De reden is te lang (maximaal 2000 tekens)."), "error")
        return redirect(url_for("accounts.account_requests"))
    account_request = services.reject_request(current_user, request_id, form.note.data)
    flash(_("De aanvraag van %(name)s is afgewezen.", name=account_request.name), "success")
    return redirect(url_for("accounts.account_requests"))


# --- invitations -----------------------------------------------------------------------------

@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = services.get_invitation(token)
    existing = services.get_user_by_email(invitation.email)
    form = AcceptExistingForm() if existing else AcceptInvitationForm(email=invitation.email, name=invitation.name)
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                token, current_user if current_user.is_authenticated else None,
                getattr(form, "name", None) and form.name.data, getattr(form, "password", None) and form.password.data,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            if not current_user.is_authenticated:
                login_user(user)
            flash(_("Welkom bij %(org)s op MVI Community.", org=invitation.organisation.name), "success")
            return redirect(url_for("accounts.organisation", code=invitation.organisation.code))
    return render_template("accounts/accept_invitation.html", invitation=invitation, form=form, existing=existing)


@bp.route("/organisaties/<code>/uitnodigen", methods=["GET", "POST"])
@login_required
def invite(code: str):
    organisation = services.get_organisation(code)
    require(can_manage_organisation(current_user, organisation))
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite(current_user, organisation, form.email.data, form.name.data, form.role.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De uitnodiging is verstuurd naar %(email)s.", email=form.email.data), "success")
            return redirect(url_for("accounts.organisation", code=code))
    return render_template("accounts/invite.html", organisation=organisation, form=form)


@bp.post("/uitnodigingen/<int:invitation_id>/intrekken")
@login_required
def revoke_invitation(invitation_id: int):
    invitation = services.revoke_invitation(current_user, invitation_id)
    flash(_("De uitnodiging voor %(email)s is ingetrokken.", email=invitation.email), "success")
    return redirect(url_for("accounts.organisation", code=invitation.organisation.code))


# --- password reset --------------------------------------------------------------------------

@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit(_reset_limits, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.start_password_reset(form.email.data)
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limits, methods=["POST"])
def reset_password(token: str):
    reset = services.get_password_reset(token)
    form = ResetPasswordForm(email=reset.user.email)
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        flash(_("Uw wachtwoord is gewijzigd. U kunt nu inloggen."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


# --- profile ---------------------------------------------------------------------------------

@bp.route("/profiel", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, form.name.data, form.locale.data)
        session["locale"] = form.locale.data
        flash(_("Uw gegevens zijn opgeslagen."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, password_form=ChangePasswordForm(email=current_user.email, prefix="pw"))


@bp.post("/profiel/wachtwoord")
@login_required
def change_password():
    password_form = ChangePasswordForm(email=current_user.email, prefix="pw")
    if password_form.validate_on_submit():
        try:
            services.change_password(current_user, password_form.current_password.data, password_form.password.data)
        except ServiceError as error:
            show_service_error(password_form, error)
        else:
            flash(_("Uw wachtwoord is gewijzigd."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=ProfileForm(obj=current_user), password_form=password_form), 200


# --- organisations ---------------------------------------------------------------------------

@bp.get("/organisaties")
def organisations():
    q = request.args.get("q", "").strip()
    type_ = request.args.get("type") if request.args.get("type") in ORGANISATION_TYPES else None
    page = services.organisations_page(request.args.get("page", 1, type=int), q=q or None, type_=type_)
    return render_template("accounts/organisations.html", page=page, q=q, type=type_ or "", types=ORGANISATION_TYPE_LABELS)


@bp.get("/organisaties/<code>")
def organisation(code: str):
    organisation = services.get_organisation(code)
    show_members = current_user.is_authenticated
    members = services.organisation_members(organisation) if show_members else []
    manage = can_manage_organisation(current_user, organisation)
    invitations = services.open_invitations(organisation) if manage else []
    return render_template(
        "accounts/organisation.html", organisation=organisation, members=members, manage=manage,
        invitations=invitations, is_member=is_member(current_user, organisation), type_labels=ORGANISATION_TYPE_LABELS,
        role_form=MemberRoleForm(), show_members=show_members, revoke_form=DecisionForm(),
    )


@bp.post("/organisaties/<code>/leden/<int:user_id>")
@login_required
def change_member(code: str, user_id: int):
    organisation = services.get_organisation(code)
    user = services.get_member_of(current_user, organisation, user_id)
    form = MemberRoleForm()
    if form.validate_on_submit():
        services.set_membership(current_user, user, organisation, form.role.data or None)
        flash(_("De rol van %(name)s is bijgewerkt.", name=user.name), "success")
    else:
        flash(_("Kies een geldige rol."), "error")
    return redirect(url_for("accounts.organisation", code=code))


# --- coordinator: users and organisations ----------------------------------------------------

@bp.get("/beheer/gebruikers")
@login_required
def users():
    q = request.args.get("q", "").strip()
    page = services.users_page(current_user, request.args.get("page", 1, type=int), q=q or None)
    return render_template("accounts/users.html", page=page, q=q)


@bp.route("/beheer/gebruikers/<int:user_id>", methods=["GET", "POST"])
@login_required
def user_detail(user_id: int):
    user = services.get_user(current_user, user_id)
    roles_form = PlatformRolesForm(obj=user, prefix="roles")
    membership_form = MembershipForm(prefix="membership")
    membership_form.organisation.choices = organisation_select_choices(services.organisation_choices())
    if request.method == "POST" and request.form.get("action") == "roles" and roles_form.validate_on_submit():
        try:
            services.set_platform_roles(current_user, user, roles_form.is_coordinator.data, roles_form.active.data)
        except ServiceError as error:
            show_service_error(roles_form, error)
        else:
            flash(_("De rollen van %(name)s zijn opgeslagen.", name=user.name), "success")
            return redirect(url_for("accounts.user_detail", user_id=user.id))
    elif request.method == "POST" and request.form.get("action") == "membership" and membership_form.validate_on_submit():
        organisation = db.get_or_404(Organisation, membership_form.organisation.data)
        services.set_membership(current_user, user, organisation, membership_form.role.data)
        flash(_("%(name)s is toegevoegd aan %(org)s.", name=user.name, org=organisation.name), "success")
        return redirect(url_for("accounts.user_detail", user_id=user.id))
    return render_template(
        "accounts/user_detail.html", user=user, roles_form=roles_form, membership_form=membership_form,
        role_form=MemberRoleForm(),
    )


@bp.route("/beheer/organisaties/nieuw", methods=["GET", "POST"])
@login_required
def new_organisation():
    return _organisation_form(None)


@bp.route("/beheer/organisaties/<code>/bewerken", methods=["GET", "POST"])
@login_required
def edit_organisation(code: str):
    return _organisation_form(services.get_organisation(code))


def _organisation_form(organisation):
    require(is_coordinator(current_user))
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        data = services.OrganisationData(
            code=form.code.data.strip().lower(), name=form.name.data.strip(), type=form.type.data,
            kvk=form.kvk.data or None, oin=form.oin.data or None, province=form.province.data or None,
            population=form.population.data, website=form.website.data or None,
        )
        try:
            saved = services.save_organisation(current_user, data, organisation)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De organisatie %(name)s is opgeslagen.", name=saved.name), "success")
            return redirect(url_for("accounts.organisation", code=saved.code))
    return render_template("accounts/organisation_form.html", form=form, organisation=organisation)
