"""Every expert-pool page issues a bounded number of SQL statements (DESIGN.md §10: ≤ 12)."""
from __future__ import annotations

import pytest

from mvi_community.accounts.models import Membership
from mvi_community.expertpool import services
from mvi_community.expertpool.models import ExpertConflict, Proposal, SupportRequest, Unavailability
from mvi_community.expertpool.services.common import local_today
from mvi_community.extensions import db
from tests.conftest import FreshContextClient, login
from tests.expertpool.factories import make_expert, make_request
from tests.factories import commit, make_organisation, make_user

BUDGET = 12
THEMES = ["circulair", "klimaat", "social-return", "milieu"]


@pytest.fixture()
def crowded(app):
    coordinator = make_user("coordinator@example.nl", "Sanne de Vries", coordinator=True)
    organisations = [make_organisation(code=f"gm{n:04d}", name=f"Gemeente Proef {n:02d}") for n in range(8)]
    requester = make_user("vrager@example.nl", "Vrager", organisations[0])
    db.session.add(Membership(user=requester, organisation=organisations[1], role="member"))
    experts = []
    for n in range(16):
        e = make_expert(f"Expert {n:02d}", employer=organisations[n % 8], themes=(THEMES[n % 4], THEMES[(n + 1) % 4]),
                        skills=("gunningscriteria", "inkoopkader"), groups=("kantoormeubilair", "catering"),
                        max_concurrent=3, days_per_quarter=12)
        db.session.add(Unavailability(expert=e, starts_on=local_today().replace(year=local_today().year + 2),
                                      ends_on=local_today().replace(year=local_today().year + 2)))
        db.session.add(ExpertConflict(expert=e, organisation=organisations[(n + 3) % 8], reason="test"))
        experts.append(e)
    requests = []
    for n in range(24):
        requests.append(make_request(organisations[n % 8], requester if n % 8 == 0 else None,
                                     title=f"Hulpvraag {n:02d}", themes=(THEMES[n % 4], THEMES[(n + 2) % 4]),
                                     days_needed=1))
    services.propose(coordinator)
    # Run a dozen through the whole cycle
    for r in requests[:12]:
        if r.draft is None:
            continue
        proposal = services.confirm(coordinator, r.id)
        services.accept(proposal.expert.user, proposal.id)
        for _ in range(3):
            services.log_session(proposal.expert.user, r.id, local_today(), 0.2, "Sessie")
        if r.id % 2:
            services.complete(proposal.expert.user, r.id, "Klaar")
            services.rate(make_user(organisation=r.organisation), r.id, 4, "ambitie", "Goed")
    commit()
    detail_with_alternates = next(r for r in requests if r.status == SupportRequest.PROPOSED and r.alternates)
    completed = next(r for r in requests if r.status == SupportRequest.COMPLETED and r.organisation_id == organisations[0].id) \
        if any(r.status == SupportRequest.COMPLETED and r.organisation_id == organisations[0].id for r in requests) \
        else next(r for r in requests if r.status == SupportRequest.COMPLETED)
    busy = next(p.expert for r in requests for p in r.proposals if p.status == Proposal.ACCEPTED)
    return {"coordinator": coordinator, "experts": experts, "requests": requests,
            "draft": detail_with_alternates, "completed": completed, "busy_expert": busy}


def new_client(app, email=None):
    app.test_client_class = FreshContextClient
    client = app.test_client()
    if email:
        login(client, email)
    return client


def measure(count_queries, client, url):
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert counter.count <= BUDGET, f"{url}: {counter.count} queries\n" + "\n".join(counter.statements)
    return counter.count


def test_anonymous_pages(app, crowded, count_queries):
    client = new_client(app)
    for url in ("/expertpool/", "/expertpool/?thema=circulair", f"/expertpool/experts/{crowded['experts'][0].id}"):
        measure(count_queries, client, url)


def test_coordinator_pages(app, crowded, count_queries):
    client = new_client(app, "coordinator@example.nl")
    for url in ("/expertpool/", "/expertpool/beheer/hulpvragen", "/expertpool/beheer/hulpvragen?status=alle",
                f"/expertpool/hulpvragen/{crowded['draft'].id}", f"/expertpool/hulpvragen/{crowded['completed'].id}",
                "/expertpool/beheer/dashboard", "/expertpool/beheer/experts", "/expertpool/beheer/instellingen",
                f"/expertpool/experts/{crowded['experts'][3].id}"):
        measure(count_queries, client, url)


def test_member_pages(app, crowded, count_queries):
    client = new_client(app, "vrager@example.nl")
    for url in ("/expertpool/hulpvragen", "/expertpool/hulpvragen/nieuw",
                f"/expertpool/hulpvragen/{crowded['requests'][0].id}"):
        measure(count_queries, client, url)


def test_expert_pages(app, crowded, count_queries):
    expert = crowded["busy_expert"]
    client = new_client(app, expert.user.email)
    request_id = next(p.request_id for p in db.session.query(Proposal).filter_by(expert_id=expert.id))
    for url in ("/expertpool/mijn-verzoeken", "/expertpool/mijn-profiel", f"/expertpool/hulpvragen/{request_id}",
                "/expertpool/aanmelden"):
        client.get(url)  # warm-up (redirects allowed for /aanmelden)
    for url in ("/expertpool/mijn-verzoeken", "/expertpool/mijn-profiel", f"/expertpool/hulpvragen/{request_id}"):
        measure(count_queries, client, url)
