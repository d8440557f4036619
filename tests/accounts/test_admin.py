"""Coordinator administration (users, roles, memberships), org-admin role changes, organisations."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from mvi_community.accounts.models import Membership, Organisation, User
from mvi_community.core.models import AuditEvent
from mvi_community.extensions import db
from tests.conftest import FreshContextClient, login, post_form
from tests.factories import PASSWORD, commit, make_organisation, make_user


def new_client(app, email: str | None = None):
    app.test_client_class = FreshContextClient
    client = app.test_client()
    if email:
        login(client, email)
    return client


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-error">(.*?)</div>', html, re.DOTALL)
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Fout: ", "").strip() if match else ""


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def audit_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(AuditEvent.id)))


@pytest.fixture()
def people(app):
    venlo = make_organisation(code="gm0983", name="Gemeente Venlo", province="Limburg", population=101_800)
    helmond = make_organisation(code="gm0794", name="Gemeente Helmond", province="Noord-Brabant")
    make_organisation(code="pv27", name="Provincie Noord-Holland", type="provincie", province="Noord-Holland")
    users = {
        "sanne": make_user("sanne@mvi-community.nl", "Sanne de Vries", coordinator=True),
        "anouk": make_user("anouk@venlo.example.nl", "Anouk Peeters", venlo, role="org_admin"),
        "tom": make_user("tom@venlo.example.nl", "Tom Hendriks", venlo),
        "bram": make_user("bram@helmond.example.nl", "Bram Smits", helmond, role="org_admin"),
    }
    commit()
    return {"venlo": venlo, "helmond": helmond, **users}


def save_roles(client, user_id: int, coordinator: bool, active: bool):
    data = {"action": "roles"}
    if coordinator:
        data["roles-is_coordinator"] = "y"
    if active:
        data["roles-active"] = "y"
    return post_form(client, f"/beheer/gebruikers/{user_id}", data)


# --- users ----------------------------------------------------------------------------------

def test_user_list_and_search(app, people):
    client = new_client(app, "sanne@mvi-community.nl")
    html = client.get("/beheer/gebruikers").get_data(as_text=True)
    assert "4 gebruikers" in html
    for name in ("Sanne de Vries", "Anouk Peeters", "Tom Hendriks", "Bram Smits"):
        assert name in html
    assert "Gemeente Venlo (beheerder)" in html
    found = client.get("/beheer/gebruikers?q=VENLO").get_data(as_text=True)
    assert "2 gebruikers" in found and "Anouk Peeters" in found and "Tom Hendriks" in found
    assert "Bram Smits" not in found and "sanne@mvi-community.nl" not in found
    by_name = client.get("/beheer/gebruikers?q=smits").get_data(as_text=True)
    assert "1 gebruiker<" in by_name and "bram@helmond.example.nl" in by_name
    assert "Geen gebruikers gevonden." in client.get("/beheer/gebruikers?q=onbekend").get_data(as_text=True)


def test_making_someone_coordinator_is_audited(app, people):
    client = new_client(app, "sanne@mvi-community.nl")
    tom = people["tom"]
    response = save_roles(client, tom.id, coordinator=True, active=True)
    assert response.status_code == 302 and response.headers["Location"] == f"/beheer/gebruikers/{tom.id}"
    db.session.expire_all()
    assert db.session.get(User, tom.id).is_coordinator is True
    [event] = events("user.role_changed")
    assert event.actor_id == people["sanne"].id and event.object_id == str(tom.id)
    assert event.data == {"role": "coordinator", "value": True}
    # saving the same roles again records nothing new
    save_roles(client, tom.id, coordinator=True, active=True)
    assert len(events("user.role_changed")) == 1


def test_deactivated_user_cannot_sign_in_and_loses_the_open_session(app, people):
    tom_browser = new_client(app, "tom@venlo.example.nl")
    assert tom_browser.get("/profiel").status_code == 200
    coordinator = new_client(app, "sanne@mvi-community.nl")
    tom = people["tom"]
    assert save_roles(coordinator, tom.id, coordinator=False, active=False).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, tom.id).active is False
    [event] = events("user.deactivated")
    assert event.object_id == str(tom.id) and event.actor_id == people["sanne"].id
    assert "Gedeactiveerd" in coordinator.get("/beheer/gebruikers?q=tom").get_data(as_text=True)

    response = post_form(new_client(app), "/inloggen", {"email": "tom@venlo.example.nl", "password": PASSWORD})
    assert response.status_code == 200 and "Het e-mailadres of wachtwoord klopt niet." in response.get_data(as_text=True)
    # the session Tom had open before the deactivation no longer counts
    response = tom_browser.get("/profiel")
    assert response.status_code == 302 and response.headers["Location"].startswith("/inloggen")

    assert save_roles(coordinator, tom.id, coordinator=False, active=True).status_code == 302
    assert len(events("user.activated")) == 1
    assert login(new_client(app), "tom@venlo.example.nl").status_code == 302


def test_coordinator_cannot_remove_their_own_coordinator_role(app, people):
    client = new_client(app, "sanne@mvi-community.nl")
    sanne = people["sanne"]
    before = audit_count()
    for active in (True, False):
        response = save_roles(client, sanne.id, coordinator=active is False, active=active)
        assert response.status_code == 200
        assert field_error(response.get_data(as_text=True), "roles-is_coordinator") == (
            "U kunt uw eigen coördinatorrol of account niet uitschakelen."
        )
    db.session.expire_all()
    sanne = db.session.get(User, sanne.id)
    assert sanne.is_coordinator is True and sanne.active is True
    assert audit_count() == before


def test_coordinator_adds_a_membership(app, people):
    client = new_client(app, "sanne@mvi-community.nl")
    tom = people["tom"]
    page = client.get(f"/beheer/gebruikers/{tom.id}").get_data(as_text=True)
    assert "Tom Hendriks" in page and "Gemeente Venlo" in page
    response = post_form(client, f"/beheer/gebruikers/{tom.id}", {
        "action": "membership", "membership-organisation": str(people["helmond"].id), "membership-role": "org_admin",
    })
    assert response.status_code == 302
    assert "Tom Hendriks is toegevoegd aan Gemeente Helmond." in client.get(f"/beheer/gebruikers/{tom.id}").get_data(as_text=True)
    db.session.expire_all()
    roles = {m.organisation.code: m.role for m in db.session.get(User, tom.id).memberships}
    assert roles == {"gm0983": "member", "gm0794": "org_admin"}
    [event] = events("membership.added")
    assert event.data == {"organisation": "gm0794", "role": "org_admin"}


def test_adding_a_membership_without_organisation_is_a_field_error(app, people):
    client = new_client(app, "sanne@mvi-community.nl")
    tom = people["tom"]
    response = post_form(client, f"/beheer/gebruikers/{tom.id}", {
        "action": "membership", "membership-organisation": "0", "membership-role": "member",
    })
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "membership-organisation") == "Kies een organisatie."
    assert db.session.scalar(select(func.count(Membership.id)).where(Membership.user_id == tom.id)) == 1


def test_org_admin_changes_a_member_role_from_the_organisation_page(app, people):
    client = new_client(app, "anouk@venlo.example.nl")
    tom = people["tom"]
    page = client.get("/organisaties/gm0983").get_data(as_text=True)
    assert f'action="/organisaties/gm0983/leden/{tom.id}"' in page
    assert '<option value="">Verwijderen uit organisatie</option>' in page
    response = post_form(client, f"/organisaties/gm0983/leden/{tom.id}", {"role": "org_admin"})
    assert response.status_code == 302 and response.headers["Location"] == "/organisaties/gm0983"
    assert "De rol van Tom Hendriks is bijgewerkt." in client.get("/organisaties/gm0983").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Membership.role).where(Membership.user_id == tom.id)) == "org_admin"
    [event] = events("user.role_changed")
    assert event.actor_id == people["anouk"].id and event.object_id == str(tom.id)
    assert event.data == {"organisation": "gm0983", "role": "org_admin", "previous": "member"}

    # and removes him from the organisation
    assert post_form(client, f"/organisaties/gm0983/leden/{tom.id}", {"role": ""}).status_code == 302
    assert db.session.scalar(select(func.count(Membership.id)).where(Membership.user_id == tom.id)) == 0
    assert [e.data for e in events("membership.removed")] == [{"organisation": "gm0983"}]


def test_org_admin_cannot_demote_themselves(app, people):
    client = new_client(app, "anouk@venlo.example.nl")
    before = audit_count()
    response = post_form(client, f"/organisaties/gm0983/leden/{people['anouk'].id}", {"role": "member"})
    assert response.status_code == 400
    assert "U kunt uzelf niet als beheerder verwijderen." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Membership.role).where(Membership.user_id == people["anouk"].id)) == "org_admin"
    assert audit_count() == before


# --- organisations --------------------------------------------------------------------------

def test_organisation_list_search_and_type_filter(client, people):
    for n in range(30):
        make_organisation(code=f"ws{n:04d}", name=f"Waterschap Proef {n:02d}", type="waterschap")
    commit()
    html = client.get("/organisaties").get_data(as_text=True)
    assert "33 organisaties" in html and "Pagina 1 van 2" in html
    assert html.index("Gemeente Helmond") < html.index("Gemeente Venlo")  # sorted by name
    page2 = client.get("/organisaties?page=2").get_data(as_text=True)
    assert "Waterschap Proef 29" in page2 and "Gemeente Venlo" not in page2

    found = client.get("/organisaties?q=venlo").get_data(as_text=True)
    assert "1 organisatie<" in found and "Gemeente Venlo" in found and "Gemeente Helmond" not in found
    by_code = client.get("/organisaties?q=GM0794").get_data(as_text=True)
    assert "1 organisatie<" in by_code and "Gemeente Helmond" in by_code
    provinces = client.get("/organisaties?type=provincie").get_data(as_text=True)
    assert "1 organisatie<" in provinces and "Provincie Noord-Holland" in provinces
    assert '<option value="provincie" selected>' in provinces
    combined = client.get("/organisaties?type=gemeente&q=proef").get_data(as_text=True)
    assert "Geen organisaties gevonden." in combined
    # an unknown type is ignored rather than an error
    assert "33 organisaties" in client.get("/organisaties?type=bestaatniet").get_data(as_text=True)


def test_organisation_detail_and_members_only_for_signed_in_users(app, client, people):
    html = client.get("/organisaties/gm0983").get_data(as_text=True)
    assert "<h1 class=\"utrecht-heading-1\">Gemeente Venlo</h1>" in html
    assert "Limburg" in html and "101.800" in html and "gm0983" in html
    assert "Log in om te zien wie van deze organisatie meedoet." in html
    assert "Tom Hendriks" not in html and "Anouk Peeters" not in html

    signed_in = new_client(app, "bram@helmond.example.nl").get("/organisaties/gm0983").get_data(as_text=True)
    assert "Tom Hendriks" in signed_in and "Anouk Peeters" in signed_in
    assert "tom@venlo.example.nl" not in signed_in  # e-mail addresses only for those who manage it
    assert "Collega uitnodigen" not in signed_in and "Rol wijzigen" not in signed_in


def test_unknown_organisation_is_a_styled_404(client):
    response = client.get("/organisaties/bestaat-niet")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Pagina niet gevonden" in html and "Foutcode 404" in html and 'class="mvi-header"' in html


ORG_FORM = {
    "code": "gm0289", "name": "Gemeente Wageningen", "type": "gemeente", "province": "Gelderland",
    "population": "39800", "kvk": "", "oin": "00000001001234567000", "website": "https://www.wageningen.nl",
}


def test_coordinator_creates_an_organisation(app, people):
    client = new_client(app, "sanne@mvi-community.nl")
    response = post_form(client, "/beheer/organisaties/nieuw", ORG_FORM)
    assert response.status_code == 302 and response.headers["Location"] == "/organisaties/gm0289"
    db.session.expire_all()
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == "gm0289"))
    assert (organisation.name, organisation.type, organisation.province, organisation.population) == (
        "Gemeente Wageningen", "gemeente", "Gelderland", 39800)
    assert organisation.kvk is None and organisation.oin == "00000001001234567000"
    assert organisation.size_class == "gemeente-20-50k"
    [event] = events("organisation.created")
    assert event.object_id == str(organisation.id) and event.actor_id == people["sanne"].id


def test_duplicate_code_is_a_field_error_and_writes_nothing(app, people):
    client = new_client(app, "sanne@mvi-community.nl")
    before = db.session.scalar(select(func.count(Organisation.id)))
    response = post_form(client, "/beheer/organisaties/nieuw", dict(ORG_FORM, code="gm0983"))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "code") == "Er bestaat al een organisatie met deze code."
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Organisation.id))) == before
    assert db.session.scalar(select(Organisation.name).where(Organisation.code == "gm0983")) == "Gemeente Venlo"
    assert events("organisation.created") == []


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"code": "GM 0289"}, "code", "Gebruik kleine letters en cijfers, zoals gm0363."),
    ({"name": ""}, "name", "Vul de naam in."),
    ({"kvk": "1234567"}, "kvk", "Een KvK-nummer heeft 8 cijfers."),
    ({"oin": "123"}, "oin", "Een OIN heeft 20 cijfers."),
    ({"population": "-5"}, "population", "Vul een positief getal in."),
    ({"website": "wageningen"}, "website", "Vul een geldig webadres in, beginnend met https://."),
], ids=["code", "name", "kvk", "oin", "population", "website"])
def test_invalid_organisation_form_writes_nothing(app, people, changes, field, message):
    client = new_client(app, "sanne@mvi-community.nl")
    response = post_form(client, "/beheer/organisaties/nieuw", dict(ORG_FORM, **changes))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), field) == message
    assert db.session.scalar(select(func.count(Organisation.id)).where(Organisation.name == "Gemeente Wageningen")) == 0


def test_coordinator_edits_an_organisation(app, people):
    client = new_client(app, "sanne@mvi-community.nl")
    page = client.get("/beheer/organisaties/gm0983/bewerken").get_data(as_text=True)
    assert 'value="Gemeente Venlo"' in page and "Organisatie bewerken" in page
    data = dict(ORG_FORM, code="gm0983", name="Gemeente Venlo (Limburg)", province="Limburg", population="102000",
                oin="", website="")
    response = post_form(client, "/beheer/organisaties/gm0983/bewerken", data)
    assert response.status_code == 302 and response.headers["Location"] == "/organisaties/gm0983"
    db.session.expire_all()
    venlo = db.session.get(Organisation, people["venlo"].id)
    assert (venlo.name, venlo.population, venlo.oin) == ("Gemeente Venlo (Limburg)", 102000, None)
    assert len(events("organisation.updated")) == 1
    # taking another organisation's code is refused
    response = post_form(client, "/beheer/organisaties/gm0983/bewerken", dict(data, code="gm0794"))
    assert field_error(response.get_data(as_text=True), "code") == "Er bestaat al een organisatie met deze code."
    db.session.expire_all()
    assert db.session.get(Organisation, people["venlo"].id).code == "gm0983"
