"""Writing cases: draft → submitted → published / rejected, revisions, mail, validation."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from mvi_community.cases import services
from mvi_community.cases.models import CaseRevision
from mvi_community.core.errors import PermissionDenied, ServiceError
from mvi_community.core.models import OutboxMessage
from mvi_community.extensions import db
from tests.cases.conftest import new_case


def outbox(to=None):
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [m for m in rows if to is None or m.to == to]


def test_draft_submit_publish_with_mail_and_revision(world):
    case = new_case(world.alice, world.org_a)
    assert case.status == "draft" and case.version == 1 and case.contact_id == world.alice.id
    services.submit(world.alice, case)
    assert case.status == "submitted"
    assert any("Ter beoordeling" in m.subject for m in outbox("sanne@mvi-community.nl"))
    with pytest.raises(PermissionDenied):
        services.publish(world.bob, case)
    services.publish(world.coordinator, case)
    assert case.status == "published" and case.published_at is not None
    assert any("Gepubliceerd" in m.subject for m in outbox("alice@venlo.example.nl"))


def test_rejection_needs_a_reason_and_goes_back_to_draft_on_edit(world):
    case = new_case(world.alice, world.org_a)
    services.submit(world.alice, case)
    with pytest.raises(ServiceError):
        services.reject(world.coordinator, case, "  ")
    services.reject(world.coordinator, case, "Vul de resultaten aan.")
    assert case.status == "rejected" and case.rejection_reason == "Vul de resultaten aan."
    mail = outbox("alice@venlo.example.nl")[-1]
    assert "Vul de resultaten aan." in mail.body
    data = services.CaseData(title=case.title, summary=case.summary, organisation_id=world.org_a.id, year=2016,
                             phase="aanbesteding", results_text="30 % minder CO2")
    services.update_case(world.anna, case, data)
    assert case.status == "draft" and case.version == 2
    services.submit(world.anna, case)
    assert case.status == "submitted" and case.rejection_reason is None


def test_community_moderator_moderates_cases_of_their_community_only(world):
    linked = new_case(world.alice, world.org_a, community_id=world.community.id)
    other = new_case(world.alice, world.org_a, title="Zonder community")
    services.submit(world.alice, linked)
    services.submit(world.alice, other)
    services.publish(world.moderator, linked)
    with pytest.raises(PermissionDenied):
        services.publish(world.moderator, other)
    queue = services.moderation_queue(world.moderator)
    assert queue.total == 0
    assert [c.id for c in services.moderation_queue(world.coordinator).items] == [other.id]


def test_revisions_record_changed_fields(world):
    case = new_case(world.alice, world.org_a)
    data = services.CaseData(title="Circulair inrichten van kantoren (update)", summary=case.summary,
                             organisation_id=world.org_a.id, year=2017, phase="contractmanagement",
                             co2_reduction_tonnes=12.5)
    services.update_case(world.alice, case, data)
    revisions = services.revisions(world.alice, case)
    assert [r.number for r in revisions] == [2, 1]
    assert set(revisions[0].changed) == {"title", "year", "phase", "co2_reduction_tonnes"}
    assert revisions[1].data["title"] == "Circulair inrichten van kantoren"
    assert db.session.scalar(select(CaseRevision.id).where(CaseRevision.case_id == case.id,
                                                          CaseRevision.number == 2)) is not None


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": " "}, "title"),
    ({"phase": "onbekend"}, "phase"),
    ({"visibility": "community"}, "community"),
    ({"circular_share_percent": 120}, "circular_share_percent"),
])
def test_validation_errors_name_the_field(world, overrides, field):
    with pytest.raises(ServiceError) as error:
        new_case(world.alice, world.org_a, **overrides)
    assert error.value.field == field


def test_cannot_create_a_case_for_another_organisation(world):
    with pytest.raises(ServiceError) as error:
        new_case(world.alice, world.org_b)
    assert error.value.field == "organisation"


def test_contact_must_belong_to_the_organisation(world):
    with pytest.raises(ServiceError) as error:
        new_case(world.alice, world.org_a, contact_id=world.bob.id)
    assert error.value.field == "contact"
