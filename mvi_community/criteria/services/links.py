"""What the expert pool calls: pre-fill a new support request from a criteria selection
(`?selectie=ID`) or from the procurement plan (`?inkoopplan=ORG`), link the selection once the
request exists, and list a request's attached selections."""
from __future__ import annotations

from flask_babel import gettext as _

from mvi_community.core.errors import ServiceError
from mvi_community.core.params import bounded_int
from mvi_community.criteria.models import LEVELS
from mvi_community.criteria.services import plan as plans
from mvi_community.criteria.services import selections
from mvi_community.criteria.services.selections import selections_for_request  # noqa: F401


def _selection_from(user, args):
    selection_id = bounded_int(args.get("selectie"), minimum=1)
    if not selection_id:
        return None
    try:
        selection = selections.get_selection(user, selection_id)
    except ServiceError:
        return None
    return selection if selections.can_edit(user, selection) else None


def request_prefill(user, args) -> dict:
    selection = _selection_from(user, args)
    if selection is not None:
        criteria = selections.selection_criteria(selection)
        themes = sorted({t.id for c in criteria for t in c.themes})
        lines = [_("Wij willen de volgende MVI-criteria (versie %(year)s) toepassen en zoeken hulp bij het "
                   "uitwerken ervan in onze aanbesteding:", year=selection.version.year)]
        lines += [f"- {c.number} {c.title} ({LEVELS[c.level]})" for c in criteria]
        return {"organisation": selection.organisation_id, "title": selection.name[:200], "goal": "gunningscriteria",
                "themes": themes, "product_group": selection.product_group_id, "description": "\n".join(lines)[:4000]}
    code = args.get("inkoopplan")
    if code:
        try:
            organisation = plans.get_organisation(user, code)
        except ServiceError:
            return {}
        if plans.can_edit(user, organisation):
            values = plans.request_prefill(user, organisation)
            if values.get("product_group") is None:
                values.pop("product_group")
            return values
    return {}


def link_new_request(user, support_request, args) -> None:
    """After the request is created from a selection, attach the selection to it."""
    selection = _selection_from(user, args)
    if selection is not None and selection.organisation_id == support_request.organisation_id:
        selections.attach_to_request(user, selection, support_request.id)
