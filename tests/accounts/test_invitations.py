"""Invitations: an org admin invites a colleague by e-mail; the link makes them a member once."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mvi_community.accounts.models import Invitation, Membership, User
from mvi_community.core.models import AuditEvent, OutboxMessage
from mvi_community.db import utcnow
from mvi_community.extensions import db
from tests.conftest import FreshContextClient, login, post_form
from tests.factories import PASSWORD, commit, make_organisation, make_user

INVITEE_PASSWORD = "Samen-circulair-inkopen-2026"


def new_client(app, email: str | None = None, password: str = PASSWORD):
    app.test_client_class = FreshContextClient
    client = app.test_client()
    if email:
        login(client, email, password)
    return client


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Invitation, User, Membership, OutboxMessage)
    }


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-error">(.*?)</div>', html, re.DOTALL)
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Fout: ", "").strip() if match else ""


@pytest.fixture()
def venlo(app):
    organisation = make_organisation(code="gm0983", name="Gemeente Venlo")
    make_user("anouk@venlo.example.nl", "Anouk Peeters", organisation, role="org_admin")
    make_user("tom@venlo.example.nl", "Tom Hendriks", organisation, role="member")
    commit()
    return organisation


def invite(app, email="lisa@venlo.example.nl", role="member", name="Lisa Maas", admin="anouk@venlo.example.nl",
           code="gm0983") -> str:
    """Invite through the form as `admin`; returns the token from the e-mailed link."""
    client = new_client(app, admin)
    response = post_form(client, f"/organisaties/{code}/uitnodigen", {"email": email, "name": name, "role": role})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.to == email.lower()))
    return re.search(r"http://localhost/uitnodiging/([\w-]+)", body).group(1)


def accept_new(client, token: str, name="Lisa Maas", password=INVITEE_PASSWORD, confirm=None):
    return post_form(client, f"/uitnodiging/{token}", {
        "email": "lisa@venlo.example.nl", "name": name, "password": password, "password_confirm": confirm or password,
    })


def test_admin_invites_and_the_invitation_is_mailed(app, venlo):
    client = new_client(app, "anouk@venlo.example.nl")
    page = client.get("/organisaties/gm0983/uitnodigen")
    assert page.status_code == 200 and "Collega uitnodigen voor Gemeente Venlo" in page.get_data(as_text=True)
    response = post_form(client, "/organisaties/gm0983/uitnodigen",
                         {"email": "Lisa@Venlo.example.nl", "name": "Lisa Maas", "role": "org_admin"})
    assert response.status_code == 302 and response.headers["Location"] == "/organisaties/gm0983"
    org_page = client.get("/organisaties/gm0983").get_data(as_text=True)
    assert "De uitnodiging is verstuurd naar Lisa@Venlo.example.nl." in org_page
    assert "lisa@venlo.example.nl — geldig tot" in org_page

    db.session.expire_all()
    invitation = db.session.scalar(select(Invitation))
    assert invitation.email == "lisa@venlo.example.nl" and invitation.role == "org_admin"
    assert invitation.organisation_id == venlo.id and invitation.accepted_at is None
    days = (invitation.expires_at - invitation.created_at).total_seconds() / 86400
    assert round(days, 3) == app.config["INVITATION_DAYS"] == 14
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.to == "lisa@venlo.example.nl"
    assert message.subject == "Uitnodiging voor MVI Community namens Gemeente Venlo"
    assert "Anouk Peeters nodigt u uit" in message.body and "(14 dagen geldig)" in message.body
    token = re.search(r"http://localhost/uitnodiging/(\S+)", message.body).group(1)
    assert token not in invitation.token_hash  # only a hash of the token is stored
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.created"))
    assert event.data == {"email": "lisa@venlo.example.nl", "organisation": "gm0983", "role": "org_admin"}


def test_invitee_sets_name_and_password_becomes_member_and_is_signed_in(app, venlo):
    token = invite(app, role="org_admin")
    client = new_client(app)
    page = client.get(f"/uitnodiging/{token}").get_data(as_text=True)
    assert "Uitnodiging van Gemeente Venlo" in page and "als beheerder" in page
    assert "Uw account wordt aangemaakt voor lisa@venlo.example.nl." in page

    response = accept_new(client, token, name="Lisa van der Maas")
    assert response.status_code == 302 and response.headers["Location"] == "/organisaties/gm0983"
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "lisa@venlo.example.nl"))
    assert user.name == "Lisa van der Maas" and user.check_password(INVITEE_PASSWORD)
    assert [(m.organisation_id, m.role) for m in user.memberships] == [(venlo.id, "org_admin")]
    assert db.session.scalar(select(Invitation)).accepted_at is not None
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "invitation.accepted")) == user.id
    # signed in: welcomed on the organisation page, which shows them the management block
    org_page = client.get("/organisaties/gm0983").get_data(as_text=True)
    assert "Welkom bij Gemeente Venlo op MVI Community." in org_page and "Collega uitnodigen" in org_page
    profile = client.get("/profiel")
    assert profile.status_code == 200 and "Lisa van der Maas" in profile.get_data(as_text=True)


def test_weak_password_on_acceptance_is_a_field_error(app, venlo):
    token = invite(app)
    client = new_client(app)
    before = counts()
    response = accept_new(client, token, password="Lisa-2026")
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "password") == "Kies een wachtwoord van minstens 10 tekens."
    assert counts() == before
    assert db.session.scalar(select(Invitation)).accepted_at is None


INVALID = "Deze uitnodiging is verlopen of al gebruikt. Vraag de beheerder van uw organisatie om een nieuwe."


def _assert_dead_link(client, token, before):
    page = client.get(f"/uitnodiging/{token}")
    assert page.status_code == 400 and INVALID in page.get_data(as_text=True)
    response = post_form(client, f"/uitnodiging/{token}", {"name": "Lisa", "password": INVITEE_PASSWORD,
                                                           "password_confirm": INVITEE_PASSWORD}, page="/")
    assert response.status_code == 400 and INVALID in response.get_data(as_text=True)
    assert counts() == before


def test_reused_link_gives_a_clear_400_and_changes_nothing(app, venlo):
    token = invite(app)
    client = new_client(app)
    assert accept_new(client, token).status_code == 302
    before = counts()
    _assert_dead_link(new_client(app), token, before)
    assert db.session.scalar(select(User.name).where(User.email == "lisa@venlo.example.nl")) == "Lisa Maas"


def test_expired_link_gives_a_clear_400_and_changes_nothing(app, venlo):
    token = invite(app)
    invitation = db.session.scalar(select(Invitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    commit()
    before = counts()
    _assert_dead_link(new_client(app), token, before)
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "lisa@venlo.example.nl")) == 0


def test_revoked_link_gives_a_clear_400_and_changes_nothing(app, venlo):
    token = invite(app)
    invitation_id = db.session.scalar(select(Invitation.id))
    admin = new_client(app, "anouk@venlo.example.nl")
    response = post_form(admin, f"/uitnodigingen/{invitation_id}/intrekken", page="/organisaties/gm0983")
    assert response.status_code == 302
    org_page = admin.get("/organisaties/gm0983").get_data(as_text=True)
    assert "De uitnodiging voor lisa@venlo.example.nl is ingetrokken." in org_page
    assert "Er zijn geen openstaande uitnodigingen." in org_page
    db.session.expire_all()
    assert db.session.get(Invitation, invitation_id).revoked_at is not None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "invitation.revoked")) is not None
    before = counts()
    _assert_dead_link(new_client(app), token, before)


def test_inviting_an_existing_member_is_a_field_error(app, venlo):
    client = new_client(app, "anouk@venlo.example.nl")
    before = counts()
    response = post_form(client, "/organisaties/gm0983/uitnodigen", {"email": "TOM@venlo.example.nl", "role": "member"})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "email") == "Deze persoon is al lid van Gemeente Venlo."
    assert counts() == before


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"email": "lisa-at-venlo", "role": "member"}, "email", "Vul een geldig e-mailadres in, zoals naam@gemeente.nl."),
    ({"email": "lisa@venlo.example.nl", "role": "coordinator"}, "role", "Ongeldige keuze."),
], ids=["bad-email", "bad-role"])
def test_invalid_invitation_form_writes_nothing(app, venlo, data, field, message):
    client = new_client(app, "anouk@venlo.example.nl")
    before = counts()
    response = post_form(client, "/organisaties/gm0983/uitnodigen", data)
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), field) == message
    assert counts() == before


def test_admin_of_another_organisation_cannot_invite(app, venlo):
    helmond = make_organisation(code="gm0794", name="Gemeente Helmond")
    make_user("bram@helmond.example.nl", organisation=helmond, role="org_admin")
    commit()
    client = new_client(app, "bram@helmond.example.nl")
    assert client.get("/organisaties/gm0983/uitnodigen").status_code == 403
    before = counts()
    response = post_form(client, "/organisaties/gm0983/uitnodigen", {"email": "x@venlo.example.nl", "role": "org_admin"},
                         page="/organisaties/gm0794/uitnodigen")
    assert response.status_code == 403 and "Geen toegang" in response.get_data(as_text=True)
    assert counts() == before


def test_existing_user_signed_in_as_that_user_accepts_and_gets_the_membership(app, venlo):
    helmond = make_organisation(code="gm0794", name="Gemeente Helmond")
    bram = make_user("bram@helmond.example.nl", "Bram Smits", helmond, role="org_admin")
    commit()
    token = invite(app, email="bram@helmond.example.nl", name="", role="member")
    client = new_client(app, "bram@helmond.example.nl")
    page = client.get(f"/uitnodiging/{token}").get_data(as_text=True)
    assert "Uitnodiging accepteren" in page and 'name="password"' not in page
    response = post_form(client, f"/uitnodiging/{token}", {})
    assert response.status_code == 302 and response.headers["Location"] == "/organisaties/gm0983"
    db.session.expire_all()
    roles = {m.organisation.code: m.role for m in db.session.get(User, bram.id).memberships}
    assert roles == {"gm0794": "org_admin", "gm0983": "member"}
    assert db.session.get(User, bram.id).check_password(PASSWORD)  # password untouched
    assert db.session.scalar(select(Invitation)).accepted_at is not None


def test_existing_user_not_signed_in_is_told_to_sign_in(app, venlo):
    helmond = make_organisation(code="gm0794", name="Gemeente Helmond")
    make_user("bram@helmond.example.nl", "Bram Smits", helmond)
    commit()
    token = invite(app, email="bram@helmond.example.nl", name="")
    client = new_client(app)
    page = client.get(f"/uitnodiging/{token}").get_data(as_text=True)
    assert ("Er bestaat al een account voor bram@helmond.example.nl. "
            "Log in met dat account om de uitnodiging te accepteren.") in page
    assert f'href="/inloggen?next=/uitnodiging/{token}"' in page
    before = counts()
    response = post_form(client, f"/uitnodiging/{token}", {"name": "Ander", "password": INVITEE_PASSWORD,
                                                           "password_confirm": INVITEE_PASSWORD})
    assert response.status_code == 200
    assert "Log eerst in met bram@helmond.example.nl om deze uitnodiging te accepteren." in response.get_data(as_text=True)
    assert counts() == before
    assert db.session.scalar(select(Invitation)).accepted_at is None


def test_existing_user_cannot_be_claimed_by_someone_else_signed_in(app, venlo):
    helmond = make_organisation(code="gm0794", name="Gemeente Helmond")
    make_user("bram@helmond.example.nl", "Bram Smits", helmond)
    commit()
    token = invite(app, email="bram@helmond.example.nl", name="")
    client = new_client(app, "tom@venlo.example.nl")
    before = counts()
    response = post_form(client, f"/uitnodiging/{token}", {})
    assert response.status_code == 200
    assert "Log eerst in met bram@helmond.example.nl om deze uitnodiging te accepteren." in response.get_data(as_text=True)
    assert counts() == before
