"""Changing a nomination's texts: the nominator's organisation while nominations are open, a
coordinator until publication; another organisation, a juror and a closed phase are refused; bad
input changes nothing; the page stays within the query budget."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from mvi_community.core.models import AuditEvent
from mvi_community.extensions import db
from mvi_community.prize.models import PrizeNomination
from tests.conftest import post_form
from tests.factories import commit, make_organisation, make_user
from tests.prize.factories import make_benchmark, make_edition, make_juror, set_phase
from tests.prize.test_flow import html, nominate

MOTIVATION = "Utrecht koopt sinds 2019 circulair in en deelt die ervaring actief met de hele regio."


@pytest.fixture()
def world(app):
    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    noord_holland = make_organisation("pv27", "Provincie Noord-Holland", type="provincie")
    make_benchmark({utrecht: 72.5, noord_holland: 64.0})
    edition = make_edition("nominations")
    make_user("inkoop@utrecht.example.nl", organisation=utrecht, role="org_admin")
    make_user("collega@utrecht.example.nl", organisation=utrecht)
    make_user("inkoop@noord-holland.example.nl", organisation=noord_holland, role="org_admin")
    make_user("coordinator@example.nl", coordinator=True)
    make_juror(edition, email="jurylid@example.nl")
    commit()
    return type("World", (), {"edition": edition, "utrecht": utrecht, "nh": noord_holland})


def _nomination(world, client_for) -> PrizeNomination:
    client = client_for("inkoop@utrecht.example.nl")
    assert nominate(client, world.utrecht, world.utrecht, MOTIVATION).status_code == 302
    return db.session.scalars(select(PrizeNomination)).one()


def _url(nomination) -> str:
    return f"/prize/2026/nominaties/{nomination.id}/wijzigen"


def _texts(nomination_id: int):
    db.session.expire_all()
    n = db.session.get(PrizeNomination, nomination_id)
    return n.motivation, n.project, n.evidence, n.organisation_id, n.category_id


def test_a_colleague_of_the_nominator_changes_the_texts(world, client_for):
    nomination = _nomination(world, client_for)
    colleague = client_for("collega@utrecht.example.nl")
    page = html(colleague.get(f"/prize/2026/nominaties/{nomination.id}"))
    assert _url(nomination) in page
    form = html(colleague.get(_url(nomination)))
    assert "Circulair inkopen" in form and "Utrecht koopt sinds 2019" in form
    response = post_form(colleague, _url(nomination), {
        "project": "Circulaire werkplekken", "motivation": MOTIVATION + " Met 3.250 circulaire werkplekken.",
        "evidence": "Monitor 2025: 41 % circulair ingekocht."})
    assert response.status_code == 302
    motivation, project, evidence, *_ = _texts(nomination.id)
    assert project == "Circulaire werkplekken" and evidence.startswith("Monitor 2025") and "3.250" in motivation
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "prize.nomination_updated")).one()
    assert sorted(event.data["fields"]) == ["evidence", "motivation", "project"]
    # saving the same texts again changes nothing and audits nothing
    post_form(colleague, _url(nomination), {"project": "Circulaire werkplekken",
                                            "motivation": motivation, "evidence": evidence})
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "prize.nomination_updated")).all() == [event]


@pytest.mark.parametrize("data", [
    {"project": "x", "motivation": "Te kort", "evidence": ""},
    {"project": "x", "motivation": "", "evidence": ""},
    {"project": "p" * 301, "motivation": MOTIVATION, "evidence": ""},
    {"project": "x", "motivation": "                         ", "evidence": ""},
])
def test_bad_input_gets_a_field_error_and_changes_nothing(world, client_for, data):
    nomination = _nomination(world, client_for)
    before = _texts(nomination.id)
    client = client_for("inkoop@utrecht.example.nl")
    response = post_form(client, _url(nomination), data)
    assert response.status_code == 400
    assert "Er is een probleem" in html(response)
    assert _texts(nomination.id) == before


def test_others_cannot_change_a_nomination(world, client_for):
    nomination = _nomination(world, client_for)
    before = _texts(nomination.id)
    change = {"project": "Gekaapt", "motivation": MOTIVATION + " (gewijzigd)", "evidence": ""}
    for email in ("inkoop@noord-holland.example.nl", "jurylid@example.nl"):
        client = client_for(email)
        assert client.get(_url(nomination)).status_code == 403, email
        assert post_form(client, _url(nomination), change).status_code == 403, email
    assert _texts(nomination.id) == before
    anonymous = client_for(None)
    assert anonymous.get(_url(nomination)).status_code == 302
    # after the nomination phase the nominator can no longer change it; the coordinator can until publication
    set_phase(world.edition, "scoring")
    commit()
    owner = client_for("inkoop@utrecht.example.nl")
    assert owner.get(_url(nomination)).status_code == 403
    assert _url(nomination) not in html(owner.get(f"/prize/2026/nominaties/{nomination.id}"))
    coordinator = client_for("coordinator@example.nl")
    assert post_form(coordinator, _url(nomination), change).status_code == 302
    assert _texts(nomination.id)[1] == "Gekaapt"
    assert _texts(nomination.id)[3:] == before[3:]  # nominee and category never change


def test_the_edit_page_stays_within_the_query_budget(world, client_for, count_queries):
    nomination = _nomination(world, client_for)
    client = client_for("inkoop@utrecht.example.nl")
    client.get(_url(nomination))
    with count_queries() as counter:
        assert client.get(_url(nomination)).status_code == 200
    assert counter.count <= 12, counter.statements
