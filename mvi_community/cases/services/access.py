"""Who may see, edit and moderate a case — as Python checks on one case and as SQL conditions
for lists (the same rules, so a list never shows what the detail page would refuse).

- anyone: published, public cases;
- members of the lead organisation: every case of that organisation, in every state;
- active members of the linked community: its published community-only cases;
- coordinators, and moderators of the linked community: submitted, published and rejected cases
  (they moderate them); never another organisation's drafts.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_

from mvi_community.cases.models import (
    COMMUNITY,
    DRAFT,
    PUBLIC,
    PUBLISHED,
    REJECTED,
    SUBMITTED,
    Case,
)
from mvi_community.communities import services as communities
from mvi_community.core.errors import NotFound, PermissionDenied
from mvi_community.core.permissions import is_coordinator, is_member

MODERATED_STATES = (SUBMITTED, PUBLISHED, REJECTED)


def _authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def organisation_ids(user) -> list[int]:
    if not _authenticated(user):
        return []
    return [m.organisation_id for m in user.memberships]


def is_owner(user, case: Case) -> bool:
    """A member of the case's lead organisation."""
    return _authenticated(user) and case.organisation_id in organisation_ids(user)


def can_moderate(user, case: Case) -> bool:
    if is_coordinator(user):
        return True
    return case.community_id is not None and communities.is_moderator(user, case.community_id)


def can_view(user, case: Case) -> bool:
    if case.status == PUBLISHED and case.visibility == PUBLIC:
        return True
    if is_owner(user, case):
        return True
    if case.status in MODERATED_STATES and can_moderate(user, case):
        return True
    if case.status == PUBLISHED and case.visibility == COMMUNITY and case.community_id:
        return communities.is_member(user, case.community_id)
    return False


def check_view(user, case: Case) -> None:
    """404 for cases the user may not know about (drafts of others); 403 with a reason for a
    published community-only case seen from outside the community."""
    if can_view(user, case):
        return
    if case.status == PUBLISHED and case.visibility == COMMUNITY:
        name = case.community.name if case.community else ""
        raise PermissionDenied(_l("Dit praktijkvoorbeeld is alleen zichtbaar voor leden van de community "
                                  "%(name)s.", name=name))
    raise NotFound()


def can_edit(user, case: Case) -> bool:
    return is_owner(user, case)


def check_edit(user, case: Case) -> None:
    if not can_view(user, case):
        check_view(user, case)
    if not can_edit(user, case):
        raise PermissionDenied(_l("Alleen leden van %(org)s kunnen dit praktijkvoorbeeld bewerken.",
                                  org=case.organisation.name))


def can_create(user) -> bool:
    return bool(organisation_ids(user))


def visible_condition(user, published_only: bool = True):
    """SQL condition: the cases this user may see (published ones only, for the library)."""
    public = and_(Case.status == PUBLISHED, Case.visibility == PUBLIC)
    if not _authenticated(user):
        return public
    conditions = [public]
    orgs = organisation_ids(user)
    if orgs:
        mine = Case.organisation_id.in_(orgs)
        conditions.append(and_(mine, Case.status == PUBLISHED) if published_only else mine)
    member_of = communities.member_community_ids(user)
    if member_of:
        conditions.append(and_(Case.status == PUBLISHED, Case.community_id.in_(member_of)))
    if is_coordinator(user):
        conditions.append(Case.status == PUBLISHED if published_only else Case.status.in_(MODERATED_STATES))
    elif not published_only:
        moderated = communities.moderated_community_ids(user)
        if moderated:
            conditions.append(and_(Case.status.in_(MODERATED_STATES), Case.community_id.in_(moderated)))
    return or_(*conditions) if conditions else false()


def moderation_condition(user):
    """Submitted cases this user may publish or reject."""
    if is_coordinator(user):
        return Case.status == SUBMITTED
    moderated = communities.moderated_community_ids(user)
    if not moderated:
        return false()
    return and_(Case.status == SUBMITTED, Case.community_id.in_(moderated))


__all__ = [
    "DRAFT", "can_create", "can_edit", "can_moderate", "can_view", "check_edit", "check_view", "is_member",
    "is_owner", "moderation_condition", "organisation_ids", "visible_condition",
]
