"""Account rules: sign-in, account requests, invitations, password resets, roles, organisations.

Services take plain arguments and the acting user, check permissions through
`core.permissions`, flush and never commit (DESIGN.md §2).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash

from mvi_community.accounts.models import (
    ORG_ROLES,
    AccountRequest,
    Invitation,
    Membership,
    Organisation,
    PasswordReset,
    User,
    email_key,
    hash_password,
)
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.mail import queue_mail
from mvi_community.core.pagination import like_pattern, paginate
from mvi_community.core.permissions import (
    admin_organisation_ids,
    can_manage_organisation,
    is_coordinator,
    require,
)
from mvi_community.core.urls import external_url
from mvi_community.db import utcnow
from mvi_community.extensions import db

# A hash to compare against when the account does not exist, so that a wrong e-mail address
# takes as long as a wrong password.
_DUMMY_HASH: str | None = None


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _hash_token(token)




# --- users -----------------------------------------------------------------------------------

def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email_key(email)))


def load_user(user_id: str) -> User | None:
    try:
        ident = int(user_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(
        select(User).options(selectinload(User.memberships).selectinload(Membership.organisation)).where(User.id == ident)
    )


def authenticate(email: str, password: str) -> User | None:
    """The user when e-mail and password match an active account; None otherwise (one message)."""
    global _DUMMY_HASH
    user = get_user_by_email(email)
    if user is None or not user.password_hash:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password("not-a-password")
        check_password_hash(_DUMMY_HASH, password)
        audit("auth.login_failed", email=email_key(email)[:320], reason="unknown")
        return None
    if not user.check_password(password) or not user.active:
        audit("auth.login_failed", obj=user, actor=user, reason="password" if user.active else "inactive")
        return None
    user.last_login_at = utcnow()
    audit("auth.login", obj=user, actor=user)
    return user


def create_user(email: str, name: str, password: str | None, locale: str = "nl", coordinator: bool = False) -> User:
    if get_user_by_email(email) is not None:
        raise ServiceError(_l("Er bestaat al een account met dit e-mailadres."), field="email")
    user = User(email=email_key(email), name=name.strip(), locale=locale, is_coordinator=coordinator)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def create_admin(email: str, name: str, password: str) -> User:
    user = get_user_by_email(email)
    if user is None:
        user = create_user(email, name, password, coordinator=True)
    else:
        user.is_coordinator = True
        user.active = True
        user.set_password(password)
    audit("user.role_changed", obj=user, role="coordinator", value=True, via="cli")
    return user


def update_profile(user: User, name: str, locale: str) -> None:
    user.name = name.strip()
    user.locale = locale
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise ServiceError(_l("Het huidige wachtwoord klopt niet."), field="current_password")
    user.set_password(new)
    audit("user.password_changed", obj=user, actor=user)


# --- organisations ---------------------------------------------------------------------------

def get_organisation(code: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if organisation is None:
        raise NotFound()
    return organisation


def organisation_choices() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.type, Organisation.name)))


def organisations_page(page: int, q: str | None = None, type_: str | None = None, per_page: int | None = None):
    statement = select(Organisation).order_by(Organisation.name)
    if q:
        like = like_pattern(q)
        statement = statement.where(or_(Organisation.name.ilike(like, escape="\\"), Organisation.code.ilike(like, escape="\\")))
    if type_:
        statement = statement.where(Organisation.type == type_)
    return paginate(statement, page, per_page or 25)


def organisation_members(organisation: Organisation) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .options(selectinload(Membership.user))
            .join(User)
            .where(Membership.organisation_id == organisation.id, User.active.is_(True))
            .order_by(User.name)
        )
    )


@dataclass
class OrganisationData:
    code: str
    name: str
    type: str
    kvk: str | None = None
    oin: str | None = None
    province: str | None = None
    population: int | None = None
    website: str | None = None


def save_organisation(actor: User, data: OrganisationData, organisation: Organisation | None = None) -> Organisation:
    require(is_coordinator(actor))
    existing = db.session.scalar(select(Organisation).where(Organisation.code == data.code))
    if existing is not None and existing is not organisation:
        raise ServiceError(_l("Er bestaat al een organisatie met deze code."), field="code")
    created = organisation is None
    if organisation is None:
        organisation = Organisation(code=data.code)
        db.session.add(organisation)
    for field in ("code", "name", "type", "kvk", "oin", "province", "population", "website"):
        setattr(organisation, field, getattr(data, field))
    db.session.flush()
    audit("organisation.created" if created else "organisation.updated", obj=organisation, code=organisation.code)
    return organisation


# --- account requests ------------------------------------------------------------------------

def request_account(
    email: str, name: str, organisation_id: int, password: str, job_title: str | None = None,
    motivation: str | None = None, locale: str = "nl",
) -> AccountRequest:
    key = email_key(email)
    if get_user_by_email(key) is not None:
        raise ServiceError(
            _l("Er bestaat al een account met dit e-mailadres. Log in of vraag een nieuw wachtwoord aan."), field="email"
        )
    pending = db.session.scalar(
        select(AccountRequest).where(AccountRequest.email == key, AccountRequest.status == AccountRequest.PENDING)
    )
    if pending is not None:
        raise ServiceError(_l("Voor dit e-mailadres loopt al een aanvraag."), field="email")
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise ServiceError(_l("Kies een organisatie uit de lijst."), field="organisation")
    account_request = AccountRequest(
        email=key, name=name.strip(), organisation=organisation, job_title=(job_title or "").strip() or None,
        motivation=(motivation or "").strip() or None, password_hash=hash_password(password), locale=locale,
    )
    db.session.add(account_request)
    db.session.flush()
    for recipient in _deciders(organisation):
        queue_mail(
            recipient.email, _l("Nieuwe accountaanvraag voor %(org)s", org=organisation.name), "account_request_new",
            locale=recipient.locale, request=account_request, recipient=recipient,
            link=external_url("accounts.account_requests"),
        )
    audit("account_request.created", obj=account_request, actor=None, organisation=organisation.code)
    return account_request


def _deciders(organisation: Organisation) -> list[User]:
    """Org admins of the organisation, or the coordinators when it has none."""
    admins = list(
        db.session.scalars(
            select(User).join(Membership).where(
                Membership.organisation_id == organisation.id, Membership.role == "org_admin", User.active.is_(True)
            )
        )
    )
    if admins:
        return admins
    return list(db.session.scalars(select(User).where(User.is_coordinator.is_(True), User.active.is_(True))))


def pending_requests_for(actor: User) -> list[AccountRequest]:
    statement = (
        select(AccountRequest)
        .options(selectinload(AccountRequest.organisation))
        .where(AccountRequest.status == AccountRequest.PENDING)
        .order_by(AccountRequest.created_at)
    )
    if not is_coordinator(actor):
        org_ids = admin_organisation_ids(actor)
        require(bool(org_ids))
        statement = statement.where(AccountRequest.organisation_id.in_(org_ids))
    return list(db.session.scalars(statement))


def count_pending_requests_for(actor: User) -> int:
    statement = select(func.count(AccountRequest.id)).where(AccountRequest.status == AccountRequest.PENDING)
    if not is_coordinator(actor):
        org_ids = admin_organisation_ids(actor)
        if not org_ids:
            return 0
        statement = statement.where(AccountRequest.organisation_id.in_(org_ids))
    return db.session.scalar(statement) or 0


def _get_pending_request(actor: User, request_id: int) -> AccountRequest:
    account_request = db.session.get(AccountRequest, request_id)
    if account_request is None:
        raise NotFound()
    require(can_manage_organisation(actor, account_request.organisation))
    if account_request.status != AccountRequest.PENDING:
        raise ServiceError(_l("Over deze aanvraag is al besloten."))
    return account_request


def approve_request(actor: User, request_id: int) -> User:
    account_request = _get_pending_request(actor, request_id)
    user = get_user_by_email(account_request.email)
    if user is None:
        user = User(email=account_request.email, name=account_request.name, locale=account_request.locale)
        user.password_hash = account_request.password_hash
        db.session.add(user)
        db.session.flush()
    if not any(m.organisation_id == account_request.organisation_id for m in user.memberships):
        db.session.add(Membership(user=user, organisation=account_request.organisation, role="member"))
    account_request.status = AccountRequest.APPROVED
    account_request.decided_by_id = actor.id
    account_request.decided_at = utcnow()
    db.session.flush()
    audit("account_request.approved", obj=account_request, email=account_request.email,
          organisation=account_request.organisation.code, user_id=user.id)
    queue_mail(
        user.email, _l("Uw account bij MVI Community is goedgekeurd"), "account_request_approved",
        locale=user.locale, user=user, organisation=account_request.organisation, link=external_url("accounts.login"),
    )
    return user


def reject_request(actor: User, request_id: int, note: str | None) -> AccountRequest:
    account_request = _get_pending_request(actor, request_id)
    account_request.status = AccountRequest.REJECTED
    account_request.decided_by_id = actor.id
    account_request.decided_at = utcnow()
    account_request.decision_note = (note or "").strip() or None
    db.session.flush()
    audit("account_request.rejected", obj=account_request, email=account_request.email,
          organisation=account_request.organisation.code)
    queue_mail(
        account_request.email, _l("Uw accountaanvraag bij MVI Community"), "account_request_rejected",
        locale=account_request.locale, request=account_request,
    )
    return account_request


# --- invitations -----------------------------------------------------------------------------

def invite(actor: User, organisation: Organisation, email: str, name: str | None, role: str) -> Invitation:
    require(can_manage_organisation(actor, organisation))
    if role not in ORG_ROLES:
        raise ServiceError(_l("Kies een geldige rol."), field="role")
    key = email_key(email)
    existing = get_user_by_email(key)
    if existing is not None and any(m.organisation_id == organisation.id for m in existing.memberships):
        raise ServiceError(_l("Deze persoon is al lid van %(org)s.", org=organisation.name), field="email")
    token, token_hash = _new_token()
    invitation = Invitation(
        token_hash=token_hash, email=key, name=(name or "").strip() or None, organisation=organisation, role=role,
        invited_by_id=actor.id, expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    audit("invitation.created", obj=invitation, email=key, organisation=organisation.code, role=role)
    queue_mail(
        key, _l("Uitnodiging voor MVI Community namens %(org)s", org=organisation.name), "invitation",
        locale=existing.locale if existing else "nl", invitation=invitation, inviter=actor,
        link=external_url("accounts.accept_invitation", token=token),
        days=current_app.config["INVITATION_DAYS"],
    )
    return invitation


class TokenInvalid(ServiceError):
    status_code = 400


def _usable(expires_at: datetime, *ended: datetime | None) -> bool:
    return all(moment is None for moment in ended) and expires_at > utcnow()


def get_invitation(token: str) -> Invitation:
    invitation = db.session.scalar(
        select(Invitation).options(selectinload(Invitation.organisation)).where(Invitation.token_hash == _hash_token(token))
    )
    if invitation is None or not _usable(invitation.expires_at, invitation.accepted_at, invitation.revoked_at):
        raise TokenInvalid(_l("Deze uitnodiging is verlopen of al gebruikt. Vraag de beheerder van uw organisatie om een nieuwe."))
    return invitation


def accept_invitation(token: str, current: User | None, name: str | None = None, password: str | None = None) -> User:
    invitation = get_invitation(token)
    user = get_user_by_email(invitation.email)
    if user is not None:
        if current is None or current.id != user.id:
            raise ServiceError(_l("Log eerst in met %(email)s om deze uitnodiging te accepteren.", email=invitation.email))
    else:
        if not name or not password:
            raise ServiceError(_l("Vul uw naam en een wachtwoord in."), field="name")
        user = create_user(invitation.email, name, password)
    if not any(m.organisation_id == invitation.organisation_id for m in user.memberships):
        db.session.add(Membership(user=user, organisation=invitation.organisation, role=invitation.role))
    invitation.accepted_at = utcnow()
    db.session.flush()
    audit("invitation.accepted", obj=invitation, actor=user, organisation=invitation.organisation.code, role=invitation.role)
    return user


def open_invitations(organisation: Organisation) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation).where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            ).order_by(Invitation.created_at.desc())
        )
    )


def revoke_invitation(actor: User, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound()
    require(can_manage_organisation(actor, invitation.organisation))
    invitation.revoked_at = utcnow()
    audit("invitation.revoked", obj=invitation, email=invitation.email)
    return invitation


# --- password reset --------------------------------------------------------------------------

def start_password_reset(email: str) -> None:
    """Mail a reset link when the account exists; the caller shows the same message either way."""
    user = get_user_by_email(email)
    if user is None or not user.active:
        return
    token, token_hash = _new_token()
    db.session.add(
        PasswordReset(
            token_hash=token_hash, user=user,
            expires_at=utcnow() + timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"]),
        )
    )
    db.session.flush()
    queue_mail(
        user.email, _l("Nieuw wachtwoord instellen voor MVI Community"), "password_reset", locale=user.locale,
        user=user, link=external_url("accounts.reset_password", token=token), hours=current_app.config["PASSWORD_RESET_HOURS"],
    )
    audit("auth.reset_requested", obj=user, actor=user)


def get_password_reset(token: str) -> PasswordReset:
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _hash_token(token)))
    if reset is None or not _usable(reset.expires_at, reset.used_at):
        raise TokenInvalid(_l("Deze link om uw wachtwoord te herstellen is verlopen of al gebruikt. Vraag een nieuwe aan."))
    return reset


def reset_password(token: str, password: str) -> User:
    reset = get_password_reset(token)
    reset.used_at = utcnow()
    reset.user.set_password(password)
    # Any other open link for this account stops working too.
    for other in db.session.scalars(
        select(PasswordReset).where(PasswordReset.user_id == reset.user_id, PasswordReset.used_at.is_(None))
    ):
        other.used_at = reset.used_at
    audit("auth.password_reset", obj=reset.user, actor=reset.user)
    return reset.user


# --- coordinator: users and roles ------------------------------------------------------------

def users_page(actor: User, page: int, q: str | None = None):
    require(is_coordinator(actor))
    statement = select(User).options(selectinload(User.memberships).selectinload(Membership.organisation)).order_by(User.name)
    if q:
        like = like_pattern(q)
        statement = statement.where(or_(User.name.ilike(like, escape="\\"), User.email.ilike(like, escape="\\")))
    return paginate(statement, page)


def get_user(actor: User, user_id: int) -> User:
    require(is_coordinator(actor))
    user = db.session.scalar(
        select(User).options(selectinload(User.memberships).selectinload(Membership.organisation)).where(User.id == user_id)
    )
    if user is None:
        raise NotFound()
    return user


def set_platform_roles(actor: User, user: User, coordinator: bool, active: bool) -> None:
    require(is_coordinator(actor))
    if user.id == actor.id and (not coordinator or not active):
        raise ServiceError(_l("U kunt uw eigen coördinatorrol of account niet uitschakelen."), field="is_coordinator")
    if user.is_coordinator != coordinator:
        user.is_coordinator = coordinator
        audit("user.role_changed", obj=user, role="coordinator", value=coordinator)
    if user.active != active:
        user.active = active
        audit("user.activated" if active else "user.deactivated", obj=user)
    db.session.flush()


def set_membership(actor: User, user: User, organisation: Organisation, role: str | None) -> None:
    """Add, change (role) or remove (role None) a user's membership of an organisation."""
    require(can_manage_organisation(actor, organisation))
    if role is not None and role not in ORG_ROLES:
        raise ServiceError(_l("Kies een geldige rol."), field="role")
    membership = next((m for m in user.memberships if m.organisation_id == organisation.id), None)
    if role is None:
        if membership is None:
            return
        if membership.role == "org_admin" and user.id == actor.id and not is_coordinator(actor):
            raise ServiceError(_l("U kunt uzelf niet als beheerder verwijderen."))
        user.memberships.remove(membership)
        audit("membership.removed", obj=user, organisation=organisation.code)
    elif membership is None:
        db.session.add(Membership(user=user, organisation=organisation, role=role))
        audit("membership.added", obj=user, organisation=organisation.code, role=role)
    elif membership.role != role:
        if membership.role == "org_admin" and user.id == actor.id and not is_coordinator(actor):
            raise ServiceError(_l("U kunt uzelf niet als beheerder verwijderen."))
        audit("user.role_changed", obj=user, organisation=organisation.code, role=role, previous=membership.role)
        membership.role = role
    db.session.flush()


def get_member_of(actor: User, organisation: Organisation, user_id: int) -> User:
    require(can_manage_organisation(actor, organisation))
    user = db.session.scalar(
        select(User).options(selectinload(User.memberships)).join(Membership).where(
            User.id == user_id, Membership.organisation_id == organisation.id
        )
    )
    if user is None:
        raise NotFound()
    return user
