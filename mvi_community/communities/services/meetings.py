"""Meetings: times in Europe/Amsterdam stored as UTC, RSVPs with a capacity and a waiting list that
moves up by itself, `.ics` files and a calendar feed per community, reminders the day before."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.accounts.models import User
from mvi_community.communities.models import (
    ACTIVE,
    CANCELLED,
    GOING,
    WAITING,
    Community,
    CommunityMember,
    Meeting,
    Rsvp,
)
from mvi_community.communities.services.membership import is_member, is_moderator
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.mail import queue_mail
from mvi_community.core.markdown import render_markdown
from mvi_community.core.permissions import require
from mvi_community.core.urls import external_url
from mvi_community.db import utcnow
from mvi_community.extensions import db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local_to_utc(day: date, at: time) -> datetime:
    """A wall-clock time in Amsterdam as an aware UTC datetime (DST handled by zoneinfo)."""
    return datetime.combine(day, at, tzinfo=AMSTERDAM).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)


@dataclass
class MeetingData:
    title: str
    day: date
    start: time
    end: time
    location: str | None = None
    online_url: str | None = None
    agenda: str | None = None
    capacity: int | None = None
    working_group_id: int | None = None


def _apply(meeting: Meeting, data: MeetingData, community: Community) -> None:
    starts_at, ends_at = local_to_utc(data.day, data.start), local_to_utc(data.day, data.end)
    if ends_at <= starts_at:
        raise ServiceError(_l("De eindtijd moet na de begintijd liggen."), field="end")
    if not (data.location or "").strip() and not (data.online_url or "").strip():
        raise ServiceError(_l("Vul een plaats of een link voor online deelname in."), field="location")
    if data.working_group_id and not any(g.id == data.working_group_id for g in community.working_groups):
        raise ServiceError(_l("Kies een werkgroep van deze community."), field="working_group")
    meeting.title = data.title.strip()
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.location = (data.location or "").strip() or None
    meeting.online_url = (data.online_url or "").strip() or None
    meeting.agenda = (data.agenda or "").strip() or None
    meeting.capacity = data.capacity or None
    meeting.working_group_id = data.working_group_id or None


def create_meeting(actor, community: Community, data: MeetingData) -> Meeting:
    require(is_moderator(actor, community), _l("Alleen moderatoren plannen bijeenkomsten."))
    meeting = Meeting(community=community, created_by_id=actor.id)
    _apply(meeting, data, community)
    db.session.add(meeting)
    db.session.flush()
    audit("meeting.created", obj=meeting, community=community.slug)
    return meeting


def update_meeting(actor, meeting: Meeting, data: MeetingData) -> Meeting:
    community = meeting.community
    require(is_moderator(actor, community), _l("Alleen moderatoren wijzigen bijeenkomsten."))
    _apply(meeting, data, community)
    meeting.sequence += 1
    db.session.flush()
    _promote(meeting)
    audit("meeting.updated", obj=meeting)
    return meeting


def get_meeting(community: Community, meeting_id: int) -> Meeting:
    meeting = db.session.scalar(
        select(Meeting).options(selectinload(Meeting.working_group))
        .where(Meeting.id == meeting_id, Meeting.community_id == community.id)
    )
    if meeting is None:
        raise NotFound()
    return meeting


def meetings(community: Community, upcoming: bool = True, working_group_id: int | None = None,
             limit: int | None = None) -> list[Meeting]:
    now = utcnow()
    statement = select(Meeting).options(selectinload(Meeting.working_group)).where(Meeting.community_id == community.id)
    if upcoming:
        statement = statement.where(Meeting.ends_at >= now).order_by(Meeting.starts_at)
    else:
        statement = statement.where(Meeting.ends_at < now).order_by(Meeting.starts_at.desc())
    if working_group_id:
        statement = statement.where(Meeting.working_group_id == working_group_id)
    if limit:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))


@dataclass
class Attendance:
    going: int
    waiting: int
    capacity: int | None
    mine: Rsvp | None

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.going >= self.capacity

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.going)


def attendance(meeting: Meeting, user=None) -> Attendance:
    counts = dict(db.session.execute(
        select(Rsvp.status, func.count(Rsvp.id)).where(Rsvp.meeting_id == meeting.id).group_by(Rsvp.status)
    ).all())
    mine = None
    if user is not None and getattr(user, "is_authenticated", False):
        mine = db.session.scalar(select(Rsvp).where(Rsvp.meeting_id == meeting.id, Rsvp.user_id == user.id))
    return Attendance(counts.get(GOING, 0), counts.get(WAITING, 0), meeting.capacity, mine)


def waiting_position(rsvp: Rsvp) -> int | None:
    """1 for the first on the waiting list."""
    if rsvp.status != WAITING:
        return None
    return (db.session.scalar(select(func.count(Rsvp.id)).where(
        Rsvp.meeting_id == rsvp.meeting_id, Rsvp.status == WAITING, Rsvp.position < rsvp.position)) or 0) + 1


def attendees(actor, meeting: Meeting) -> tuple[list[Rsvp], list[Rsvp]]:
    """(going, waiting) for the meeting's members; waiting in order."""
    require(is_member(actor, meeting.community) or is_moderator(actor, meeting.community))
    rows = list(db.session.scalars(
        select(Rsvp).options(joinedload(Rsvp.user)).where(Rsvp.meeting_id == meeting.id,
                                                            Rsvp.status.in_((GOING, WAITING)))
        .order_by(Rsvp.status, Rsvp.position, Rsvp.created_at)
    ))
    return [r for r in rows if r.status == GOING], [r for r in rows if r.status == WAITING]


def _lock(meeting: Meeting) -> None:
    """Serialise RSVPs for one meeting (SELECT … FOR UPDATE on PostgreSQL; SQLite writes serialise)."""
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())


def _going_count(meeting: Meeting) -> int:
    return db.session.scalar(select(func.count(Rsvp.id)).where(Rsvp.meeting_id == meeting.id,
                                                               Rsvp.status == GOING)) or 0


def rsvp(actor, meeting: Meeting) -> Rsvp:
    """Sign up: a place when there is one, otherwise the end of the waiting list."""
    community = meeting.community
    require(is_member(actor, community), _l("Alleen leden van deze community melden zich aan."))
    if meeting.ends_at < utcnow():
        raise ServiceError(_l("Deze bijeenkomst is al voorbij."))
    _lock(meeting)
    row = db.session.scalar(select(Rsvp).where(Rsvp.meeting_id == meeting.id, Rsvp.user_id == actor.id))
    if row is not None and row.status in (GOING, WAITING):
        return row
    if row is None:
        row = Rsvp(meeting_id=meeting.id, user_id=actor.id, status=CANCELLED)
        db.session.add(row)
    row.updated_at = utcnow()
    if meeting.capacity is None or _going_count(meeting) < meeting.capacity:
        row.status, row.position = GOING, None
    else:
        last = db.session.scalar(select(func.max(Rsvp.position)).where(Rsvp.meeting_id == meeting.id)) or 0
        row.status, row.position = WAITING, last + 1
    db.session.flush()
    return row


def cancel(actor, meeting: Meeting) -> Rsvp | None:
    """Cancel; a freed place goes to the first on the waiting list, who is told by e-mail."""
    _lock(meeting)
    row = db.session.scalar(select(Rsvp).where(Rsvp.meeting_id == meeting.id, Rsvp.user_id == actor.id))
    if row is None or row.status == CANCELLED:
        return row
    row.status, row.position, row.updated_at = CANCELLED, None, utcnow()
    db.session.flush()
    _promote(meeting)
    return row


def _promote(meeting: Meeting) -> list[Rsvp]:
    promoted = []
    while meeting.capacity is None or _going_count(meeting) < meeting.capacity:
        first = db.session.scalar(
            select(Rsvp).options(selectinload(Rsvp.user))
            .where(Rsvp.meeting_id == meeting.id, Rsvp.status == WAITING)
            .order_by(Rsvp.position, Rsvp.id).limit(1)
        )
        if first is None:
            break
        first.status, first.position, first.updated_at = GOING, None, utcnow()
        db.session.flush()
        promoted.append(first)
        user = first.user
        queue_mail(user.email, _l("U heeft een plaats: %(title)s", title=meeting.title), "communities_promoted",
                   locale=user.locale, meeting=meeting, user=user, starts=to_local(meeting.starts_at),
                   link=external_url("communities.meeting", slug=meeting.community.slug, meeting_id=meeting.id))
    return promoted


# --- iCalendar ---------------------------------------------------------------------------------

def _event(meeting: Meeting, include_link: bool) -> Event:
    url = external_url("communities.meeting", slug=meeting.community.slug, meeting_id=meeting.id)
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@mvi-community.nl")
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", f"{meeting.title} ({meeting.community.name})")
    location = meeting.location or (meeting.online_url if include_link else None) or str(_l("Online"))
    event.add("location", location)
    description = [meeting.agenda or ""]
    if include_link and meeting.online_url:
        description.append(str(_l("Online deelnemen: %(url)s", url=meeting.online_url)))
    description.append(url)
    event.add("description", "\n\n".join(d for d in description if d))
    event.add("url", url)
    event.add("sequence", meeting.sequence)
    return event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//MVI Community//Communities//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Amsterdam")
    return calendar


def meeting_ics(actor, meeting: Meeting) -> bytes:
    calendar = _calendar(meeting.community.name)
    calendar.add_component(_event(meeting, include_link=is_member(actor, meeting.community)
                                  or is_moderator(actor, meeting.community)))
    return calendar.to_ical()


def community_feed(community: Community) -> bytes:
    """A public feed: meetings of the last 90 days and all future ones (online links left out)."""
    calendar = _calendar(community.name)
    since = utcnow() - timedelta(days=90)
    for meeting in db.session.scalars(select(Meeting).where(Meeting.community_id == community.id,
                                                            Meeting.ends_at >= since).order_by(Meeting.starts_at)):
        meeting.community = community
        calendar.add_component(_event(meeting, include_link=False))
    return calendar.to_ical()


# --- reminders ---------------------------------------------------------------------------------

def meetings_on(day: date) -> list[Meeting]:
    start, end = local_to_utc(day, time(0)), local_to_utc(day + timedelta(days=1), time(0))
    return list(db.session.scalars(
        select(Meeting).options(selectinload(Meeting.community))
        .where(Meeting.starts_at >= start, Meeting.starts_at < end).order_by(Meeting.starts_at)
    ))


def reminder_recipients(meeting: Meeting) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Rsvp, Rsvp.user_id == User.id)
        .join(CommunityMember, (CommunityMember.user_id == User.id)
              & (CommunityMember.community_id == meeting.community_id))
        .where(Rsvp.meeting_id == meeting.id, Rsvp.status == GOING, User.active.is_(True),
               CommunityMember.status == ACTIVE)
    ))


def send_reminder(meeting: Meeting, user: User) -> None:
    queue_mail(user.email, _l("Morgen: %(title)s", title=meeting.title), "communities_meeting_reminder",
               locale=user.locale, meeting=meeting, user=user, starts=to_local(meeting.starts_at),
               ends=to_local(meeting.ends_at), agenda=meeting.agenda,
               link=external_url("communities.meeting", slug=meeting.community.slug, meeting_id=meeting.id),
               ics=external_url("communities.meeting_ics", slug=meeting.community.slug, meeting_id=meeting.id))


def agenda_html(meeting: Meeting):
    return render_markdown(meeting.agenda)
