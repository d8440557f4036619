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


def test_selection_on_an_older_version_shows_removed_and_new_criteria_and_updates(app):
    from mvi_community.criteria.models import CriteriaVersion, SelectionItem
    from mvi_community.criteria.services import selections

    a, b = world()
    owner = db.session.scalar(select(User).where(User.email == "lid@aadorp.nl"))
    v2025 = db.session.scalar(select(CriteriaVersion).where(CriteriaVersion.year == 2025))
    group = next(c.product_group for c in v2025.criteria if c.number == "KMB-SC-01")
    selection = Selection(name="Oud", owner_id=owner.id, organisation=a, version=v2025, product_group=group,
                          items=[SelectionItem(number="KMB-SC-01", title="x", position=0),
                                 SelectionItem(number="KMB-ME-02", title="x", position=1)])
    db.session.add(selection)
    commit()
    changes = {c.number: c for c in selections.changes_since(selection).changes}
    assert changes["KMB-SC-01"].kind == "removed"
    assert changes["KMB-ME-02"].kind == "changed" and changes["KMB-ME-02"].fields == ("level",)
    assert changes["KMB-GC-03"].kind == "added"
    client = new_client(app, "lid@aadorp.nl")
    page = client.get(f"/criteria/selecties/{selection.id}").get_data(as_text=True)
    assert "Vervallen" in page and "Nieuw" in page
    response = post_form(client, f"/criteria/selecties/{selection.id}/bijwerken", {},
                         page=f"/criteria/selecties/{selection.id}")
    assert response.status_code == 302
    flashed = client.get(f"/criteria/selecties/{selection.id}").get_data(as_text=True)
    assert "Deze criteria bestaan niet meer en zijn uit de selectie gehaald: KMB-SC-01." in flashed
    db.session.expire_all()
    updated = db.session.get(Selection, selection.id)
    assert updated.version.year == 2026 and updated.numbers == ["KMB-ME-02"]
    assert updated.items[0].title == "Demontabel en repareerbaar"
