"""Password reset: a one-time, expiring link by e-mail; no account enumeration; throttled."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from mvi_community.accounts.models import PasswordReset, User
from mvi_community.core.models import AuditEvent, OutboxMessage
from mvi_community.db import utcnow
from mvi_community.extensions import db
from tests.conftest import post_form
from tests.factories import PASSWORD, commit, make_user

NEW_PASSWORD = "Nieuwe-zomer-in-Zeeland-9"
INVALID = "Deze link om uw wachtwoord te herstellen is verlopen of al gebruikt. Vraag een nieuwe aan."


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def request_link(client, email: str):
    return post_form(client, "/wachtwoord-vergeten", {"email": email})


def token_from(message: OutboxMessage) -> str:
    return re.search(r"http://localhost/wachtwoord-herstellen/([\w-]+)", message.body).group(1)


def lead_paragraph(html: str) -> str:
    return re.search(r'<p class="utrecht-paragraph utrecht-paragraph--lead">(.*?)</p>', html, re.DOTALL).group(1)


def set_password(client, token: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return post_form(client, f"/wachtwoord-herstellen/{token}",
                     {"password": password, "password_confirm": confirm or password})


def test_existing_email_gets_a_link(client):
    user = make_user("eva@example.nl", "Eva Jansen")
    commit()
    response = request_link(client, "Eva@Example.nl")
    assert response.status_code == 200
    assert "Controleer uw e-mail" in response.get_data(as_text=True)
    [message] = outbox()
    assert message.to == "eva@example.nl"
    assert message.subject == "Nieuw wachtwoord instellen voor MVI Community"
    assert "Beste Eva Jansen," in message.body and "(2 uur geldig, één keer te gebruiken)" in message.body
    token = token_from(message)
    reset = db.session.scalar(select(PasswordReset))
    assert reset.user_id == user.id and reset.used_at is None and token not in reset.token_hash
    assert round((reset.expires_at - utcnow()).total_seconds() / 3600) == 2


def test_unknown_or_inactive_email_shows_the_same_page_and_sends_nothing(client):
    make_user("eva@example.nl")
    make_user("oud@example.nl", active=False)
    commit()
    known = request_link(client, "eva@example.nl").get_data(as_text=True)
    outbox_after_known = len(outbox())
    unknown = request_link(client, "niemand@example.nl").get_data(as_text=True)
    inactive = request_link(client, "oud@example.nl").get_data(as_text=True)
    assert outbox_after_known == 1 and len(outbox()) == 1
    assert db.session.scalar(select(func.count(PasswordReset.id))) == 1
    expected = lead_paragraph(known).replace("eva@example.nl", "EMAIL")
    assert "Als er een account bestaat voor EMAIL" in expected
    assert lead_paragraph(unknown).replace("niemand@example.nl", "EMAIL") == expected
    assert lead_paragraph(inactive).replace("oud@example.nl", "EMAIL") == expected


def test_malformed_email_is_a_field_error(client):
    response = request_link(client, "eva-at-example")
    assert response.status_code == 200
    assert "Vul een geldig e-mailadres in, zoals naam@gemeente.nl." in response.get_data(as_text=True)
    assert outbox() == []


def test_link_sets_a_new_password_once(app, client):
    user = make_user("eva@example.nl")
    commit()
    request_link(client, "eva@example.nl")
    token = token_from(outbox()[0])
    page = client.get(f"/wachtwoord-herstellen/{token}")
    assert page.status_code == 200 and "Nieuw wachtwoord instellen" in page.get_data(as_text=True)

    # (3 posts to this page: RESET_RATE_LIMIT allows 3 per minute)
    weak = set_password(client, token, "Eva-2026")
    assert weak.status_code == 200
    assert "Kies een wachtwoord van minstens 10 tekens." in weak.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)
    assert db.session.scalar(select(PasswordReset.used_at)) is None

    response = set_password(client, token)
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen"
    assert "Uw wachtwoord is gewijzigd. U kunt nu inloggen." in client.get("/inloggen").get_data(as_text=True)
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert db.session.scalar(select(PasswordReset.used_at)) is not None
    assert db.session.scalar(select(AuditEvent.object_id).where(AuditEvent.action == "auth.password_reset")) == str(user.id)

    # the link is spent: a clear 400, and the password stays what it is
    reused = client.get(f"/wachtwoord-herstellen/{token}")
    assert reused.status_code == 400 and INVALID in reused.get_data(as_text=True)
    reused_post = post_form(client, f"/wachtwoord-herstellen/{token}",
                            {"password": "Nog-een-ander-wachtwoord", "password_confirm": "Nog-een-ander-wachtwoord"},
                            page="/inloggen")
    assert reused_post.status_code == 400 and INVALID in reused_post.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)
    login = post_form(client, "/inloggen", {"email": "eva@example.nl", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_expired_link_is_refused(client):
    user = make_user("eva@example.nl")
    commit()
    request_link(client, "eva@example.nl")
    token = token_from(outbox()[0])
    db.session.scalar(select(PasswordReset)).expires_at = utcnow() - timedelta(seconds=1)
    commit()
    response = client.get(f"/wachtwoord-herstellen/{token}")
    assert response.status_code == 400 and INVALID in response.get_data(as_text=True)
    response = post_form(client, f"/wachtwoord-herstellen/{token}",
                         {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}, page="/")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_unknown_token_is_refused(client):
    response = client.get("/wachtwoord-herstellen/niet-een-echte-token")
    assert response.status_code == 400 and INVALID in response.get_data(as_text=True)


def test_using_one_link_closes_every_other_open_link(client):
    make_user("eva@example.nl")
    other = make_user("tom@example.nl")
    commit()
    request_link(client, "eva@example.nl")
    request_link(client, "eva@example.nl")
    request_link(client, "tom@example.nl")
    first, second, toms = (token_from(m) for m in outbox())
    assert set_password(client, second).status_code == 302
    response = client.get(f"/wachtwoord-herstellen/{first}")
    assert response.status_code == 400 and INVALID in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(PasswordReset.id)).where(PasswordReset.used_at.is_(None))) == 1
    # another account's link is not touched
    assert client.get(f"/wachtwoord-herstellen/{toms}").status_code == 200
    assert db.session.scalar(select(PasswordReset.used_at).where(PasswordReset.user_id == other.id)) is None


def test_requests_are_throttled_with_a_clear_429(app, client):
    make_user("eva@example.nl")
    commit()
    limit = int(app.config["RESET_RATE_LIMIT"].split()[0])  # "3 per minute;10 per hour"
    assert limit == 3
    statuses = [request_link(client, "eva@example.nl").status_code for _ in range(limit + 1)]
    assert statuses == [200] * limit + [429]
    blocked = request_link(client, "niemand@example.nl")
    assert blocked.status_code == 429 and "Te veel pogingen" in blocked.get_data(as_text=True)
    assert len(outbox()) == limit  # nothing was sent for the throttled attempts
