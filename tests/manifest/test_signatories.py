"""Manifests and signatories: the public list (filters, counts, toetreders, withdrawn, CSV),
signing on behalf of an organisation, withdrawal, coordinators' manifests, and permissions."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import func, select

from mvi_community.accounts.models import Organisation
from mvi_community.core.models import AuditEvent
from mvi_community.extensions import db
from mvi_community.manifest import services
from mvi_community.manifest.models import Manifest, Signatory
from tests.conftest import login, post_form
from tests.factories import commit, make_organisation, make_user
from tests.manifest.factories import CEREMONY, make_manifest, make_signatory


def _setup():
    manifest = make_manifest()
    amsterdam = make_organisation("gm0363", "Gemeente Amsterdam")
    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    helmond = make_organisation("gm0794", "Gemeente Helmond")
    zeeland = make_organisation("pv29", "Provincie Zeeland", type="provincie")
    aa = make_organisation("ws0654", "Waterschap Aa en Maas", type="waterschap")
    make_signatory(manifest, amsterdam)
    make_signatory(manifest, zeeland, signer_name="Jeroen Kramer", signer_function="gedeputeerde")
    make_signatory(manifest, aa, signed_on=date(2023, 3, 15))
    make_signatory(manifest, utrecht, withdrawn_on=date(2024, 9, 30))
    return manifest, {"amsterdam": amsterdam, "utrecht": utrecht, "helmond": helmond, "zeeland": zeeland, "aa": aa}


def test_toetreder_is_derived_from_the_ceremony_date(app):
    manifest = make_manifest()
    org = make_organisation()
    on_the_day = make_signatory(manifest, org, signed_on=CEREMONY)
    assert on_the_day.toetreder is False
    on_the_day.signed_on = CEREMONY + timedelta(days=1)
    assert on_the_day.toetreder is True


def test_public_list_separates_toetreders_and_shows_withdrawn(client):
    _setup()
    commit()
    html = client.get("/manifest/mvoi-2022/ondertekenaars").get_data(as_text=True)
    ceremony_part, _, joiners_part = html.partition('id="toetreders"')
    assert "Gemeente Amsterdam" in ceremony_part and "Provincie Zeeland" in ceremony_part
    assert "Waterschap Aa en Maas" in joiners_part and "Waterschap Aa en Maas" not in ceremony_part
    assert "Ingetrokken op 30 september 2024" in html
    assert "Gemeente Helmond" not in html
    assert "<h1" in html and html.count("<h1") == 1


def test_counts_by_type(client):
    manifest, _orgs = _setup()
    commit()
    counts = services.signatory_counts(manifest)
    assert counts["gemeente"] == {"ceremony": 2, "toetreders": 0, "withdrawn": 1, "active": 1, "all": 2}
    assert counts["waterschap"]["toetreders"] == 1
    assert counts["total"] == {"ceremony": 3, "toetreders": 1, "withdrawn": 1, "active": 3, "all": 4}
    html = client.get("/manifest/mvoi-2022/ondertekenaars").get_data(as_text=True)
    assert "Aantallen per soort organisatie" in html


def test_filters(client):
    _setup()
    commit()
    html = client.get("/manifest/mvoi-2022/ondertekenaars?type=provincie").get_data(as_text=True)
    assert 'data-organisation="pv29"' in html and 'data-organisation="gm0363"' not in html
    html = client.get("/manifest/mvoi-2022/ondertekenaars?groep=toetreders").get_data(as_text=True)
    assert 'data-organisation="ws0654"' in html and 'data-organisation="gm0363"' not in html
    html = client.get("/manifest/mvoi-2022/ondertekenaars?groep=ingetrokken").get_data(as_text=True)
    assert 'data-organisation="gm0344"' in html and 'data-organisation="pv29"' not in html
    html = client.get("/manifest/mvoi-2022/ondertekenaars?q=amster").get_data(as_text=True)
    assert 'data-organisation="gm0363"' in html and 'data-organisation="pv29"' not in html
    html = client.get("/manifest/mvoi-2022/ondertekenaars?q=%25%25%25").get_data(as_text=True)
    assert "Geen ondertekenaars gevonden" in html
    # unknown filter values are ignored rather than failing
    assert client.get("/manifest/mvoi-2022/ondertekenaars?type=onzin&groep=onzin&page=x").status_code == 200
    assert client.get("/manifest/bestaat-niet/ondertekenaars").status_code == 404


def test_csv_export_respects_filters(client):
    _setup()
    commit()
    response = client.get("/manifest/mvoi-2022/ondertekenaars.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["organisation_code"] for r in rows] == ["gm0363", "gm0344", "pv29", "ws0654"]
    assert {r["organisation_code"]: r["toetreder"] for r in rows}["ws0654"] == "1"
    assert {r["organisation_code"]: r["withdrawn_on"] for r in rows}["gm0344"] == "2024-09-30"
    rows = list(csv.DictReader(io.StringIO(
        client.get("/manifest/mvoi-2022/ondertekenaars.csv?groep=toetreders").get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["organisation_code"] for r in rows] == ["ws0654"]


def test_csv_neutralises_formulas(app):
    manifest = make_manifest()
    make_signatory(manifest, make_organisation(), signer_name="=HYPERLINK(\"x\")")
    text = services.signatories_csv(manifest)
    assert "'=HYPERLINK" in text


def test_org_admin_signs_after_the_ceremony_and_is_a_toetreder(client):
    _setup()
    admin = make_user("inkoop@helmond.example.nl", organisation=db.session.scalar(
        select(Organisation).where(
            Organisation.code == "gm0794")), role="org_admin")
    commit()
    login(client, admin.email)
    page = client.get("/manifest/mvoi-2022/ondertekenen").get_data(as_text=True)
    assert "U tekent namens Gemeente Helmond" in page
    assert f'value="{services.today().isoformat()}"' in page  # today by default
    helmond_id = db.session.scalar(select(Organisation.id).where(
        Organisation.code == "gm0794"))
    response = post_form(client, "/manifest/mvoi-2022/ondertekenen", {
        "organisation": helmond_id, "signer_name": "Bram Smits", "signer_function": "wethouder Duurzaamheid",
        "signed_on": services.today().isoformat()})
    assert response.status_code == 302
    assert response.headers["Location"] == "/manifest/mvoi-2022/organisaties/gm0794"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "staat in de lijst als toetreder" in page and "Toetreder" in page
    listed = client.get("/manifest/mvoi-2022/ondertekenaars").get_data(as_text=True)
    assert 'data-organisation="gm0794" data-toetreder="true"' in listed
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "manifest.signed"))
    assert event.data["organisation"] == "gm0794" and event.data["toetreder"] is True
    # signing twice is refused by the page (no organisation left) and by the service
    again = client.get("/manifest/mvoi-2022/ondertekenen").get_data(as_text=True)
    assert "Er is geen organisatie waarvoor u nog kunt ondertekenen" in again


def test_signing_validates_date_and_name(client):
    _setup()
    helmond = db.session.scalar(select(Organisation).where(
        Organisation.code == "gm0794"))
    make_user("inkoop@helmond.example.nl", organisation=helmond, role="org_admin")
    commit()
    login(client, "inkoop@helmond.example.nl")
    tomorrow = (services.today() + timedelta(days=1)).isoformat()
    response = post_form(client, "/manifest/mvoi-2022/ondertekenen", {
        "organisation": helmond.id, "signer_name": "", "signed_on": tomorrow})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#signer_name"' in html and "Vul de naam in van degene die ondertekent." in html
    assert "Deze datum kan niet in de toekomst liggen." in html
    response = post_form(client, "/manifest/mvoi-2022/ondertekenen", {
        "organisation": helmond.id, "signer_name": "Bram", "signed_on": "2023-02-30"})
    assert "Vul een geldige datum in" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Signatory.id))) == 4


def test_org_admin_cannot_sign_for_another_organisation(client):
    manifest, orgs = _setup()
    make_user("inkoop@amsterdam.example.nl", organisation=orgs["amsterdam"], role="org_admin")
    member = make_user("lid@helmond.example.nl", organisation=orgs["helmond"], role="member")
    commit()
    login(client, "inkoop@amsterdam.example.nl")
    # Helmond is not among the choices: the form refuses the choice, nothing is written
    response = post_form(client, "/manifest/mvoi-2022/ondertekenen", {
        "organisation": orgs["helmond"].id, "signer_name": "Kwaadwillend", "signed_on": "2024-01-01"},
        page="/manifest/mvoi-2022")
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Signatory.id)).where(Signatory.organisation_id == orgs["helmond"].id)) == 0
    # and the service refuses too
    import pytest

    from mvi_community.core.errors import PermissionDenied

    actor = db.session.get(type(member), member.id)
    with pytest.raises(PermissionDenied):
        services.sign(actor, manifest, orgs["helmond"], "Lid", None, date(2024, 1, 1))  # a member is no admin


def test_coordinator_records_a_signature_for_any_organisation(client):
    _manifest, orgs = _setup()
    make_user("sanne@mvi-community.nl", coordinator=True)
    commit()
    login(client, "sanne@mvi-community.nl")
    page = client.get("/manifest/mvoi-2022/ondertekenen").get_data(as_text=True)
    assert "Gemeente Helmond" in page and "Gemeente Amsterdam" not in page.split('id="organisation"')[1].split("</select>")[0]
    response = post_form(client, "/manifest/mvoi-2022/ondertekenen", {
        "organisation": orgs["helmond"].id, "signer_name": "Bram Smits", "signed_on": CEREMONY.isoformat()})
    assert response.status_code == 302
    signatory = db.session.scalar(select(Signatory).where(Signatory.organisation_id == orgs["helmond"].id))
    assert signatory.toetreder is False


def test_one_signature_per_organisation_is_a_database_constraint(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    manifest = make_manifest()
    organisation = make_organisation()
    make_signatory(manifest, organisation)
    with pytest.raises(IntegrityError):
        make_signatory(manifest, organisation)
    db.session.rollback()


def test_withdrawal_by_org_admin_with_a_date(client):
    _manifest, orgs = _setup()
    make_user("inkoop@amsterdam.example.nl", organisation=orgs["amsterdam"], role="org_admin")
    commit()
    login(client, "inkoop@amsterdam.example.nl")
    url = "/manifest/mvoi-2022/organisaties/gm0363/intrekken"
    response = post_form(client, url, {"withdrawn_on": "2022-01-01"})
    assert "De datum van intrekking ligt vóór de datum van ondertekening." in response.get_data(as_text=True)
    response = post_form(client, url, {"withdrawn_on": "2025-06-30"})
    assert response.status_code == 302
    signatory = db.session.scalar(select(Signatory).where(Signatory.organisation_id == orgs["amsterdam"].id))
    assert signatory.withdrawn_on == date(2025, 6, 30)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "manifest.withdrawn")) is not None
    # another organisation's signature: forbidden
    assert client.get("/manifest/mvoi-2022/organisaties/pv29/intrekken").status_code == 403
    assert post_form(client, "/manifest/mvoi-2022/organisaties/pv29/intrekken", {"withdrawn_on": "2025-01-01"},
                     page="/manifest/mvoi-2022").status_code == 403


def test_withdrawn_organisation_can_sign_again(app):
    manifest, orgs = _setup()
    admin = make_user(organisation=orgs["utrecht"], role="org_admin")
    signatory = services.sign(admin, manifest, orgs["utrecht"], "Pieter Bakker", None, date(2025, 1, 10))
    assert signatory.withdrawn_on is None and signatory.signed_on == date(2025, 1, 10) and signatory.toetreder


def test_coordinator_adds_a_manifest(client):
    make_user("sanne@mvi-community.nl", coordinator=True)
    member = make_user("eva@example.nl")
    commit()
    login(client, member.email)
    assert client.get("/manifest/nieuw").status_code == 403
    client.post("/uitloggen")
    client2 = client.application.test_client()
    login(client2, "sanne@mvi-community.nl")
    data = {"code": "mvoi-2026", "title": "Manifest MVOI 2026–2030", "text": "Tekst.\n\nMeer tekst.",
            "period_start": "2026-01-01", "period_end": "2025-12-31", "ceremony_date": "2026-06-01"}
    response = post_form(client2, "/manifest/nieuw", data)
    assert "Het einde van de looptijd ligt vóór het begin." in response.get_data(as_text=True)
    data["period_end"] = "2030-12-31"
    data["code"] = "monitor"
    assert "Gebruik kleine letters" in post_form(client2, "/manifest/nieuw", data).get_data(as_text=True)
    data["code"] = "mvoi-2026"
    response = post_form(client2, "/manifest/nieuw", data)
    assert response.status_code == 302 and response.headers["Location"] == "/manifest/mvoi-2026"
    page = client2.get("/manifest/mvoi-2026").get_data(as_text=True)
    assert "<p class=\"utrecht-paragraph\">Meer tekst.</p>" in page
    assert db.session.scalar(select(func.count(Manifest.id))) == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "manifest.created")) is not None


def test_manifest_page_invites_the_org_admin_to_sign(client):
    _manifest, orgs = _setup()
    make_user("inkoop@helmond.example.nl", organisation=orgs["helmond"], role="org_admin")
    make_user("inkoop@amsterdam.example.nl", organisation=orgs["amsterdam"], role="org_admin")
    commit()
    anonymous = client.get("/manifest/mvoi-2022").get_data(as_text=True)
    assert "Eerste alinea." in anonymous and "Manifest ondertekenen" not in anonymous
    login(client, "inkoop@helmond.example.nl")
    assert "Manifest ondertekenen" in client.get("/manifest/mvoi-2022").get_data(as_text=True)
    other = client.application.test_client()
    login(other, "inkoop@amsterdam.example.nl")
    page = other.get("/manifest/mvoi-2022").get_data(as_text=True)
    assert "Manifest ondertekenen" not in page and "actieplan en jaarrapportages" in page
