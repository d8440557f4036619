"""A selection as "criteria used" on a case, and on an existing support request; both refused for
another organisation's case or request."""
from __future__ import annotations

from sqlalchemy import func, select

from mvi_community.accounts.models import User
from mvi_community.criteria.models import Selection, SelectionCaseLink, SelectionRequestLink
from mvi_community.extensions import db
from tests.cases.conftest import new_case
from tests.conftest import post_form
from tests.criteria.factories import world
from tests.factories import commit
from tests.manifest.factories import new_client


def _selection(app, a):
    client = new_client(app, "lid@aadorp.nl")
    post_form(client, "/criteria/productgroepen/kantoormeubilair",
              {"organisation": a.id, "name": "Stoelen", "numbers": ["KMB-ME-01", "KMB-GC-01"]})
    return client, db.session.scalar(select(Selection))


def test_case_shows_the_criteria_used_and_others_cannot_attach(app):
    a, b = world()
    users = {u.email: u for u in db.session.scalars(select(User))}
    coordinator = users["secretariaat@mvi.nl"]
    own = new_case(users["lid@aadorp.nl"], a, publish_by=coordinator, title="Stoelen van Aadorp")
    other = new_case(users["beheer@beedorp.nl"], b, publish_by=coordinator, title="Stoelen van Beedorp")
    commit()
    client, selection = _selection(app, a)
    page = client.get(f"/criteria/selecties/{selection.id}").get_data(as_text=True)
    assert "Stoelen van Aadorp" in page and "Stoelen van Beedorp" not in page
    refused = post_form(client, f"/criteria/selecties/{selection.id}/praktijkvoorbeelden", {"case-case": other.id},
                        page=f"/criteria/selecties/{selection.id}")
    assert refused.status_code == 400
    assert "Kies een praktijkvoorbeeld van uw eigen organisatie." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SelectionCaseLink)) == 0
    assert post_form(client, f"/criteria/selecties/{selection.id}/praktijkvoorbeelden", {"case-case": own.id},
                     page=f"/criteria/selecties/{selection.id}").status_code == 302
    # Anyone who can see the published case sees the criteria used (numbers and titles), not the selection page.
    anonymous = new_client(app).get(f"/cases/{own.id}").get_data(as_text=True)
    assert "Gebruikte criteria" in anonymous and "KMB-GC-01" in anonymous and "Duurzaam hout" in anonymous
    assert f"/criteria/selecties/{selection.id}" not in anonymous


def test_attach_to_an_existing_request_of_the_own_organisation_only(app):
    from mvi_community.expertpool.models import SupportRequest

    a, b = world()
    users = {u.email: u for u in db.session.scalars(select(User))}
    own = SupportRequest(organisation_id=a.id, requester_id=users["lid@aadorp.nl"].id, goal="gunningscriteria",
                         title="Hulp bij meubilair", description="Graag hulp.", days_needed=1, year=2026)
    foreign = SupportRequest(organisation_id=b.id, requester_id=users["beheer@beedorp.nl"].id, goal="anders",
                             title="Iets anders", description="Graag hulp.", days_needed=1, year=2026)
    db.session.add_all([own, foreign])
    commit()
    client, selection = _selection(app, a)
    url = f"/criteria/selecties/{selection.id}/hulpvragen"
    refused = post_form(client, url, {"req-request": foreign.id}, page=f"/criteria/selecties/{selection.id}")
    assert refused.status_code == 400 and "Kies een hulpvraag van uw eigen organisatie." in refused.get_data(as_text=True)
    assert post_form(client, url, {"req-request": own.id}, page=f"/criteria/selecties/{selection.id}").status_code == 302
    assert db.session.scalar(select(SelectionRequestLink.request_id)) == own.id
    # A member of the other organisation cannot use the selection to pre-fill a request.
    other = new_client(app, "beheer@beedorp.nl")
    assert "Stoelen" not in other.get(f"/expertpool/hulpvragen/nieuw?selectie={selection.id}").get_data(as_text=True)
