"""The outbox: mail is queued in the request, delivered over real SMTP, retried, then failed."""
from __future__ import annotations

from sqlalchemy import select

from mvi_community.core.mail import deliver_outbox, queue_mail
from mvi_community.core.models import OutboxMessage
from mvi_community.extensions import db
from tests.conftest import post_form
from tests.factories import commit, make_organisation, make_user


def _queue_one(app):
    with app.test_request_context():
        queue_mail("eva@example.nl", "Onderwerp", "password_reset", locale="nl",
                   user=type("U", (), {"name": "Eva"})(), link="http://localhost/x", hours=2)
    db.session.commit()


def test_without_smtp_server_everything_stays_queued(app):
    _queue_one(app)
    assert deliver_outbox() == (0, 0)
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxMessage.QUEUED


def test_delivery_over_smtp(app, smtp_server):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    _queue_one(app)
    assert deliver_outbox() == (1, 0)
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == OutboxMessage.SENT and message.sent_at is not None and message.attempts == 1
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["to"] == ["eva@example.nl"]
    assert "Subject: Onderwerp" in received["data"] and "http://localhost/x" in received["data"]
    # delivering again sends nothing twice
    assert deliver_outbox() == (0, 0)
    assert len(smtp_server.messages) == 1


def test_unreachable_server_retries_then_fails(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_MAX_ATTEMPTS=2)  # discard port: refused
    _queue_one(app)
    assert deliver_outbox() == (0, 1)
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == OutboxMessage.QUEUED and message.attempts == 1 and message.last_error
    deliver_outbox()
    assert message.status == OutboxMessage.FAILED and message.attempts == 2


def test_mail_is_rendered_in_the_recipients_language(app):
    with app.test_request_context():
        queue_mail("a@example.nl", "x", "password_reset", locale="en", user=type("U", (), {"name": "Ann"})(),
                   link="http://localhost/r", hours=2)
        queue_mail("b@example.nl", "x", "password_reset", locale="nl", user=type("U", (), {"name": "Bas"})(),
                   link="http://localhost/r", hours=2)
    english, dutch = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert english.body.startswith("Dear Ann")
    assert dutch.body.startswith("Beste Bas")


def test_immediate_delivery_after_the_request(app, client, smtp_server):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port, MAIL_SEND_IMMEDIATELY=True)
    make_user("eva@example.nl")
    commit()
    response = post_form(client, "/wachtwoord-vergeten", {"email": "eva@example.nl"})
    assert response.status_code == 200
    assert len(smtp_server.messages) == 1
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxMessage.SENT


def test_outbox_page_for_coordinators_only(app, client):
    organisation = make_organisation()
    make_user("lid@example.nl", organisation=organisation)
    make_user("coord@example.nl", coordinator=True)
    commit()
    _queue_one(app)
    from tests.conftest import login

    login(client, "lid@example.nl")
    assert client.get("/beheer/outbox").status_code == 403
    post_form(client, "/uitloggen", page="/")
    login(client, "coord@example.nl")
    html = client.get("/beheer/outbox").get_data(as_text=True)
    assert "Onderwerp" in html and "eva@example.nl" in html
    app.config["OUTBOX_PAGE_ENABLED"] = False
    assert client.get("/beheer/outbox").status_code == 404
