"""Sign-in, sign-out, throttling, profile and password change."""
from __future__ import annotations

from sqlalchemy import select

from mvi_community.core.models import AuditEvent
from mvi_community.extensions import db
from tests.conftest import login, post_form
from tests.factories import PASSWORD, commit, make_organisation, make_user


def test_sign_in_and_out(client):
    organisation = make_organisation(name="Gemeente Venlo", code="gm0983")
    make_user("anouk@venlo.example.nl", "Anouk Peeters", organisation)
    commit()
    response = post_form(client, "/inloggen", {"email": "Anouk@Venlo.example.nl ", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Anouk Peeters" in home and "Uitloggen" in home
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login")) is not None
    response = post_form(client, "/uitloggen", page="/")
    assert response.status_code == 302
    assert "Inloggen" in client.get("/").get_data(as_text=True)


def test_wrong_password_gives_one_generic_message(client):
    make_user("eva@example.nl")
    commit()
    wrong_password = post_form(client, "/inloggen", {"email": "eva@example.nl", "password": "Nope-nope-nope"})
    unknown_user = post_form(client, "/inloggen", {"email": "niemand@example.nl", "password": "Nope-nope-nope"})
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert "Het e-mailadres of wachtwoord klopt niet." in response.get_data(as_text=True)
    failures = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).all()
    assert len(failures) == 2


def test_inactive_user_cannot_sign_in(client):
    make_user("oud@example.nl", active=False)
    commit()
    response = post_form(client, "/inloggen", {"email": "oud@example.nl", "password": PASSWORD})
    assert response.status_code == 200
    assert "klopt niet" in response.get_data(as_text=True)


def test_login_is_throttled_with_a_clear_429(client):
    make_user("eva@example.nl")
    commit()
    statuses = [
        post_form(client, "/inloggen", {"email": "eva@example.nl", "password": f"Fout-{i}-wachtwoord"}).status_code
        for i in range(6)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    blocked = post_form(client, "/inloggen", {"email": "eva@example.nl", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Te veel pogingen" in blocked.get_data(as_text=True)


def test_open_redirect_is_refused(client):
    make_user("eva@example.nl")
    commit()
    for target in ("https://evil.example.com/", "//evil.example.com", "/\\evil.example.com"):
        client.post("/uitloggen")
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
        response = post_form(client, "/inloggen", {"email": "eva@example.nl", "password": PASSWORD, "next": target})
        assert response.headers["Location"] == "/"
        post_form(client, "/uitloggen", page="/")


def test_next_parameter_returns_to_the_page(client):
    make_user("eva@example.nl")
    commit()
    response = client.get("/profiel")
    assert response.status_code == 302 and "/inloggen?next=" in response.headers["Location"]
    response = post_form(client, "/inloggen", {"email": "eva@example.nl", "password": PASSWORD, "next": "/profiel"})
    assert response.headers["Location"] == "/profiel"


def test_post_without_csrf_token_is_refused(client):
    make_user("eva@example.nl")
    commit()
    response = client.post("/inloggen", data={"email": "eva@example.nl", "password": PASSWORD})
    assert response.status_code == 400
    assert "formulier is verlopen" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login")) is None


def test_profile_update_and_password_change(client):
    user = make_user("eva@example.nl", "Eva")
    commit()
    login(client, "eva@example.nl")
    response = post_form(client, "/profiel", {"name": "Eva Jansen", "locale": "en"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.name == "Eva Jansen" and user.locale == "en"
    # English now, because the preferred language changed
    assert "Sign out" in client.get("/profiel").get_data(as_text=True)

    wrong = post_form(client, "/profiel/wachtwoord", {"pw-current_password": "niet-goed-123",
                      "pw-password": "Nieuw-wachtwoord-2026", "pw-password_confirm": "Nieuw-wachtwoord-2026"}, page="/profiel")
    assert wrong.status_code == 200
    assert "current password is incorrect" in wrong.get_data(as_text=True)
    weak = post_form(client, "/profiel/wachtwoord", {"pw-current_password": PASSWORD, "pw-password": "kort",
                     "pw-password_confirm": "kort"}, page="/profiel")
    assert "at least 10 characters" in weak.get_data(as_text=True)
    ok = post_form(client, "/profiel/wachtwoord", {"pw-current_password": PASSWORD,
                   "pw-password": "Nieuw-wachtwoord-2026", "pw-password_confirm": "Nieuw-wachtwoord-2026"}, page="/profiel")
    assert ok.status_code == 302
    db.session.refresh(user)
    assert user.check_password("Nieuw-wachtwoord-2026")
