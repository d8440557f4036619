"""Communities and their members: create, join (open / on request / by invitation), decide,
roles, the member profile and the directory. Permission checks live here (DESIGN.md §2)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from mvi_community.accounts.models import Membership, Organisation, User, email_key
from mvi_community.communities.models import (
    ACTIVE,
    INVITED,
    PENDING,
    Community,
    CommunityMember,
    WorkingGroup,
)
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.mail import queue_mail
from mvi_community.core.pagination import like_pattern, paginate
from mvi_community.core.permissions import is_coordinator, register_role, require
from mvi_community.core.taxonomy import Theme
from mvi_community.core.urls import external_url
from mvi_community.db import utcnow
from mvi_community.extensions import db


def _authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def slugify(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", value).strip("-")[:80] or "community"


# --- looking up --------------------------------------------------------------------------------

def get_community(slug: str) -> Community:
    community = db.session.scalar(select(Community).where(Community.slug == slug))
    if community is None:
        raise NotFound()
    return community


def get_working_group(community: Community, slug: str) -> WorkingGroup:
    for group in community.working_groups:
        if group.slug == slug:
            return group
    raise NotFound()


def membership(user, community: Community | int | None) -> CommunityMember | None:
    """The user's member row in a community (any status), or None.

    Within a request the answer is remembered in `g` (pages ask several times); every service
    that changes a membership forgets it again (`_forget`)."""
    if not _authenticated(user) or community is None:
        return None
    community_id = community if isinstance(community, int) else community.id
    cache = g.setdefault("community_memberships", {}) if has_request_context() else {}
    key = (user.id, community_id)
    if key not in cache:
        cache[key] = db.session.scalar(
            select(CommunityMember).where(CommunityMember.community_id == community_id,
                                          CommunityMember.user_id == user.id)
        )
    return cache[key]


def _forget() -> None:
    if has_request_context():
        g.pop("community_memberships", None)


@dataclass
class Viewer:
    """What the current user may do in one community (computed once per page)."""

    member: CommunityMember | None = None
    coordinator: bool = False

    @property
    def is_member(self) -> bool:
        return self.member is not None and self.member.status == ACTIVE

    @property
    def is_moderator(self) -> bool:
        return self.coordinator or (self.member is not None and self.member.is_moderator)

    @property
    def can_read(self) -> bool:
        """Discussions, the directory and meeting links are for members (and coordinators)."""
        return self.is_member or self.coordinator

    @property
    def pending(self) -> bool:
        return self.member is not None and self.member.status == PENDING

    @property
    def invited(self) -> bool:
        return self.member is not None and self.member.status == INVITED


def viewer(user, community: Community) -> Viewer:
    return Viewer(member=membership(user, community), coordinator=is_coordinator(user))


def is_member(user, community) -> bool:
    member = membership(user, community)
    return member is not None and member.status == ACTIVE


def is_moderator(user, community) -> bool:
    if is_coordinator(user):
        return True
    member = membership(user, community)
    return member is not None and member.is_moderator


register_role("moderator", lambda user, community: is_moderator(user, community))
register_role("community_member", lambda user, community: is_member(user, community))


def member_community_ids(user) -> list[int]:
    """Ids of the communities where the user is an active member (for visibility filters)."""
    if not _authenticated(user):
        return []
    return list(db.session.scalars(
        select(CommunityMember.community_id).where(CommunityMember.user_id == user.id,
                                                   CommunityMember.status == ACTIVE)
    ))


def moderated_community_ids(user) -> list[int]:
    if not _authenticated(user):
        return []
    return list(db.session.scalars(
        select(CommunityMember.community_id).where(CommunityMember.user_id == user.id,
                                                   CommunityMember.status == ACTIVE,
                                                   CommunityMember.role == "moderator")
    ))


def communities_for_user(user) -> list[Community]:
    if not _authenticated(user):
        return []
    return list(db.session.scalars(
        select(Community).join(CommunityMember, CommunityMember.community_id == Community.id)
        .where(CommunityMember.user_id == user.id, CommunityMember.status == ACTIVE).order_by(Community.name)
    ))


# --- the list ------------------------------------------------------------------------------------

@dataclass
class CommunityCard:
    community: Community
    members: int
    status: str | None  # the viewer's member status


def list_communities(user, track: str | None = None) -> list[CommunityCard]:
    counts = (
        select(CommunityMember.community_id, func.count(CommunityMember.id).label("n"))
        .where(CommunityMember.status == ACTIVE).group_by(CommunityMember.community_id).subquery()
    )
    statement = (
        select(Community, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.community_id == Community.id)
        .options(selectinload(Community.themes), selectinload(Community.working_groups))
        .order_by(Community.track.desc(), Community.name)
    )
    if track:
        statement = statement.where(Community.track == track)
    mine = {}
    if _authenticated(user):
        mine = dict(db.session.execute(
            select(CommunityMember.community_id, CommunityMember.status).where(CommunityMember.user_id == user.id)
        ).all())
    return [CommunityCard(c, n, mine.get(c.id)) for c, n in db.session.execute(statement).all()]


def all_communities() -> list[Community]:
    return list(db.session.scalars(select(Community).order_by(Community.name)))


def member_count(community: Community) -> int:
    return db.session.scalar(select(func.count(CommunityMember.id)).where(
        CommunityMember.community_id == community.id, CommunityMember.status == ACTIVE)) or 0


# --- creating and editing ------------------------------------------------------------------------

@dataclass
class CommunityData:
    name: str
    description: str
    track: str
    membership_policy: str
    theme_ids: list[int] = field(default_factory=list)


def _themes(theme_ids) -> list[Theme]:
    if not theme_ids:
        return []
    return list(db.session.scalars(select(Theme).where(Theme.id.in_(list(theme_ids))).order_by(Theme.position)))


def create_community(actor, data: CommunityData, slug: str | None = None) -> Community:
    require(is_coordinator(actor))
    slug = slug or slugify(data.name)
    if db.session.scalar(select(Community.id).where(Community.slug == slug)) is not None:
        raise ServiceError(_l("Er bestaat al een community met deze naam."), field="name")
    community = Community(slug=slug, name=data.name.strip(), description=data.description.strip(),
                          track=data.track, membership_policy=data.membership_policy, themes=_themes(data.theme_ids))
    db.session.add(community)
    db.session.flush()
    db.session.add(CommunityMember(community=community, user_id=actor.id, role="moderator", status=ACTIVE,
                                   joined_at=utcnow()))
    audit("community.created", obj=community, slug=slug)
    db.session.flush()
    return community


def update_community(actor, community: Community, data: CommunityData) -> Community:
    require(is_moderator(actor, community))
    community.name = data.name.strip()
    community.description = data.description.strip()
    community.track = data.track
    community.membership_policy = data.membership_policy
    community.themes = _themes(data.theme_ids)
    audit("community.updated", obj=community)
    db.session.flush()
    return community


def add_working_group(actor, community: Community, name: str, description: str = "") -> WorkingGroup:
    require(is_moderator(actor, community))
    slug = slugify(name)
    if any(g.slug == slug for g in community.working_groups):
        raise ServiceError(_l("Deze community heeft al een werkgroep met deze naam."), field="name")
    group = WorkingGroup(community=community, slug=slug, name=name.strip(), description=(description or "").strip(),
                         position=len(community.working_groups))
    db.session.add(group)
    db.session.flush()
    return group


# --- joining -----------------------------------------------------------------------------------

def _moderators(community: Community) -> list[User]:
    return list(db.session.scalars(
        select(User).join(CommunityMember, CommunityMember.user_id == User.id)
        .where(CommunityMember.community_id == community.id, CommunityMember.role == "moderator",
               CommunityMember.status == ACTIVE, User.active.is_(True))
    ))


def join(actor, community: Community, motivation: str | None = None) -> CommunityMember:
    """Open: a member at once. On request: pending until a moderator decides. By invitation: refused."""
    _forget()
    require(_authenticated(actor), _l("Log in om lid te worden."))
    existing = membership(actor, community)
    if existing is not None and existing.status == ACTIVE:
        return existing
    if existing is not None and existing.status == INVITED:
        return accept_invitation(actor, community)
    if existing is not None and existing.status == PENDING:
        raise ServiceError(_l("Uw aanvraag wacht al op een besluit van de moderator."))
    if community.membership_policy == "invitation":
        raise ServiceError(_l("Deze community is alleen toegankelijk op uitnodiging van een moderator."))
    member = CommunityMember(community=community, user_id=actor.id, motivation=(motivation or "").strip() or None)
    db.session.add(member)
    if community.membership_policy == "open":
        member.status = ACTIVE
        member.joined_at = utcnow()
        audit("community.joined", obj=community)
    else:
        member.status = PENDING
        audit("community.requested", obj=community)
        for moderator in _moderators(community):
            queue_mail(moderator.email, _l("Nieuwe aanmelding voor %(name)s", name=community.name),
                       "communities_join_request", locale=moderator.locale, community=community, applicant=actor,
                       motivation=member.motivation, link=external_url("communities.manage", slug=community.slug))
    db.session.flush()
    return member


def leave(actor, community: Community) -> None:
    _forget()
    member = membership(actor, community)
    if member is None:
        return
    if member.is_moderator:
        others = db.session.scalar(select(func.count(CommunityMember.id)).where(
            CommunityMember.community_id == community.id, CommunityMember.role == "moderator",
            CommunityMember.status == ACTIVE, CommunityMember.id != member.id))
        if not others:
            raise ServiceError(_l("U bent de enige moderator. Maak eerst een ander lid moderator."))
    db.session.delete(member)
    audit("community.left", obj=community)
    db.session.flush()


def _member_in(community: Community, member_id: int) -> CommunityMember:
    member = db.session.get(CommunityMember, member_id)
    if member is None or member.community_id != community.id:
        raise NotFound()
    return member


def decide_request(actor, community: Community, member_id: int, approve: bool) -> CommunityMember:
    _forget()
    require(is_moderator(actor, community))
    member = _member_in(community, member_id)
    if member.status != PENDING:
        raise ServiceError(_l("Over deze aanmelding is al besloten."))
    user = member.user
    if approve:
        member.status = ACTIVE
        member.joined_at = utcnow()
        queue_mail(user.email, _l("Welkom bij %(name)s", name=community.name), "communities_join_approved",
                   locale=user.locale, community=community, user=user,
                   link=external_url("communities.detail", slug=community.slug))
    else:
        db.session.delete(member)
        queue_mail(user.email, _l("Uw aanmelding voor %(name)s", name=community.name), "communities_join_rejected",
                   locale=user.locale, community=community, user=user)
    audit("community.request_decided", obj=community, user_id=user.id, approved=approve)
    db.session.flush()
    return member


def invite(actor, community: Community, email: str) -> CommunityMember:
    """Invite someone who already has an account on the platform."""
    _forget()
    require(is_moderator(actor, community))
    user = db.session.scalar(select(User).where(User.email == email_key(email)))
    if user is None or not user.active:
        raise ServiceError(_l("Er is geen actief account met dit e-mailadres. Laat deze persoon eerst een "
                              "account aanvragen."), field="email")
    member = membership(user, community)
    if member is not None and member.status == ACTIVE:
        raise ServiceError(_l("%(name)s is al lid van deze community.", name=user.name), field="email")
    if member is None:
        member = CommunityMember(community=community, user_id=user.id)
        db.session.add(member)
    member.status = INVITED
    member.invited_by_id = actor.id
    queue_mail(user.email, _l("Uitnodiging voor %(name)s", name=community.name), "communities_invitation",
               locale=user.locale, community=community, user=user, inviter=actor,
               link=external_url("communities.detail", slug=community.slug))
    audit("community.invited", obj=community, user_id=user.id)
    db.session.flush()
    return member


def accept_invitation(actor, community: Community) -> CommunityMember:
    _forget()
    member = membership(actor, community)
    if member is None or member.status != INVITED:
        raise ServiceError(_l("Er staat geen uitnodiging voor u open."))
    member.status = ACTIVE
    member.joined_at = utcnow()
    audit("community.joined", obj=community, via="invitation")
    db.session.flush()
    return member


def set_role(actor, community: Community, member_id: int, role: str) -> CommunityMember:
    _forget()
    require(is_moderator(actor, community))
    if role not in ("member", "moderator"):
        raise ServiceError(_l("Kies een geldige rol."))
    member = _member_in(community, member_id)
    if member.status != ACTIVE:
        raise ServiceError(_l("Alleen actieve leden kunnen een rol krijgen."))
    if member.role == "moderator" and role == "member":
        others = db.session.scalar(select(func.count(CommunityMember.id)).where(
            CommunityMember.community_id == community.id, CommunityMember.role == "moderator",
            CommunityMember.status == ACTIVE, CommunityMember.id != member.id))
        if not others:
            raise ServiceError(_l("Een community heeft minstens één moderator nodig."))
    member.role = role
    audit("community.role_changed", obj=community, user_id=member.user_id, role=role)
    db.session.flush()
    return member


def update_profile(actor, community: Community, intro: str | None, theme_ids, notify: str) -> CommunityMember:
    _forget()
    member = membership(actor, community)
    require(member is not None and member.status == ACTIVE)
    if notify not in ("direct", "digest", "off"):
        raise ServiceError(_l("Kies hoe u berichten wilt ontvangen."), field="notify")
    member.intro = (intro or "").strip() or None
    member.themes = _themes(theme_ids)
    member.notify = notify
    db.session.flush()
    return member


# --- moderation and directory --------------------------------------------------------------------

def pending_members(actor, community: Community) -> list[CommunityMember]:
    require(is_moderator(actor, community))
    return list(db.session.scalars(
        select(CommunityMember).options(selectinload(CommunityMember.user))
        .where(CommunityMember.community_id == community.id, CommunityMember.status.in_((PENDING, INVITED)))
        .order_by(CommunityMember.created_at)
    ))


def directory_page(actor, community: Community, page: int = 1, q: str | None = None, theme: str | None = None,
                   per_page: int = 25):
    """Who works where, on which themes. Members and coordinators only."""
    require(is_member(actor, community) or is_coordinator(actor),
            _l("Alleen leden van deze community zien wie er lid is."))
    statement = (
        select(CommunityMember).join(User, User.id == CommunityMember.user_id)
        .options(selectinload(CommunityMember.user).selectinload(User.memberships).selectinload(Membership.organisation),
                 selectinload(CommunityMember.themes))
        .where(CommunityMember.community_id == community.id, CommunityMember.status == ACTIVE,
               User.active.is_(True))
        .order_by(CommunityMember.role.desc(), User.name)
    )
    if q:
        like = like_pattern(q)
        orgs = select(Membership.user_id).join(Organisation).where(Organisation.name.ilike(like, escape="\\"))
        statement = statement.where(or_(User.name.ilike(like, escape="\\"), User.id.in_(orgs)))
    if theme:
        statement = statement.where(CommunityMember.themes.any(Theme.code == theme))
    return paginate(statement, page, per_page)
