"""Pages that belong to no domain: home, accessibility statement, privacy, language, outbox, audit."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from mvi_community.core import bp, services
from mvi_community.core.forms import LanguageForm
from mvi_community.core import permissions
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.urls import safe_next


@bp.get("/")
def home():
    return render_template("core/home.html", stats=services.home_figures())


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("core/accessibility.html")


@bp.get("/privacy")
def privacy():
    return render_template("core/privacy.html")


@bp.post("/taal")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.language.data
        if current_user.is_authenticated:
            services.set_user_locale(current_user, form.language.data)
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))


@bp.get("/beheer")
@login_required
def admin():
    """One entry to every management task: coordinators see all of them, org admins theirs."""
    coordinator = is_coordinator(current_user)
    organisation_ids = permissions.admin_organisation_ids(current_user)
    require(coordinator or bool(organisation_ids))
    return render_template("core/admin.html", coordinator=coordinator,
                           organisations=services.organisations_by_id(organisation_ids))


@bp.get("/beheer/outbox")
@login_required
def outbox():
    require(is_coordinator(current_user))
    if not current_app.config["OUTBOX_PAGE_ENABLED"]:
        abort(404)
    page = services.outbox_page(request.args.get("page", 1, type=int))
    return render_template("core/outbox.html", page=page)


@bp.get("/beheer/audit")
@login_required
def audit_log():
    require(is_coordinator(current_user))
    page = services.audit_page(request.args.get("page", 1, type=int), action=request.args.get("action") or None)
    return render_template("core/audit.html", page=page, action=request.args.get("action", ""))


@bp.get("/healthz")
def health():
    services.database_ping()
    return {"status": "ok"}
