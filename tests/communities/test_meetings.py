"""Meetings: Amsterdam time stored as UTC, RSVPs with capacity and an automatic waiting list, .ics
and the calendar feed, reminders the day before (idempotent)."""
from __future__ import annotations

from datetime import UTC, date, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mvi_community.communities import services, tasks
from mvi_community.communities.models import Rsvp
from mvi_community.core.errors import PermissionDenied, ServiceError
from mvi_community.core.models import OutboxMessage
from mvi_community.db import utcnow
from mvi_community.extensions import db
from tests.cases.conftest import client_for
from tests.communities.conftest import add_member
from tests.conftest import post_form
from tests.factories import commit, make_user


def meeting_for(setup, capacity=2, day=None, online=None):
    day = day or (utcnow() + timedelta(days=20)).date()
    return services.create_meeting(setup.moderator, setup.community, services.MeetingData(
        title="Communitybijeenkomst", day=day, start=time(13, 30), end=time(17, 0),
        location="Stadskantoor Venlo", online_url=online, agenda="1. Welkom", capacity=capacity))


def test_times_are_amsterdam_wall_clock_stored_as_utc(setup):
    summer = meeting_for(setup, day=date(2030, 7, 1))
    winter = meeting_for(setup, day=date(2030, 1, 7))
    assert summer.starts_at.astimezone(UTC).hour == 11  # CEST = UTC+2
    assert winter.starts_at.astimezone(UTC).hour == 12  # CET = UTC+1
    with pytest.raises(ServiceError):
        services.create_meeting(setup.moderator, setup.community, services.MeetingData(
            title="Verkeerd", day=date(2030, 1, 7), start=time(15), end=time(14), location="x"))
    with pytest.raises(PermissionDenied):
        services.create_meeting(setup.eva, setup.community, services.MeetingData(
            title="Niet van mij", day=date(2030, 1, 7), start=time(13), end=time(14), location="x"))


def test_waiting_list_moves_up_on_cancel(setup):
    meeting = meeting_for(setup, capacity=2)
    third = make_user("derde@example.nl", "Derde Lid")
    fourth = make_user("vierde@example.nl", "Vierde Lid")
    add_member(setup.community, third)
    add_member(setup.community, fourth)
    assert services.rsvp(setup.eva, meeting).status == "going"
    assert services.rsvp(setup.tom, meeting).status == "going"
    waiting = services.rsvp(third, meeting)
    assert waiting.status == "waiting" and services.waiting_position(waiting) == 1
    assert services.waiting_position(services.rsvp(fourth, meeting)) == 2
    assert services.rsvp(third, meeting).status == "waiting"  # idempotent
    services.cancel(setup.eva, meeting)
    db.session.refresh(waiting)
    assert waiting.status == "going"
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == "derde@example.nl")).one()
    assert "wachtlijst" in mail.body
    assert services.waiting_position(db.session.scalar(select(Rsvp).where(Rsvp.user_id == fourth.id))) == 1
    # cancelling and coming back puts you at the end of the waiting list
    again = services.rsvp(setup.eva, meeting)
    assert again.status == "waiting" and services.waiting_position(again) == 2
    # raising the capacity moves the list up
    data = services.MeetingData(title=meeting.title, day=services.to_local(meeting.starts_at).date(),
                                start=time(13, 30), end=time(17, 0), location="Stadskantoor Venlo", capacity=4)
    services.update_meeting(setup.moderator, meeting, data)
    assert services.attendance(meeting).going == 4 and services.attendance(meeting).waiting == 0


def test_only_members_rsvp_and_one_row_per_member(setup):
    meeting = meeting_for(setup)
    with pytest.raises(PermissionDenied):
        services.rsvp(setup.outsider, meeting)
    services.rsvp(setup.eva, meeting)
    db.session.add(Rsvp(meeting_id=meeting.id, user_id=setup.eva.id, status="going"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_ics_per_meeting_and_feed(app, setup):
    meeting = meeting_for(setup, online="https://meet.example.nl/gdci")
    commit()
    eva = client_for(app, "eva@amsterdam.example.nl")
    response = eva.get(f"/communities/gdci/bijeenkomsten/{meeting.id}.ics")
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert event.decoded("dtstart") == meeting.starts_at
    assert event.decoded("dtend") == meeting.ends_at
    assert "Communitybijeenkomst" in str(event["summary"])
    assert "https://meet.example.nl/gdci" in str(event["description"])
    assert str(event["uid"]) == f"meeting-{meeting.id}@mvi-community.nl"
    anonymous = app.test_client().get("/communities/gdci/agenda.ics")
    feed = Calendar.from_ical(anonymous.data)
    assert len(feed.walk("VEVENT")) == 1
    assert "meet.example.nl" not in anonymous.get_data(as_text=True)  # links are for members only


def test_rsvp_through_the_web_full_meeting(app, setup):
    meeting = meeting_for(setup, capacity=1)
    services.rsvp(setup.eva, meeting)
    commit()
    tom = client_for(app, "tom@venlo.example.nl")
    page = f"/communities/gdci/bijeenkomsten/{meeting.id}"
    response = post_form(tom, f"{page}/aanmelden", page=page, follow_redirects=True)
    assert "U staat op de wachtlijst (plaats 1)" in response.get_data(as_text=True)
    eva = client_for(app, "eva@amsterdam.example.nl")
    post_form(eva, f"{page}/afmelden", page=page)
    assert "U bent aangemeld." in tom.get(page).get_data(as_text=True)


def test_reminder_the_day_before_once(setup):
    tomorrow = services.to_local(utcnow()).date() + timedelta(days=1)
    meeting = meeting_for(setup, capacity=None, day=tomorrow)
    services.rsvp(setup.eva, meeting)
    services.rsvp(setup.tom, meeting)
    services.cancel(setup.tom, meeting)
    later = meeting_for(setup, capacity=None, day=tomorrow + timedelta(days=3))
    services.rsvp(setup.eva, later)
    commit()
    assert tasks.send_meeting_reminders() == 1
    assert tasks.send_meeting_reminders() == 0
    reminders = db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.like("Morgen:%"))).all()
    assert [m.to for m in reminders] == ["eva@amsterdam.example.nl"]


def test_meeting_pages_query_budget(app, setup, count_queries):
    meeting = meeting_for(setup, capacity=3)
    for n in range(20):
        user = make_user(f"lid{n}@example.nl", f"Lid {n}")
        add_member(setup.community, user)
        services.rsvp(user, meeting)
        meeting_for(setup)
    commit()
    eva = client_for(app, "eva@amsterdam.example.nl")
    for url in (f"/communities/gdci/bijeenkomsten/{meeting.id}", "/communities/gdci/bijeenkomsten",
                f"/communities/gdci/bijeenkomsten/{meeting.id}.ics", "/communities/gdci/agenda.ics"):
        with count_queries() as counter:
            assert eva.get(url).status_code == 200
        assert counter.count <= 12, (url, counter.count)
