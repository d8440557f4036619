"""The strategic procurement plan: worksheet, plan page, print view, XLSX and "request expert support"."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mvi_community.core.errors import PermissionDenied, ServiceError
from mvi_community.core.forms import flash_service_error, form_action, show_service_error
from mvi_community.core.i18n import current_locale
from mvi_community.core.taxonomy import active_product_groups, active_themes
from mvi_community.criteria import bp
from mvi_community.criteria.forms import SpendForm, TenderForm, make_ambitions_form
from mvi_community.criteria.services import plan as plans
from mvi_community.criteria.views import _context, _download


@bp.get("/inkoopplan")
@login_required
def plan_start():
    organisations = [m.organisation for m in current_user.memberships]
    if not organisations:
        raise PermissionDenied(_("U ziet hier het inkoopplan van uw organisatie zodra u lid bent van een organisatie."))
    return redirect(url_for("criteria.plan", org=organisations[0].code))


def _plan_context(organisation, plan=False, **extra):
    """`plan`: the plan when the view has already loaded it (None: it has none)."""
    if plan is False:
        plan = plans.get_plan(current_user, organisation)
    action_plan, goals = plans.manifest_goals(organisation, current_user)
    return _context(organisation=organisation, plan=plan, action_plan=action_plan, goals=goals,
                    can_edit=plans.can_edit(current_user, organisation),
                    organisations=[m.organisation for m in current_user.memberships], **extra)


@bp.get("/inkoopplan/<org>")
@login_required
def plan(org: str):
    organisation = plans.get_organisation(current_user, org)
    return render_template("criteria/plan.html", **_plan_context(organisation))


@bp.get("/inkoopplan/<org>/afdrukken")
@login_required
def plan_print(org: str):
    organisation = plans.get_organisation(current_user, org)
    return render_template("criteria/plan_print.html", **_plan_context(organisation))


@bp.get("/inkoopplan/<org>.xlsx")
@login_required
def plan_xlsx(org: str):
    from mvi_community.criteria.services import exports

    organisation = plans.get_organisation(current_user, org)
    data = exports.plan_xlsx(organisation, plans.get_plan(current_user, organisation), current_locale())
    return _download(data, f"inkoopplan-{organisation.code}.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _group_choices(keep=None) -> list[tuple[int, str]]:
    """The active product groups (plus `keep`, the edited item's group, should it have been retired)."""
    groups = active_product_groups(keep=[keep.id] if keep is not None else ())
    locale = current_locale()
    return [(0, _("Kies een productgroep"))] + [(g.id, g.name(locale)) for g in groups]


def _selection_choices(organisation) -> list[tuple[int, str]]:
    choices = [(0, _("Nog geen selectie"))]
    for selection, usable in plans.selection_choices(organisation):
        choices.append((selection.id, selection.name if usable else _(
            "%(name)s (eerst bijwerken naar de huidige versie)", name=selection.name)))
    return choices


def _forms(organisation, spend_form=None, tender_form=None):
    groups = _group_choices()
    spend_form = spend_form or SpendForm(prefix="spend")
    tender_form = tender_form or TenderForm(prefix="tender")
    spend_form.product_group.choices = groups
    tender_form.product_group.choices = groups
    tender_form.selection.choices = _selection_choices(organisation)
    return spend_form, tender_form


def _tender_data(form: TenderForm) -> plans.TenderData:
    return plans.TenderData(form.title.data, form.product_group.data, form.planned_on.data, form.level.data,
                            form.estimated_value.data, form.selection.data or None, form.notes.data)


@bp.route("/inkoopplan/<org>/bewerken", methods=["GET", "POST"])
@login_required
def edit_plan(org: str):
    organisation = plans.get_organisation(current_user, org)
    if not plans.can_edit(current_user, organisation):
        raise PermissionDenied(_("Alleen leden van %(org)s kunnen dit inkoopplan bewerken.", org=organisation.name))
    current = plans.get_plan(current_user, organisation)
    themes = active_themes(keep=[a.theme_id for a in current.ambitions] if current is not None else ())
    form = make_ambitions_form(themes)
    if request.method == "GET" and current is not None:
        form.summary.data = current.summary
        for ambition in current.ambitions:
            if f"level_{ambition.theme_id}" in form:
                form[f"level_{ambition.theme_id}"].data = ambition.level
                form[f"text_{ambition.theme_id}"].data = ambition.ambition
    if form.validate_on_submit():
        values = {t.id: (form[f"level_{t.id}"].data, form[f"text_{t.id}"].data) for t in themes}
        try:
            plans.save_ambitions(current_user, organisation, form.summary.data, values)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("De ambities zijn opgeslagen."), "success")
            return redirect(url_for("criteria.edit_plan", org=org))
    spend_form, tender_form = _forms(organisation)
    context = _plan_context(organisation, plan=current, form=form, themes=themes, spend_form=spend_form,
                            tender_form=tender_form)
    return render_template("criteria/plan_form.html", **context)


@bp.post("/inkoopplan/<org>/inkoopcategorieen")
@login_required
def add_spend(org: str):
    organisation = plans.get_organisation(current_user, org)
    spend_form, tender_form = _forms(organisation, spend_form=SpendForm(prefix="spend"))
    if spend_form.validate_on_submit():
        try:
            plans.add_spend(current_user, organisation, spend_form.product_group.data, spend_form.annual_spend.data,
                            spend_form.notes.data)
        except ServiceError as error:
            show_service_error(spend_form, error)
        else:
            flash(_("De inkoopcategorie is toegevoegd."), "success")
            return redirect(url_for("criteria.edit_plan", org=org) + "#inkoopcategorieen")
    return _invalid(organisation, spend_form, tender_form)


@bp.post("/inkoopplan/<org>/aanbestedingen")
@login_required
def add_tender(org: str):
    organisation = plans.get_organisation(current_user, org)
    spend_form, tender_form = _forms(organisation, tender_form=TenderForm(prefix="tender"))
    if tender_form.validate_on_submit():
        try:
            plans.add_tender(current_user, organisation, _tender_data(tender_form))
        except ServiceError as error:
            show_service_error(tender_form, error)
        else:
            flash(_("De aanbesteding is toegevoegd."), "success")
            return redirect(url_for("criteria.edit_plan", org=org) + "#aanbestedingen")
    return _invalid(organisation, spend_form, tender_form)


def _invalid(organisation, spend_form, tender_form):
    if not plans.can_edit(current_user, organisation):
        raise PermissionDenied(_("Alleen leden van %(org)s kunnen dit inkoopplan bewerken.", org=organisation.name))
    current = plans.get_plan(current_user, organisation)
    themes = active_themes(keep=[a.theme_id for a in current.ambitions] if current is not None else ())
    form = make_ambitions_form(themes, formdata=None)
    if current is not None:
        form.summary.data = current.summary
        for ambition in current.ambitions:
            if f"level_{ambition.theme_id}" in form:
                form[f"level_{ambition.theme_id}"].data = ambition.level
                form[f"text_{ambition.theme_id}"].data = ambition.ambition
    context = _plan_context(organisation, plan=current, form=form, themes=themes, spend_form=spend_form,
                            tender_form=tender_form)
    return render_template("criteria/plan_form.html", **context), 400


def _from_plan_page() -> bool:
    """An item's edit form opened from the plan page (`?terug=plan`) returns there; else to the worksheet."""
    return request.args.get("terug") == "plan"


def _back(org: str, anchor: str) -> str:
    return url_for("criteria.plan" if _from_plan_page() else "criteria.edit_plan", org=org) + anchor


def _item_page(organisation, form, item, kind: str, status: int = 200):
    # the plan's current "last updated" moment: after a refusal because someone else changed the plan,
    # the next save (of what the user now sees) goes through
    form.loaded_at.data = item.plan.updated_at.isoformat() if item.plan.updated_at else ""
    anchor = "#inkoopcategorieen" if kind == "spend" else "#aanbestedingen"
    action = url_for("criteria.edit_spend" if kind == "spend" else "criteria.edit_tender", org=organisation.code,
                     item_id=item.id, terug="plan" if _from_plan_page() else None)
    return render_template("criteria/plan_item_form.html", **_context(
        organisation=organisation, form=form, item=item, kind=kind, action=action,
        back=_back(organisation.code, anchor))), status


@bp.route("/inkoopplan/<org>/inkoopcategorieen/<int:item_id>/wijzigen", methods=["GET", "POST"])
@login_required
def edit_spend(org: str, item_id: int):
    organisation = plans.get_organisation(current_user, org)
    item = plans.get_item(current_user, organisation, "spend", item_id)
    form = SpendForm(prefix="spend", data=None if request.method == "POST" else {
        "product_group": item.product_group_id, "annual_spend": item.annual_spend_eur, "notes": item.notes})
    form.product_group.choices = _group_choices(keep=item.product_group)
    if form.validate_on_submit():
        done = form_action(form, lambda: plans.update_spend(
            current_user, organisation, item.id, form.product_group.data, form.annual_spend.data, form.notes.data,
            loaded_at=form.loaded_at.data), _("De inkoopcategorie is gewijzigd."), _back(org, "#inkoopcategorieen"))
        if done:
            return done
    return _item_page(organisation, form, item, "spend", 400 if form.is_submitted() else 200)


@bp.route("/inkoopplan/<org>/aanbestedingen/<int:item_id>/wijzigen", methods=["GET", "POST"])
@login_required
def edit_tender(org: str, item_id: int):
    organisation = plans.get_organisation(current_user, org)
    item = plans.get_item(current_user, organisation, "tender", item_id)
    form = TenderForm(prefix="tender", data=None if request.method == "POST" else {
        "title": item.title, "product_group": item.product_group_id, "planned_on": item.planned_on,
        "level": item.level, "estimated_value": item.estimated_value_eur, "selection": item.selection_id or 0,
        "notes": item.notes})
    form.product_group.choices = _group_choices(keep=item.product_group)
    form.selection.choices = _selection_choices(organisation)
    if form.validate_on_submit():
        done = form_action(form, lambda: plans.update_tender(current_user, organisation, item.id, _tender_data(form),
                                                             loaded_at=form.loaded_at.data),
                           _("De aanbesteding is gewijzigd."), _back(org, "#aanbestedingen"))
        if done:
            return done
    return _item_page(organisation, form, item, "tender", 400 if form.is_submitted() else 200)


@bp.post("/inkoopplan/<org>/<kind>/<int:item_id>/verwijderen")
@login_required
def remove_plan_item(org: str, kind: str, item_id: int):
    organisation = plans.get_organisation(current_user, org)
    if kind not in ("tender", "spend"):
        return redirect(url_for("criteria.edit_plan", org=org))
    try:
        plans.remove_item(current_user, organisation, kind, item_id)
    except ServiceError as error:
        flash_service_error(error)
    else:
        flash(_("Verwijderd."), "success")
    return redirect(url_for("criteria.edit_plan", org=org))
