"""Fixtures for the case library: two organisations with members, a coordinator, a community."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from mvi_community.cases import services
from mvi_community.cases.models import Case
from mvi_community.communities.models import ACTIVE, Community, CommunityMember
from mvi_community.core.taxonomy import ensure_reference_data
from mvi_community.extensions import db
from tests.factories import commit, make_organisation, make_user


@dataclass
class World:
    org_a: object
    org_b: object
    alice: object  # member of A (forerunner)
    anna: object  # second member of A
    bob: object  # member of B
    coordinator: object
    community: Community
    moderator: object  # community moderator, member of neither A nor B


def new_case(author, organisation, publish_by=None, **overrides) -> Case:
    data = dict(title="Circulair inrichten van kantoren", summary="Hergebruikt meubilair voor het stadskantoor.",
                organisation_id=organisation.id, year=2016, phase="aanbesteding")
    data.update(overrides)
    case = services.create_case(author, services.CaseData(**data))
    if publish_by is not None:
        services.submit(author, case)
        services.publish(publish_by, case)
    db.session.flush()
    return case


@pytest.fixture()
def world(app) -> World:
    ensure_reference_data()
    org_a = make_organisation("gm0983", "Gemeente Venlo")
    org_b = make_organisation("gm0794", "Gemeente Helmond")
    alice = make_user("alice@venlo.example.nl", "Alice Peeters", org_a)
    anna = make_user("anna@venlo.example.nl", "Anna Venlo", org_a)
    bob = make_user("bob@helmond.example.nl", "Bob Smits", org_b)
    coordinator = make_user("sanne@mvi-community.nl", "Sanne de Vries", coordinator=True)
    moderator = make_user("mod@example.nl", "Mo Derator", make_organisation("gm0363", "Gemeente Amsterdam"))
    community = Community(slug="gdci", name="Green Deal Circulair Inkopen", track="verdieping",
                          membership_policy="request")
    db.session.add(community)
    db.session.flush()
    db.session.add(CommunityMember(community_id=community.id, user_id=moderator.id, role="moderator", status=ACTIVE))
    db.session.add(CommunityMember(community_id=community.id, user_id=alice.id, role="member", status=ACTIVE))
    commit()
    return World(org_a, org_b, alice, anna, bob, coordinator, community, moderator)


def client_for(app, email: str):
    """A fresh browser session signed in as `email`."""
    from tests.conftest import FreshContextClient, login

    app.test_client_class = FreshContextClient
    client = app.test_client()
    login(client, email)
    return client
