"""Discussions: threads with Markdown posts (rendered, then sanitised, in the template), edits with
revision history, a best answer on questions, following with direct mail or a daily digest."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from mvi_community.accounts.models import User
from mvi_community.communities.models import (
    ACTIVE,
    Community,
    CommunityMember,
    Post,
    PostRevision,
    Thread,
    ThreadFollow,
)
from mvi_community.communities.services.membership import is_member, is_moderator
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.mail import queue_mail
from mvi_community.core.pagination import paginate
from mvi_community.core.permissions import is_coordinator, require
from mvi_community.core.urls import external_url
from mvi_community.db import utcnow
from mvi_community.extensions import db

MAX_BODY = 20_000


def _can_read(user, community: Community) -> bool:
    return is_member(user, community) or is_coordinator(user)


def _check_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise ServiceError(_l("Schrijf een bericht."), field="body")
    if len(body) > MAX_BODY:
        raise ServiceError(_l("Het bericht is te lang (hoogstens 20.000 tekens)."), field="body")
    return body


def threads_page(actor, community: Community, page: int = 1, working_group_id: int | None = None, per_page: int = 20):
    require(_can_read(actor, community), _l("Alleen leden van deze community lezen de discussies."))
    statement = (
        select(Thread).options(joinedload(Thread.author), joinedload(Thread.working_group))
        .where(Thread.community_id == community.id).order_by(Thread.last_activity_at.desc(), Thread.id.desc())
    )
    if working_group_id:
        statement = statement.where(Thread.working_group_id == working_group_id)
    return paginate(statement, page, per_page)


def latest_threads(community: Community, limit: int = 5) -> list[Thread]:
    return list(db.session.scalars(
        select(Thread).options(selectinload(Thread.author)).where(Thread.community_id == community.id)
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc()).limit(limit)
    ))


def create_thread(actor, community: Community, title: str, body: str, kind: str = "discussion",
                  working_group_id: int | None = None) -> Thread:
    require(_can_read(actor, community), _l("Alleen leden van deze community starten een discussie."))
    title = (title or "").strip()
    if not title:
        raise ServiceError(_l("Geef de discussie een titel."), field="title")
    if kind not in ("discussion", "question"):
        raise ServiceError(_l("Kies het soort bericht."), field="kind")
    if working_group_id and not any(g.id == working_group_id for g in community.working_groups):
        raise ServiceError(_l("Kies een werkgroep van deze community."), field="working_group")
    now = utcnow()
    thread = Thread(community=community, working_group_id=working_group_id or None, author_id=actor.id,
                    title=title[:200], kind=kind, created_at=now, last_activity_at=now)
    db.session.add(thread)
    db.session.add(Post(thread=thread, author_id=actor.id, body=_check_body(body), created_at=now))
    db.session.flush()
    db.session.add(ThreadFollow(thread_id=thread.id, user_id=actor.id))
    db.session.flush()
    return thread


def get_thread(actor, community: Community, thread_id: int) -> Thread:
    require(_can_read(actor, community), _l("Alleen leden van deze community lezen de discussies."))
    thread = db.session.scalar(
        select(Thread).options(selectinload(Thread.posts).selectinload(Post.author), joinedload(Thread.author),
                               joinedload(Thread.working_group))
        .where(Thread.id == thread_id, Thread.community_id == community.id)
    )
    if thread is None:
        raise NotFound()
    return thread


def is_following(user, thread: Thread) -> bool:
    return db.session.scalar(select(ThreadFollow.id).where(ThreadFollow.thread_id == thread.id,
                                                           ThreadFollow.user_id == user.id)) is not None


def follow(actor, thread: Thread) -> None:
    require(_can_read(actor, thread.community))
    if not is_following(actor, thread):
        db.session.add(ThreadFollow(thread_id=thread.id, user_id=actor.id))
        db.session.flush()


def unfollow(actor, thread: Thread) -> None:
    db.session.execute(delete(ThreadFollow).where(ThreadFollow.thread_id == thread.id,
                                                  ThreadFollow.user_id == actor.id))
    db.session.flush()


def reply(actor, thread: Thread, body: str) -> Post:
    community = thread.community
    require(_can_read(actor, community), _l("Alleen leden van deze community reageren."))
    now = utcnow()
    post = Post(thread=thread, author_id=actor.id, body=_check_body(body), created_at=now)
    db.session.add(post)
    db.session.execute(update(Thread).where(Thread.id == thread.id)
                       .values(reply_count=Thread.reply_count + 1, last_activity_at=now))
    db.session.flush()
    if not is_following(actor, thread):
        db.session.add(ThreadFollow(thread_id=thread.id, user_id=actor.id))
    _notify_followers(actor, thread, post)
    db.session.flush()
    db.session.refresh(thread)
    return post


def _notify_followers(actor, thread: Thread, post: Post) -> None:
    """Followers who chose direct mail (and are still active members) get one message each."""
    recipients = db.session.scalars(
        select(User).join(ThreadFollow, ThreadFollow.user_id == User.id)
        .join(CommunityMember, (CommunityMember.user_id == User.id)
              & (CommunityMember.community_id == thread.community_id))
        .where(ThreadFollow.thread_id == thread.id, User.id != actor.id, User.active.is_(True),
               CommunityMember.status == ACTIVE, CommunityMember.notify == "direct")
    ).all()
    link = external_url("communities.thread", slug=thread.community.slug, thread_id=thread.id, _anchor=f"post-{post.id}")
    for user in recipients:
        queue_mail(user.email, _l("Nieuwe reactie: %(title)s", title=thread.title), "communities_reply",
                   locale=user.locale, thread=thread, post=post, author=actor, user=user, link=link,
                   community=thread.community)


def get_post(community: Community, post_id: int) -> Post:
    post = db.session.scalar(select(Post).options(selectinload(Post.thread)).join(Thread)
                             .where(Post.id == post_id, Thread.community_id == community.id))
    if post is None:
        raise NotFound()
    return post


def can_edit_post(user, post: Post) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and (
        post.author_id == user.id or is_moderator(user, post.thread.community_id))


def edit_post(actor, post: Post, body: str) -> Post:
    require(can_edit_post(actor, post), _l("U kunt alleen uw eigen berichten bewerken."))
    body = _check_body(body)
    if body == post.body:
        return post
    db.session.add(PostRevision(post=post, body=post.body, written_at=post.edited_at or post.created_at,
                                edited_by_id=actor.id))
    post.body = body
    post.edited_at = utcnow()
    db.session.flush()
    return post


def post_history(actor, community: Community, post: Post) -> list[PostRevision]:
    require(_can_read(actor, community))
    return list(db.session.scalars(
        select(PostRevision).options(selectinload(PostRevision.edited_by))
        .where(PostRevision.post_id == post.id).order_by(PostRevision.id.desc())
    ))


def mark_best_answer(actor, thread: Thread, post_id: int | None) -> None:
    """The asker (or a moderator) marks one reply as the best answer; None clears it."""
    require(actor.id == thread.author_id or is_moderator(actor, thread.community_id),
            _l("Alleen wie de vraag stelde, of een moderator, kiest het beste antwoord."))
    if thread.kind != "question":
        raise ServiceError(_l("Alleen bij een vraag kunt u een beste antwoord kiezen."))
    first_post_id = db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == thread.id))
    if post_id is not None:
        post = db.session.get(Post, post_id)
        if post is None or post.thread_id != thread.id:
            raise NotFound()
        if post.id == first_post_id:
            raise ServiceError(_l("De vraag zelf kan niet het beste antwoord zijn."))
    db.session.execute(update(Post).where(Post.thread_id == thread.id, Post.is_best_answer.is_(True))
                       .values(is_best_answer=False))
    db.session.flush()
    if post_id is not None:
        db.session.execute(update(Post).where(Post.id == post_id).values(is_best_answer=True))
    db.session.flush()
    db.session.expire_all()


# --- the digest --------------------------------------------------------------------------------

def send_digests(start: datetime, end: datetime) -> int:
    """One message per member who chose the digest: new posts in followed threads in [start, end)."""
    rows = db.session.execute(
        select(User, Thread, Post)
        .join(ThreadFollow, ThreadFollow.user_id == User.id)
        .join(Thread, Thread.id == ThreadFollow.thread_id)
        .join(Post, Post.thread_id == Thread.id)
        .join(CommunityMember, (CommunityMember.user_id == User.id)
              & (CommunityMember.community_id == Thread.community_id))
        .options(selectinload(Thread.community), selectinload(Post.author))
        .where(CommunityMember.notify == "digest", CommunityMember.status == ACTIVE, User.active.is_(True),
               Post.created_at >= start, Post.created_at < end, Post.author_id != User.id)
        .order_by(User.id, Thread.id, Post.id)
    ).all()
    per_user: dict[int, tuple[User, dict[int, tuple[Thread, list[Post]]]]] = {}
    for user, thread, post in rows:
        _, threads = per_user.setdefault(user.id, (user, {}))
        threads.setdefault(thread.id, (thread, []))[1].append(post)
    for user, threads in per_user.values():
        items = []
        for thread, posts in threads.values():
            items.append({"thread": thread, "count": len(posts), "authors": sorted({p.author.name for p in posts if p.author}),
                          "link": external_url("communities.thread", slug=thread.community.slug, thread_id=thread.id)})
        queue_mail(user.email, _l("Nieuw in uw discussies"), "communities_digest", locale=user.locale, user=user,
                   items=items)
    return len(per_user)


def thread_counts_by_group(community: Community) -> dict[int | None, int]:
    counts: dict[int | None, int] = defaultdict(int)
    for group_id, n in db.session.execute(
        select(Thread.working_group_id, func.count(Thread.id)).where(Thread.community_id == community.id)
        .group_by(Thread.working_group_id)
    ).all():
        counts[group_id] = n
    return counts
