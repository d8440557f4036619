"""Role checks in one place. Services call these; views never decide permissions themselves.

Platform role: `coordinator` (the secretariat, `User.is_coordinator`).
Organisation roles: `member`, `org_admin` (`Membership.role`).
Later domains plug their own roles in with `register_role("expert", check)`; `has_role(user,
"expert", obj)` then asks that check.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mvi_community.core.errors import PermissionDenied

RoleCheck = Callable[[Any, Any], bool]
_ROLE_CHECKS: dict[str, RoleCheck] = {}


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_coordinator(user: Any) -> bool:
    return _authenticated(user) and bool(user.is_coordinator)


def membership_of(user: Any, organisation: Any):
    if not _authenticated(user) or organisation is None:
        return None
    for membership in user.memberships:
        if membership.organisation_id == organisation.id:
            return membership
    return None


def is_member(user: Any, organisation: Any) -> bool:
    return membership_of(user, organisation) is not None


def is_org_admin(user: Any, organisation: Any) -> bool:
    membership = membership_of(user, organisation)
    return membership is not None and membership.role == "org_admin"


def can_manage_organisation(user: Any, organisation: Any) -> bool:
    """Invite members, decide account requests, change member roles of this organisation."""
    return is_coordinator(user) or is_org_admin(user, organisation)


def admin_organisation_ids(user: Any) -> set[int]:
    if not _authenticated(user):
        return set()
    return {m.organisation_id for m in user.memberships if m.role == "org_admin"}


def register_role(name: str, check: RoleCheck) -> None:
    _ROLE_CHECKS[name] = check


def has_role(user: Any, role: str, obj: Any = None) -> bool:
    if role == "coordinator":
        return is_coordinator(user)
    if role == "org_admin":
        return is_org_admin(user, obj)
    if role == "member":
        return is_member(user, obj)
    check = _ROLE_CHECKS.get(role)
    return bool(check and _authenticated(user) and check(user, obj))


def require(allowed: bool, message: Any = None) -> None:
    if not allowed:
        raise PermissionDenied(message)
