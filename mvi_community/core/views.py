"""Pages that belong to no domain: home, accessibility statement, privacy, language, the admin hub,
outbox, audit log, and the coordinator's page of themes and product groups (core.taxonomy)."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mvi_community.core import bp, permissions, services, taxonomy_services
from mvi_community.core.forms import LanguageForm, form_action
from mvi_community.core.i18n import current_locale
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.taxonomy_forms import (
    ClusterForm,
    NewClusterForm,
    NewProductGroupForm,
    ProductGroupForm,
    ThemeForm,
)
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


# --- themes, product clusters and product groups (core.taxonomy) -------------------------------



def _saved(message):
    """The success message of an edit: `message()` (built after the change, so it shows a new name),
    or "nothing changed" (as information) when the service reports no changed fields."""
    return lambda changed: (message(), "success") if changed else (_("Er is niets gewijzigd."), "info")


@bp.get("/beheer/themas-en-productgroepen")
@login_required
def taxonomy():
    return render_template("core/taxonomy.html", overview=taxonomy_services.overview(current_user))


@bp.route("/beheer/themas-en-productgroepen/themas/<code>/bewerken", methods=["GET", "POST"])
@login_required
def taxonomy_theme(code: str):
    placed = taxonomy_services.theme_for_edit(current_user, code)
    theme = placed.item
    form = ThemeForm(obj=theme)
    if request.method == "GET":
        form.position.data = placed.place
    if form.validate_on_submit():
        data = taxonomy_services.ThemeData(name_nl=form.name_nl.data, name_en=form.name_en.data,
                                           active=form.active.data, place=form.position.data)
        done = form_action(form, lambda: taxonomy_services.update_theme(current_user, theme, data),
                           _saved(lambda: _("Het thema %(name)s is opgeslagen.", name=theme.name(current_locale()))),
                           url_for("core.taxonomy") + "#themas")
        if done:
            return done
    return render_template("core/taxonomy_theme.html", form=form, theme=theme, count=placed.count)


@bp.route("/beheer/themas-en-productgroepen/clusters/nieuw", methods=["GET", "POST"])
@login_required
def taxonomy_new_cluster():
    taxonomy_services.require_coordinator(current_user)
    form = NewClusterForm()
    if form.validate_on_submit():
        data = taxonomy_services.ClusterData(code=form.code.data, name_nl=form.name_nl.data, name_en=form.name_en.data)
        done = form_action(form, lambda: taxonomy_services.create_cluster(current_user, data),
                           lambda cluster: _("Het productcluster %(name)s is toegevoegd.",
                                             name=cluster.name(current_locale())),
                           url_for("core.taxonomy") + "#clusters")
        if done:
            return done
    return render_template("core/taxonomy_cluster.html", form=form, cluster=None, count=None)


@bp.route("/beheer/themas-en-productgroepen/clusters/<code>/bewerken", methods=["GET", "POST"])
@login_required
def taxonomy_cluster(code: str):
    placed = taxonomy_services.cluster_for_edit(current_user, code)
    cluster = placed.item
    form = ClusterForm(obj=cluster)
    if request.method == "GET":
        form.position.data = placed.place
    if form.validate_on_submit():
        data = taxonomy_services.ClusterData(name_nl=form.name_nl.data, name_en=form.name_en.data,
                                             place=form.position.data)
        done = form_action(form, lambda: taxonomy_services.update_cluster(current_user, cluster, data),
                           _saved(lambda: _("Het productcluster %(name)s is opgeslagen.", name=cluster.name(current_locale()))),
                           url_for("core.taxonomy") + "#clusters")
        if done:
            return done
    return render_template("core/taxonomy_cluster.html", form=form, cluster=cluster, count=placed.count)


def _group_form(form, group=None):
    clusters = taxonomy_services.cluster_choices(current_user)
    form.cluster.choices = [("", _("Kies een productcluster"))] + [(c.code, c.name(current_locale())) for c in clusters]
    if group is not None and group.cluster not in {c.code for c in clusters}:  # a cluster code without a row
        form.cluster.choices.append((group.cluster, group.cluster))
    return form


@bp.route("/beheer/themas-en-productgroepen/productgroepen/nieuw", methods=["GET", "POST"])
@login_required
def taxonomy_new_group():
    form = _group_form(NewProductGroupForm())
    if form.validate_on_submit():
        data = taxonomy_services.ProductGroupData(code=form.code.data, name_nl=form.name_nl.data,
                                                  name_en=form.name_en.data, cluster=form.cluster.data,
                                                  active=form.active.data)
        done = form_action(form, lambda: taxonomy_services.create_product_group(current_user, data),
                           lambda group: _("De productgroep %(name)s is toegevoegd.", name=group.name(current_locale())),
                           url_for("core.taxonomy") + "#productgroepen")
        if done:
            return done
    return render_template("core/taxonomy_group.html", form=form, group=None)


@bp.route("/beheer/themas-en-productgroepen/productgroepen/<code>/bewerken", methods=["GET", "POST"])
@login_required
def taxonomy_group(code: str):
    group = taxonomy_services.get_product_group(current_user, code)
    form = _group_form(ProductGroupForm(obj=group), group)
    if form.validate_on_submit():
        data = taxonomy_services.ProductGroupData(name_nl=form.name_nl.data, name_en=form.name_en.data,
                                                  cluster=form.cluster.data, active=form.active.data)
        done = form_action(form, lambda: taxonomy_services.update_product_group(current_user, group, data),
                           _saved(lambda: _("De productgroep %(name)s is opgeslagen.", name=group.name(current_locale()))),
                           url_for("core.taxonomy") + "#productgroepen")
        if done:
            return done
    return render_template("core/taxonomy_group.html", form=form, group=group)
