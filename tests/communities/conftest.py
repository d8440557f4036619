"""Fixtures for communities: a community with a moderator and members from two organisations."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from mvi_community.communities import services
from mvi_community.communities.models import ACTIVE, Community, CommunityMember, WorkingGroup
from mvi_community.core.taxonomy import ensure_reference_data
from mvi_community.extensions import db
from tests.factories import commit, make_organisation, make_user


@dataclass
class Setup:
    community: Community
    group: WorkingGroup
    moderator: object
    eva: object
    tom: object
    outsider: object
    coordinator: object


def add_member(community, user, role="member", notify="direct"):
    member = CommunityMember(community_id=community.id, user_id=user.id, role=role, status=ACTIVE, notify=notify)
    db.session.add(member)
    db.session.flush()
    return member


@pytest.fixture()
def setup(app) -> Setup:
    ensure_reference_data()
    amsterdam = make_organisation("gm0363", "Gemeente Amsterdam")
    venlo = make_organisation("gm0983", "Gemeente Venlo")
    helmond = make_organisation("gm0794", "Gemeente Helmond")
    moderator = make_user("mod@amsterdam.example.nl", "Mila Moderator", amsterdam)
    eva = make_user("eva@amsterdam.example.nl", "Eva Jansen", amsterdam)
    tom = make_user("tom@venlo.example.nl", "Tom Hendriks", venlo)
    outsider = make_user("bram@helmond.example.nl", "Bram Smits", helmond)
    coordinator = make_user("sanne@mvi-community.nl", "Sanne de Vries", coordinator=True)
    community = Community(slug="gdci", name="Green Deal Circulair Inkopen", track="verdieping",
                          membership_policy="request", description="Koplopers")
    db.session.add(community)
    db.session.flush()
    group = WorkingGroup(community_id=community.id, slug="interieur", name="Interieur")
    db.session.add(group)
    add_member(community, moderator, "moderator")
    add_member(community, eva)
    add_member(community, tom)
    commit()
    db.session.refresh(community)
    return Setup(community, group, moderator, eva, tom, outsider, coordinator)


__all__ = ["services"]
