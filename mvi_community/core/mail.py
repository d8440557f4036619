"""The mail outbox: services queue messages in a table; delivery happens over SMTP later.

`queue_mail` renders a plain-text template in the recipient's language and adds an
`OutboxMessage`; nothing leaves the machine inside a request. `deliver_outbox` sends queued
messages over SMTP (when `MAIL_SERVER` is configured); the scheduler runs it every minute, and
in development it runs right after a request that queued mail (`MAIL_SEND_IMMEDIATELY`).
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from flask import current_app, g, render_template
from flask_babel import force_locale
from sqlalchemy import select

from mvi_community.core.models import OutboxMessage
from mvi_community.db import utcnow
from mvi_community.extensions import db


def queue_mail(to: str, subject: Any, template: str, locale: str | None = None, **context: Any) -> OutboxMessage:
    """Queue one message. `subject` may be a lazy string: it is rendered in `locale`."""
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        body = render_template(f"mail/{template}.txt", base_url=current_app.config["BASE_URL"], **context)
        subject_text = str(subject)
    message = OutboxMessage(to=to, subject=subject_text, body=body)
    db.session.add(message)
    g.outbox_pending = True
    return message


def _smtp_connection() -> smtplib.SMTP:
    config = current_app.config
    if config["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp


def deliver_outbox(limit: int = 100) -> tuple[int, int]:
    """Send queued messages; returns (sent, failed). Flushes, never commits.

    A message that fails is retried on the next run until `MAIL_MAX_ATTEMPTS`, then marked failed.
    Without `MAIL_SERVER` nothing is sent and everything stays queued (readable on the outbox page).
    """
    config = current_app.config
    if not config["MAIL_SERVER"]:
        return 0, 0
    queued = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxMessage.QUEUED)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    if not queued:
        return 0, 0
    sent = failed = 0
    try:
        smtp = _smtp_connection()
    except (OSError, smtplib.SMTPException) as error:
        for message in queued:
            _record_failure(message, error)
        db.session.flush()
        return 0, len(queued)
    with smtp:
        for message in queued:
            email = EmailMessage()
            email["From"] = config["MAIL_DEFAULT_SENDER"]
            email["To"] = message.to
            email["Subject"] = message.subject
            email["Message-ID"] = make_msgid(domain="mvi-community.nl")
            email.set_content(message.body)
            try:
                smtp.send_message(email)
            except (OSError, smtplib.SMTPException) as error:
                _record_failure(message, error)
                failed += 1
            else:
                message.status = OutboxMessage.SENT
                message.sent_at = utcnow()
                message.attempts += 1
                sent += 1
    db.session.flush()
    return sent, failed


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:1000]
    if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = OutboxMessage.FAILED
