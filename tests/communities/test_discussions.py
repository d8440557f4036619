"""Discussions: Markdown sanitised, edit history, best answer, follow with direct mail and digest."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mvi_community.communities import services, tasks
from mvi_community.communities.models import CommunityMember, Post
from mvi_community.core.errors import PermissionDenied, ServiceError
from mvi_community.core.models import OutboxMessage
from mvi_community.extensions import db
from tests.cases.conftest import client_for
from tests.conftest import post_form
from tests.factories import commit


def mails(to):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == to)).all()


def test_markdown_is_rendered_and_script_neutralised(app, setup):
    eva = client_for(app, "eva@amsterdam.example.nl")
    response = post_form(eva, "/communities/gdci/discussies/nieuw", {
        "title": "Terugname", "kind": "question", "working_group": setup.group.id,
        "body": "**Hoe** doen jullie dat?\n\n<script>alert('x')</script>\n\n[klik](javascript:alert(1))"})
    assert response.status_code == 302
    html = eva.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>Hoe</strong>" in html
    assert "<script>alert" not in html and 'href="javascript:' not in html


def test_reply_notifies_direct_followers_and_not_the_author(setup):
    thread = services.create_thread(setup.eva, setup.community, "Terugname", "Vraag", "question")
    services.reply(setup.tom, thread, "Antwoord van Venlo")
    assert any("Antwoord van Venlo" in m.body for m in mails("eva@amsterdam.example.nl"))
    assert not mails("tom@venlo.example.nl")
    assert services.is_following(setup.tom, thread)
    services.unfollow(setup.eva, thread)
    services.reply(setup.tom, thread, "Nog een aanvulling")
    assert len(mails("eva@amsterdam.example.nl")) == 1
    db.session.refresh(thread)
    assert thread.reply_count == 2


def test_edit_keeps_history_and_only_author_or_moderator(setup):
    thread = services.create_thread(setup.eva, setup.community, "Titel", "Eerste versie")
    post = thread.posts[0]
    with pytest.raises(PermissionDenied):
        services.edit_post(setup.tom, post, "Gekaapt")
    services.edit_post(setup.eva, post, "Tweede versie")
    services.edit_post(setup.moderator, post, "Derde versie")
    history = services.post_history(setup.eva, setup.community, post)
    assert [r.body for r in history] == ["Tweede versie", "Eerste versie"]
    assert post.body == "Derde versie" and post.edited_at is not None


def test_best_answer_one_per_thread(setup):
    thread = services.create_thread(setup.eva, setup.community, "Vraag", "Hoe?", "question")
    first = services.reply(setup.tom, thread, "Zo")
    second = services.reply(setup.moderator, thread, "Of zo")
    with pytest.raises(PermissionDenied):
        services.mark_best_answer(setup.tom, thread, first.id)
    with pytest.raises(ServiceError):
        services.mark_best_answer(setup.eva, thread, thread.posts[0].id)
    services.mark_best_answer(setup.eva, thread, first.id)
    services.mark_best_answer(setup.eva, thread, second.id)
    best = db.session.scalars(select(Post.id).where(Post.thread_id == thread.id, Post.is_best_answer.is_(True))).all()
    assert best == [second.id]
    with pytest.raises(IntegrityError):  # the partial unique index refuses a second best answer
        db.session.execute(Post.__table__.update().where(Post.id == first.id).values(is_best_answer=True))
        db.session.commit()
    db.session.rollback()


def test_discussion_on_a_plain_thread_has_no_best_answer(setup):
    thread = services.create_thread(setup.eva, setup.community, "Discussie", "Wat vinden jullie?")
    reply = services.reply(setup.tom, thread, "Goed")
    with pytest.raises(ServiceError):
        services.mark_best_answer(setup.eva, thread, reply.id)


def test_daily_digest_once_per_day(setup):
    db.session.execute(CommunityMember.__table__.update().where(CommunityMember.user_id == setup.eva.id)
                       .values(notify="digest"))
    thread = services.create_thread(setup.eva, setup.community, "Digest", "Start")
    services.reply(setup.tom, thread, "Reactie een")
    services.reply(setup.moderator, thread, "Reactie twee")
    assert not mails("eva@amsterdam.example.nl")  # no direct mail for digest readers
    commit()
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    morning = tomorrow.astimezone(services.AMSTERDAM).replace(hour=8, minute=0).astimezone(UTC)
    if (morning - datetime.now(UTC)) > timedelta(hours=24):
        morning -= timedelta(days=1)
    assert tasks.send_digest(morning) == 1
    assert tasks.send_digest(morning) == 0
    digest = mails("eva@amsterdam.example.nl")
    assert len(digest) == 1 and "2 nieuwe reacties" in digest[0].body


def test_thread_page_query_budget(app, setup, count_queries):
    thread = services.create_thread(setup.eva, setup.community, "Lang", "Start", "question")
    for n in range(30):
        services.reply([setup.tom, setup.moderator, setup.eva][n % 3], thread, f"Reactie **{n}**")
    for n in range(25):
        services.create_thread(setup.tom, setup.community, f"Onderwerp {n}", "Tekst", working_group_id=setup.group.id)
    commit()
    eva = client_for(app, "eva@amsterdam.example.nl")
    for url in (f"/communities/gdci/discussies/{thread.id}", "/communities/gdci/discussies", "/communities/gdci",
                "/communities/gdci/werkgroepen/interieur", "/communities/", "/communities/gdci/leden",
                "/communities/gdci/mijn-profiel", f"/communities/gdci/berichten/{thread.posts[1].id}/geschiedenis"):
        with count_queries() as counter:
            assert eva.get(url).status_code == 200, url
        assert counter.count <= 12, (url, counter.count, counter.statements)
    moderator = client_for(app, "mod@amsterdam.example.nl")
    with count_queries() as counter:
        assert moderator.get("/communities/gdci/beheer").status_code == 200
    assert counter.count <= 12, counter.count
