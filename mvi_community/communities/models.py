"""Communities of practice: communities, working groups, members, discussions, meetings, RSVPs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mvi_community.accounts.models import User
from mvi_community.core.taxonomy import Theme
from mvi_community.db import utcnow
from mvi_community.extensions import db

TRACKS = ("verdieping", "verbreding")
POLICIES = ("open", "request", "invitation")
ROLES = ("member", "moderator")
# a member row is "active", "pending" (asked to join, a moderator decides) or "invited"
ACTIVE, PENDING, INVITED = "active", "pending", "invited"
MEMBER_STATUSES = (ACTIVE, PENDING, INVITED)
NOTIFY = ("direct", "digest", "off")
THREAD_KINDS = ("discussion", "question")
GOING, WAITING, CANCELLED = "going", "waiting", "cancelled"
RSVP_STATUSES = (GOING, WAITING, CANCELLED)

community_theme = Table(
    "communities_community_theme",
    db.metadata,
    Column("community_id", ForeignKey("communities_community.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("core_theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)

member_theme = Table(
    "communities_member_theme",
    db.metadata,
    Column("member_id", ForeignKey("communities_member.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("core_theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Community(db.Model):
    __tablename__ = "communities_community"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    track: Mapped[str] = mapped_column(String(12), index=True)
    membership_policy: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    themes: Mapped[list[Theme]] = relationship(secondary=community_theme, order_by=Theme.position)
    working_groups: Mapped[list[WorkingGroup]] = relationship(
        back_populates="community", cascade="all, delete-orphan", order_by="WorkingGroup.position"
    )

    __table_args__ = (
        CheckConstraint("track IN ('verdieping', 'verbreding')", name="track"),
        CheckConstraint("membership_policy IN ('open', 'request', 'invitation')", name="policy"),
    )


class WorkingGroup(db.Model):
    __tablename__ = "communities_working_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities_community.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    community: Mapped[Community] = relationship(back_populates="working_groups")

    __table_args__ = (UniqueConstraint("community_id", "slug"),)


class CommunityMember(db.Model):
    __tablename__ = "communities_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities_community.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12), default="member")
    status: Mapped[str] = mapped_column(String(10), default=ACTIVE, index=True)
    notify: Mapped[str] = mapped_column(String(8), default="direct")
    intro: Mapped[str | None] = mapped_column(Text)
    motivation: Mapped[str | None] = mapped_column(Text)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    joined_at: Mapped[datetime | None]

    community: Mapped[Community] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    themes: Mapped[list[Theme]] = relationship(secondary=member_theme, order_by=Theme.position)

    __table_args__ = (
        UniqueConstraint("community_id", "user_id"),
        CheckConstraint("role IN ('member', 'moderator')", name="role"),
        CheckConstraint("status IN ('active', 'pending', 'invited')", name="status"),
        CheckConstraint("notify IN ('direct', 'digest', 'off')", name="notify"),
    )

    @property
    def is_moderator(self) -> bool:
        return self.role == "moderator" and self.status == ACTIVE


class Thread(db.Model):
    __tablename__ = "communities_thread"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities_community.id", ondelete="CASCADE"), index=True)
    working_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities_working_group.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), default="discussion")
    reply_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    community: Mapped[Community] = relationship()
    working_group: Mapped[WorkingGroup | None] = relationship()
    author: Mapped[User | None] = relationship()
    posts: Mapped[list[Post]] = relationship(back_populates="thread", cascade="all, delete-orphan",
                                             order_by="Post.id")

    __table_args__ = (CheckConstraint("kind IN ('discussion', 'question')", name="kind"),)


class Post(db.Model):
    __tablename__ = "communities_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("communities_thread.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    is_best_answer: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None]

    thread: Mapped[Thread] = relationship(back_populates="posts")
    author: Mapped[User | None] = relationship()
    revisions: Mapped[list[PostRevision]] = relationship(back_populates="post", cascade="all, delete-orphan",
                                                         order_by="PostRevision.id")

    # at most one best answer per thread, as a database rule
    __table_args__ = (
        Index("uq_communities_post_best_answer", "thread_id", unique=True,
              sqlite_where=text("is_best_answer = 1"), postgresql_where=text("is_best_answer")),
    )


class PostRevision(db.Model):
    """The text of a post before an edit (the current text is on the post)."""

    __tablename__ = "communities_post_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("communities_post.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(back_populates="revisions")
    edited_by: Mapped[User | None] = relationship()


class ThreadFollow(db.Model):
    __tablename__ = "communities_thread_follow"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("communities_thread.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)


class Meeting(db.Model):
    """A meeting; times stored in UTC, shown and entered in Europe/Amsterdam."""

    __tablename__ = "communities_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities_community.id", ondelete="CASCADE"), index=True)
    working_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities_working_group.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    location: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    agenda: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE, raised on every change

    community: Mapped[Community] = relationship()
    working_group: Mapped[WorkingGroup | None] = relationship()

    __table_args__ = (CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity"),)


class Rsvp(db.Model):
    """One row per member × meeting (a database rule); `position` orders the waiting list."""

    __tablename__ = "communities_rsvp"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("communities_meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    position: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        Index("ix_communities_rsvp_queue", "meeting_id", "status", "position"),
        CheckConstraint("status IN ('going', 'waiting', 'cancelled')", name="status"),
    )
