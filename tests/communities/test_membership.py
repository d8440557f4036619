"""Joining (open, on request, by invitation), deciding, roles, the directory."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mvi_community.communities import services
from mvi_community.communities.models import CommunityMember
from mvi_community.core.errors import PermissionDenied, ServiceError
from mvi_community.core.models import OutboxMessage
from mvi_community.extensions import db
from tests.cases.conftest import client_for
from tests.conftest import post_form
from tests.factories import commit


def test_open_community_joins_at_once(setup):
    setup.community.membership_policy = "open"
    member = services.join(setup.outsider, setup.community)
    assert member.status == "active" and services.is_member(setup.outsider, setup.community)


def test_on_request_the_moderator_decides(setup):
    member = services.join(setup.outsider, setup.community, "Ik wil leren van Venlo.")
    assert member.status == "pending" and not services.is_member(setup.outsider, setup.community)
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == "mod@amsterdam.example.nl")).one()
    assert "Ik wil leren van Venlo." in mail.body
    with pytest.raises(PermissionDenied):
        services.decide_request(setup.eva, setup.community, member.id, True)
    services.decide_request(setup.moderator, setup.community, member.id, True)
    assert services.is_member(setup.outsider, setup.community)
    with pytest.raises(ServiceError):
        services.decide_request(setup.moderator, setup.community, member.id, True)


def test_invitation_only(setup):
    setup.community.membership_policy = "invitation"
    with pytest.raises(ServiceError):
        services.join(setup.outsider, setup.community)
    with pytest.raises(ServiceError):
        services.invite(setup.moderator, setup.community, "onbekend@example.nl")
    services.invite(setup.moderator, setup.community, "BRAM@helmond.example.nl")
    assert services.membership(setup.outsider, setup.community).status == "invited"
    services.accept_invitation(setup.outsider, setup.community)
    assert services.is_member(setup.outsider, setup.community)


def test_last_moderator_cannot_leave_or_step_down(setup):
    moderator_row = services.membership(setup.moderator, setup.community)
    with pytest.raises(ServiceError):
        services.leave(setup.moderator, setup.community)
    with pytest.raises(ServiceError):
        services.set_role(setup.moderator, setup.community, moderator_row.id, "member")
    eva_row = services.membership(setup.eva, setup.community)
    services.set_role(setup.moderator, setup.community, eva_row.id, "moderator")
    services.leave(setup.moderator, setup.community)
    assert services.membership(setup.moderator, setup.community) is None


def test_unique_membership_is_a_database_rule(setup):
    db.session.add(CommunityMember(community_id=setup.community.id, user_id=setup.eva.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_directory_is_for_members(app, setup, count_queries):
    services.update_profile(setup.tom, setup.community, "Ik deel het stadskantoor.", [1, 3], "digest")
    commit()
    tom = client_for(app, "tom@venlo.example.nl")
    html = tom.get("/communities/gdci/leden").get_data(as_text=True)
    assert "Gemeente Venlo" in html and "Ik deel het stadskantoor." in html
    assert "Gemeente Venlo" in tom.get("/communities/gdci/leden?q=venlo").get_data(as_text=True)
    outsider = client_for(app, "bram@helmond.example.nl")
    assert outsider.get("/communities/gdci/leden").status_code == 403
    assert outsider.get("/communities/gdci/discussies").status_code == 403


def test_join_through_the_web(app, setup):
    bram = client_for(app, "bram@helmond.example.nl")
    response = post_form(bram, "/communities/gdci/lid-worden", {"motivation": "Graag"}, page="/communities/gdci",
                         follow_redirects=True)
    assert "Uw aanmelding is verstuurd" in response.get_data(as_text=True)
    moderator = client_for(app, "mod@amsterdam.example.nl")
    html = moderator.get("/communities/gdci/beheer").get_data(as_text=True)
    assert "Bram Smits" in html
    member_id = db.session.scalar(select(CommunityMember.id).where(CommunityMember.user_id == setup.outsider.id))
    response = post_form(moderator, f"/communities/gdci/aanmeldingen/{member_id}/goedkeuren", page="/communities/gdci/beheer")
    assert response.status_code == 302
    assert bram.get("/communities/gdci/discussies").status_code == 200
    assert bram.get("/communities/gdci/beheer").status_code == 403


def test_coordinator_creates_a_community(app, setup):
    coordinator = client_for(app, "sanne@mvi-community.nl")
    response = post_form(coordinator, "/communities/nieuw", {
        "name": "Social return in de praktijk", "description": "Voor *iedereen*", "track": "verbreding",
        "membership_policy": "open", "themes": ["6"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/communities/social-return-in-de-praktijk")
    eva = client_for(app, "eva@amsterdam.example.nl")
    assert eva.get("/communities/nieuw").status_code == 403
