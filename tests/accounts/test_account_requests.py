"""Account requests: a visitor asks for an account with an existing organisation; its admin decides."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from mvi_community.accounts.models import AccountRequest, Membership, User
from mvi_community.core.models import AuditEvent, OutboxMessage
from mvi_community.extensions import db
from tests.conftest import FreshContextClient, login, post_form
from tests.factories import PASSWORD, commit, make_organisation, make_user

NEW_PASSWORD = "Fietsen-langs-de-Maas-7"
FORM = {
    "name": "Ruben de Vries",
    "email": "R.deVries@Venlo.example.nl",
    "job_title": "Contractmanager",
    "motivation": "Ervaringen delen over het circulaire stadskantoor.",
    "password": NEW_PASSWORD,
    "password_confirm": NEW_PASSWORD,
    "locale": "nl",
}


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (AccountRequest, User, Membership, OutboxMessage, AuditEvent)
    }


def field_error(html: str, field_id: str) -> str:
    """The text of the error message rendered under one field ('' when there is none)."""
    match = re.search(rf'id="{field_id}-error">(.*?)</div>', html, re.DOTALL)
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Fout: ", "").strip() if match else ""


def outbox(to: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == to).order_by(OutboxMessage.id)))


def new_client(app, email: str | None = None, password: str = PASSWORD):
    """Another browser (its own cookies); each request in its own app context, like `client`."""
    app.test_client_class = FreshContextClient
    client = app.test_client()
    if email:
        login(client, email, password)
    return client


@pytest.fixture()
def venlo(app):
    organisation = make_organisation(code="gm0983", name="Gemeente Venlo")
    make_user("anouk@venlo.example.nl", "Anouk Peeters", organisation, role="org_admin")
    make_user("sanne@mvi-community.nl", "Sanne de Vries", coordinator=True)
    commit()
    return organisation


def submit_request(client, org, **changes):
    data = dict(FORM, organisation=str(org.id))
    data.update(changes)
    return post_form(client, "/account-aanvragen", data)


def test_request_form_lists_organisations_and_preselects_from_the_link(client, venlo):
    make_organisation(code="pv27", name="Provincie Noord-Holland", type="provincie")
    commit()
    html = client.get("/account-aanvragen?organisatie=gm0983").get_data(as_text=True)
    assert f'<option selected value="{venlo.id}">Gemeente Venlo</option>' in html
    assert 'label="Provincie"' in html and "Provincie Noord-Holland" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Vul uw naam in."),
        ({"email": "ruben.venlo.nl"}, "email", "Vul een geldig e-mailadres in, zoals naam@gemeente.nl."),
        ({"password": "Kort-123", "password_confirm": "Kort-123"}, "password",
         "Kies een wachtwoord van minstens 10 tekens."),
        ({"password": "wachtwoord123", "password_confirm": "wachtwoord123"}, "password",
         "Dit wachtwoord is te makkelijk te raden. Kies een langere zin of een andere combinatie."),
        ({"password_confirm": NEW_PASSWORD + "x"}, "password_confirm", "De wachtwoorden zijn niet gelijk."),
        ({"organisation": "0"}, "organisation", "Kies uw organisatie."),
    ],
    ids=["no-name", "bad-email", "short-password", "common-password", "mismatch", "no-organisation"],
)
def test_invalid_request_gets_a_dutch_field_error_and_writes_nothing(client, venlo, changes, field, message):
    before = counts()
    response = submit_request(client, venlo, **changes)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert field_error(html, field) == message
    assert "Er is een probleem" in html and f'href="#{field}"' in html
    assert counts() == before


def test_email_of_an_existing_user_is_refused(client, venlo):
    make_user("r.devries@venlo.example.nl", "Ruben")
    commit()
    before = counts()
    response = submit_request(client, venlo)
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "email") == (
        "Er bestaat al een account met dit e-mailadres. Log in of vraag een nieuw wachtwoord aan."
    )
    assert counts() == before


def test_second_pending_request_for_the_same_email_is_refused(client, venlo):
    assert submit_request(client, venlo).status_code == 200
    before = counts()
    assert before["AccountRequest"] == 1
    response = submit_request(client, venlo, email="R.DeVries@VENLO.example.nl", name="Ruben opnieuw")
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "email") == "Voor dit e-mailadres loopt al een aanvraag."
    assert counts() == before


def test_request_is_stored_and_the_org_admin_is_mailed(client, venlo):
    response = submit_request(client, venlo)
    assert response.status_code == 200
    assert "Uw aanvraag is verstuurd" in response.get_data(as_text=True)
    db.session.expire_all()
    account_request = db.session.scalar(select(AccountRequest))
    assert account_request.email == "r.devries@venlo.example.nl"
    assert account_request.name == "Ruben de Vries"
    assert account_request.organisation_id == venlo.id
    assert account_request.status == "pending"
    assert account_request.job_title == "Contractmanager"
    assert NEW_PASSWORD not in account_request.password_hash
    assert db.session.scalar(select(func.count(User.id)).where(User.email == account_request.email)) == 0

    [message] = outbox("anouk@venlo.example.nl")
    assert message.subject == "Nieuwe accountaanvraag voor Gemeente Venlo"
    assert "Ruben de Vries (r.devries@venlo.example.nl)" in message.body
    assert "http://localhost/accountaanvragen" in message.body
    assert outbox("sanne@mvi-community.nl") == []  # the org has an admin: coordinators are not bothered
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account_request.created"))
    assert event.object_id == str(account_request.id) and event.data["organisation"] == "gm0983"


def test_coordinators_are_mailed_when_the_organisation_has_no_admin(client, venlo):
    organisation = make_organisation(code="gm0014", name="Gemeente Groningen")
    make_user("lid@groningen.example.nl", organisation=organisation, role="member")
    make_user("oud@mvi-community.nl", coordinator=True, active=False)
    make_user("joost@mvi-community.nl", coordinator=True)
    commit()
    assert submit_request(client, organisation).status_code == 200
    db.session.expire_all()
    recipients = sorted(db.session.scalars(select(OutboxMessage.to)))
    assert recipients == ["joost@mvi-community.nl", "sanne@mvi-community.nl"]


def test_admin_approves_and_the_applicant_signs_in_with_the_chosen_password(app, client, venlo):
    submit_request(client, venlo)
    request_id = db.session.scalar(select(AccountRequest.id))
    admin = new_client(app, "anouk@venlo.example.nl")
    queue = admin.get("/accountaanvragen").get_data(as_text=True)
    assert "Ruben de Vries" in queue and "r.devries@venlo.example.nl" in queue

    response = post_form(admin, f"/accountaanvragen/{request_id}/goedkeuren", page="/accountaanvragen")
    assert response.status_code == 302 and response.headers["Location"] == "/accountaanvragen"
    assert "De aanvraag van Ruben de Vries is goedgekeurd." in admin.get("/accountaanvragen").get_data(as_text=True)

    db.session.expire_all()
    anouk = db.session.scalar(select(User).where(User.email == "anouk@venlo.example.nl"))
    user = db.session.scalar(select(User).where(User.email == "r.devries@venlo.example.nl"))
    assert user is not None and user.name == "Ruben de Vries" and user.active and not user.is_coordinator
    assert [(m.organisation_id, m.role) for m in user.memberships] == [(venlo.id, "member")]
    account_request = db.session.get(AccountRequest, request_id)
    assert account_request.status == "approved"
    assert account_request.decided_by_id == anouk.id and account_request.decided_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account_request.approved"))
    assert event.actor_id == anouk.id and event.object_id == str(request_id)
    assert event.data["user_id"] == user.id and event.data["organisation"] == "gm0983"
    [mail] = outbox("r.devries@venlo.example.nl")
    assert mail.subject == "Uw account bij MVI Community is goedgekeurd"
    assert "Gemeente Venlo" in mail.body and "http://localhost/inloggen" in mail.body

    applicant = new_client(app, "r.devries@venlo.example.nl", NEW_PASSWORD)
    assert "Ruben de Vries" in applicant.get("/profiel").get_data(as_text=True)
    assert "Er zijn geen openstaande aanvragen." in admin.get("/accountaanvragen").get_data(as_text=True)


def test_admin_rejects_with_a_reason_that_is_mailed(app, client, venlo):
    submit_request(client, venlo)
    request_id = db.session.scalar(select(AccountRequest.id))
    admin = new_client(app, "anouk@venlo.example.nl")
    reason = "U werkt niet (meer) bij de gemeente Venlo."
    response = post_form(admin, f"/accountaanvragen/{request_id}/afwijzen", {"note": reason}, page="/accountaanvragen")
    assert response.status_code == 302
    db.session.expire_all()
    account_request = db.session.get(AccountRequest, request_id)
    assert account_request.status == "rejected" and account_request.decision_note == reason
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "r.devries@venlo.example.nl")) == 0
    [mail] = outbox("r.devries@venlo.example.nl")
    assert mail.subject == "Uw accountaanvraag bij MVI Community"
    assert "is niet goedgekeurd" in mail.body and f"Toelichting: {reason}" in mail.body
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action.like("account_request.rej%"))) == (
        "account_request.rejected"
    )
    # the applicant cannot sign in
    response = post_form(new_client(app), "/inloggen", {"email": "r.devries@venlo.example.nl", "password": NEW_PASSWORD})
    assert response.status_code == 200 and "klopt niet" in response.get_data(as_text=True)


def test_rejection_reason_longer_than_2000_characters_changes_nothing(app, client, venlo):
    submit_request(client, venlo)
    request_id = db.session.scalar(select(AccountRequest.id))
    admin = new_client(app, "anouk@venlo.example.nl")
    before = counts()
    response = post_form(admin, f"/accountaanvragen/{request_id}/afwijzen", {"note": "x" * 2001}, page="/accountaanvragen",
                         follow_redirects=True)
    assert "De reden is te lang (maximaal 2000 tekens)." in response.get_data(as_text=True)
    assert counts() == before
    assert db.session.get(AccountRequest, request_id).status == "pending"


@pytest.mark.parametrize("second", ["goedkeuren", "afwijzen"])
def test_deciding_twice_gives_a_clear_error_and_changes_nothing(app, client, venlo, second):
    submit_request(client, venlo)
    request_id = db.session.scalar(select(AccountRequest.id))
    admin = new_client(app, "anouk@venlo.example.nl")
    assert post_form(admin, f"/accountaanvragen/{request_id}/goedkeuren", page="/accountaanvragen").status_code == 302
    before = counts()
    response = post_form(admin, f"/accountaanvragen/{request_id}/{second}", {"note": "Toch niet"}, page="/accountaanvragen")
    assert response.status_code == 400
    assert "Over deze aanvraag is al besloten." in response.get_data(as_text=True)
    assert counts() == before
    account_request = db.session.get(AccountRequest, request_id)
    assert account_request.status == "approved" and account_request.decision_note is None


def test_approval_of_an_unknown_request_is_a_404(app, venlo):
    admin = new_client(app, "anouk@venlo.example.nl")
    response = post_form(admin, "/accountaanvragen/999/goedkeuren", page="/accountaanvragen")
    assert response.status_code == 404 and "Pagina niet gevonden" in response.get_data(as_text=True)


def test_signed_in_user_is_sent_to_the_profile_instead_of_the_request_form(app, venlo):
    admin = new_client(app, "anouk@venlo.example.nl")
    response = admin.get("/account-aanvragen")
    assert response.status_code == 302 and response.headers["Location"] == "/profiel"
