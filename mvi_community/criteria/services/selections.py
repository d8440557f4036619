"""Saved selections: a buyer's ticked criteria of one product group against one version.

Visible to members of the selection's organisation (and coordinators); edited by its owner and the
organisation's admins. Another organisation gets a 404: it may not even learn that it exists.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.accounts.models import Organisation
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.pagination import paginate
from mvi_community.core.permissions import is_coordinator, is_member, require
from mvi_community.core.taxonomy import ProductGroup
from mvi_community.criteria import diff
from mvi_community.criteria.models import (
    CriteriaVersion,
    Selection,
    SelectionCaseLink,
    SelectionItem,
    SelectionRequestLink,
)
from mvi_community.criteria.services.catalogue import as_data, criteria_of, current_version
from mvi_community.criteria.services.common import member_organisation_ids
from mvi_community.extensions import db


def can_view(user, selection: Selection) -> bool:
    return is_coordinator(user) or selection.organisation_id in member_organisation_ids(user)


def can_edit(user, selection: Selection) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    roles = {m.organisation_id: m.role for m in user.memberships}
    if selection.organisation_id not in roles:
        return False
    return selection.owner_id == user.id or roles[selection.organisation_id] == "org_admin"


def get_selection(user, selection_id: int) -> Selection:
    selection = db.session.scalar(select(Selection).where(Selection.id == selection_id).options(
        selectinload(Selection.items), joinedload(Selection.organisation), joinedload(Selection.version),
        joinedload(Selection.product_group), joinedload(Selection.owner)))
    if selection is None or not can_view(user, selection):
        raise NotFound()
    return selection


def organisation_selections(user, organisation: Organisation, page: int = 1, per_page: int = 25):
    """A page of the organisation's selections, the most recently changed first."""
    require(is_coordinator(user) or is_member(user, organisation))
    return paginate(
        select(Selection).where(Selection.organisation_id == organisation.id)
        .options(selectinload(Selection.items), selectinload(Selection.version),
                 selectinload(Selection.product_group), selectinload(Selection.owner))
        .order_by(Selection.updated_at.desc(), Selection.id.desc()), page, per_page)


def create_selection(user, organisation: Organisation, version: CriteriaVersion, group: ProductGroup,
                     numbers: list[str], name: str) -> Selection:
    if not is_member(user, organisation):
        raise ServiceError(_l("U kunt alleen een selectie opslaan voor een organisatie waarvan u lid bent."),
                           field="organisation")
    if not version.published:
        raise ServiceError(_l("Kies criteria uit een gepubliceerde versie."))
    name = (name or "").strip()
    if not name:
        raise ServiceError(_l("Geef de selectie een naam."), field="name")
    if len(name) > 200:
        raise ServiceError(_l("De naam is te lang (hoogstens 200 tekens)."), field="name")
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    if not wanted:
        raise ServiceError(_l("Vink minstens één criterium aan."), field="numbers")
    available = {c.number: c for c in criteria_of(version, group)}
    unknown = [n for n in wanted if n not in available]
    if unknown:
        raise ServiceError(_l("Deze criteria horen niet bij %(group)s in versie %(year)s: %(numbers)s.",
                              group=group.name_nl, year=version.year, numbers=", ".join(unknown)), field="numbers")
    order = {number: index for index, number in enumerate(available)}
    selection = Selection(name=name, owner_id=user.id, organisation=organisation, version=version,
                          product_group=group)
    selection.items = [SelectionItem(number=n, title=available[n].title, position=order[n])
                       for n in sorted(wanted, key=order.get)]
    db.session.add(selection)
    db.session.flush()
    audit("criteria.selection_saved", selection, actor=user, numbers=[i.number for i in selection.items])
    return selection


def selection_criteria(selection: Selection, group_criteria: list | None = None):
    """The selected criteria in their version (from `group_criteria`, the whole group in that version, when given)."""
    if group_criteria is None:
        return criteria_of(selection.version, selection.product_group, numbers=selection.numbers)
    chosen = set(selection.numbers)
    return [c for c in group_criteria if c.number in chosen]


@dataclass
class SelectionChanges:
    current: CriteriaVersion
    changes: list[diff.Change]  # changed or removed selected criteria, and criteria added since


def changes_since(selection: Selection, group_criteria: list | None = None) -> SelectionChanges | None:
    """What changed in the current version for the criteria this selection used (None when it is current)."""
    current = current_version()
    if current is None or current.id == selection.version_id or current.year < selection.version.year:
        return None
    old_all = group_criteria if group_criteria is not None else criteria_of(selection.version, selection.product_group)
    chosen = set(selection.numbers)
    old_numbers = {c.number for c in old_all}
    new = [c for c in criteria_of(current, selection.product_group) if c.number in chosen or c.number not in old_numbers]
    old = [c for c in old_all if c.number in chosen]
    return SelectionChanges(current, diff.compare([as_data(c) for c in old], [as_data(c) for c in new]))


def update_to_current(user, selection: Selection) -> tuple[Selection, list[str]]:
    """Move the selection to the current version; criteria removed since are dropped (and named)."""
    require(can_edit(user, selection), _l("Alleen de eigenaar of een beheerder van de organisatie kan deze selectie wijzigen."))
    current = current_version()
    if current is None or current.id == selection.version_id:
        raise ServiceError(_l("Deze selectie gebruikt de huidige versie al."))
    available = {c.number: c for c in criteria_of(current, selection.product_group)}
    dropped = [i.number for i in selection.items if i.number not in available]
    selection.items = [i for i in selection.items if i.number in available]
    for item in selection.items:
        item.title = available[item.number].title
    if not selection.items:
        raise ServiceError(_l("Geen van de gekozen criteria bestaat nog in de huidige versie; maak een nieuwe selectie."))
    old_year = selection.version.year
    selection.version = current
    db.session.flush()
    audit("criteria.selection_updated", selection, actor=user, old=old_year, new=current.year, dropped=dropped)
    return selection, dropped


def delete_selection(user, selection: Selection) -> None:
    require(can_edit(user, selection), _l("Alleen de eigenaar of een beheerder van de organisatie kan deze selectie verwijderen."))
    audit("criteria.selection_deleted", selection, actor=user, name=selection.name)
    db.session.delete(selection)
    db.session.flush()


# --- links to expert-pool requests and cases -------------------------------------------------

def attachable_requests(user, selection: Selection):
    from mvi_community.expertpool.models import SupportRequest

    if not can_edit(user, selection):
        return []
    linked = select(SelectionRequestLink.request_id).where(SelectionRequestLink.selection_id == selection.id)
    return list(db.session.scalars(
        select(SupportRequest).where(SupportRequest.organisation_id == selection.organisation_id,
                                     SupportRequest.status.not_in(SupportRequest.CLOSED),
                                     SupportRequest.id.not_in(linked))
        .order_by(SupportRequest.id.desc())))


def attach_to_request(user, selection: Selection, request_id: int) -> SelectionRequestLink:
    from mvi_community.expertpool.models import SupportRequest

    require(can_edit(user, selection), _l("Alleen de eigenaar of een beheerder van de organisatie kan deze selectie koppelen."))
    support_request = db.session.get(SupportRequest, request_id)
    if support_request is None or support_request.organisation_id != selection.organisation_id:
        raise ServiceError(_l("Kies een hulpvraag van uw eigen organisatie."), field="request")
    if support_request.status in SupportRequest.CLOSED:
        raise ServiceError(_l("Deze hulpvraag is afgesloten."), field="request")
    exists = db.session.scalar(select(SelectionRequestLink).where(SelectionRequestLink.selection_id == selection.id,
                                                                  SelectionRequestLink.request_id == request_id))
    if exists is not None:
        raise ServiceError(_l("Deze selectie hangt al aan die hulpvraag."), field="request")
    link = SelectionRequestLink(selection=selection, request_id=request_id)
    db.session.add(link)
    db.session.flush()
    audit("criteria.selection_attached_to_request", selection, actor=user, request_id=request_id)
    return link


def attachable_cases(user, selection: Selection):
    from mvi_community.cases.models import Case

    if not can_edit(user, selection):
        return []
    linked = select(SelectionCaseLink.case_id).where(SelectionCaseLink.selection_id == selection.id)
    return list(db.session.scalars(select(Case).where(Case.organisation_id == selection.organisation_id,
                                                      Case.id.not_in(linked)).order_by(Case.title)))


def _check_case_edit(user, case) -> None:
    """The criteria used are part of the case: attaching or detaching them is a case change, allowed to
    whoever may edit the case (the cases domain's check, as for its attachments), in any state."""
    from mvi_community.cases.services.access import check_edit

    check_edit(user, case)


def attach_to_case(user, selection: Selection, case_id: int) -> SelectionCaseLink:
    from mvi_community.cases.models import Case

    require(can_edit(user, selection), _l("Alleen de eigenaar of een beheerder van de organisatie kan deze selectie koppelen."))
    case = db.session.get(Case, case_id)
    if case is None or case.organisation_id != selection.organisation_id:
        raise ServiceError(_l("Kies een praktijkvoorbeeld van uw eigen organisatie."), field="case")
    _check_case_edit(user, case)
    exists = db.session.scalar(select(SelectionCaseLink).where(SelectionCaseLink.selection_id == selection.id,
                                                               SelectionCaseLink.case_id == case_id))
    if exists is not None:
        raise ServiceError(_l("Deze selectie staat al bij dat praktijkvoorbeeld."), field="case")
    link = SelectionCaseLink(selection=selection, case_id=case_id)
    db.session.add(link)
    db.session.flush()
    audit("criteria.selection_attached_to_case", selection, actor=user, case_id=case_id)
    audit("case.criteria_attached", obj=case, actor=user, selection_id=selection.id, numbers=selection.numbers)
    return link


def detach(user, selection: Selection, kind: str, target_id: int) -> None:
    require(can_edit(user, selection))
    model, column = ((SelectionRequestLink, SelectionRequestLink.request_id) if kind == "request"
                     else (SelectionCaseLink, SelectionCaseLink.case_id))
    link = db.session.scalar(select(model).where(model.selection_id == selection.id, column == target_id))
    if link is None:
        raise NotFound()
    if kind == "case":
        _check_case_edit(user, link.case)
    db.session.delete(link)
    db.session.flush()
    audit(f"criteria.selection_detached_from_{kind}", selection, actor=user, target_id=target_id)
    if kind == "case":
        audit("case.criteria_detached", obj=link.case, actor=user, selection_id=selection.id)


@dataclass
class Links:
    requests: list  # attached
    cases: list
    attachable_requests: list  # for the owner's "attach" forms
    attachable_cases: list


def links_of(user, selection: Selection) -> Links:
    """The requests and cases this selection hangs on, and (for editors) those it could be attached to:
    two queries (the selection page is already permission-checked)."""
    from mvi_community.cases.models import Case
    from mvi_community.expertpool.models import SupportRequest

    editor = can_edit(user, selection)
    request_rows = db.session.execute(
        select(SupportRequest, SelectionRequestLink.id).outerjoin(SelectionRequestLink, and_(
            SelectionRequestLink.request_id == SupportRequest.id, SelectionRequestLink.selection_id == selection.id))
        .where(SupportRequest.organisation_id == selection.organisation_id,
               or_(SelectionRequestLink.id.is_not(None), SupportRequest.status.not_in(SupportRequest.CLOSED)
                   if editor else false()))
        .order_by(SupportRequest.id.desc())).all()
    case_rows = db.session.execute(
        select(Case, SelectionCaseLink.id).outerjoin(SelectionCaseLink, and_(
            SelectionCaseLink.case_id == Case.id, SelectionCaseLink.selection_id == selection.id))
        .where(Case.organisation_id == selection.organisation_id,
               or_(SelectionCaseLink.id.is_not(None), true() if editor else false()))
        .order_by(Case.title)).all()
    return Links([r for r, link in request_rows if link], [c for c, link in case_rows if link],
                 [r for r, link in request_rows if not link], [c for c, link in case_rows if not link])


def _loader(links_attribute, selection_attribute):
    selection = joinedload(links_attribute).joinedload(selection_attribute)
    return (selection.joinedload(Selection.version), selection.joinedload(Selection.product_group),
            selection.joinedload(Selection.items))


def request_loader_options():
    """Loader options for the expert pool's request query: the attached selections come joined into
    that one query (no extra query on the request page)."""
    from mvi_community.expertpool.models import SupportRequest

    return _loader(SupportRequest.criteria_links, SelectionRequestLink.selection)


def case_loader_options():
    """The same for the case library's case query."""
    from mvi_community.cases.models import Case

    return _loader(Case.criteria_links, SelectionCaseLink.selection)


@dataclass
class AttachedSelection:
    selection: Selection
    can_open: bool


def _attached(user, links) -> list[AttachedSelection]:
    return [AttachedSelection(link.selection, can_view(user, link.selection)) for link in links]


def selections_for_request(user, support_request) -> list[AttachedSelection]:
    """For the request page (already permission-checked by the expert pool): the attached selections,
    loaded with the request (`request_loader_options`)."""
    return _attached(user, support_request.criteria_links)


def selections_for_case(user, case) -> list[AttachedSelection]:
    return _attached(user, case.criteria_links)
