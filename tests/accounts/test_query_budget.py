"""Every page issues a bounded number of SQL statements (DESIGN.md §10: at most 12), however much data."""
from __future__ import annotations

from datetime import timedelta

import pytest

from mvi_community.accounts.models import AccountRequest, Invitation, Membership, hash_password
from mvi_community.core.audit import audit
from mvi_community.db import utcnow
from mvi_community.extensions import db
from tests.conftest import FreshContextClient, login
from tests.factories import commit, make_organisation, make_user

BUDGET = 12
ORGANISATIONS = 36
MEMBERS_PER_ORGANISATION = 3


@pytest.fixture()
def crowded(app):
    """36 organisations with 3 members each (one admin), pending requests, invitations, audit events."""
    password_hash = hash_password("Fietsen-langs-de-Maas-7")
    organisations = [make_organisation(code=f"gm{n:04d}", name=f"Gemeente Proef {n:02d}") for n in range(ORGANISATIONS)]
    members = []
    for n, organisation in enumerate(organisations):
        for m in range(MEMBERS_PER_ORGANISATION):
            members.append(make_user(f"lid{m}@gm{n:04d}.example.nl", f"Lid {m} van {n:02d}", organisation,
                                     role="org_admin" if m == 0 else "member"))
    # some people belong to several organisations
    for user, organisation in zip(members[:20], organisations[1:21]):
        db.session.add(Membership(user=user, organisation=organisation, role="member"))
    coordinator = make_user("sanne@mvi-community.nl", "Sanne de Vries", coordinator=True)
    admin = members[0]  # org_admin of gm0000
    for n in range(10):
        db.session.add(AccountRequest(email=f"aanvrager{n}@example.nl", name=f"Aanvrager {n}",
                                      organisation=organisations[n % 4], password_hash=password_hash,
                                      job_title="Inkoper", motivation="Graag"))
        db.session.add(Invitation(token_hash=f"{n:064d}", email=f"genodigde{n}@example.nl", organisation=organisations[0],
                                  role="member", invited_by_id=admin.id, expires_at=utcnow() + timedelta(days=14)))
    for user in members[:30]:
        audit("user.role_changed", obj=user, actor=coordinator if user.id % 2 else user, role="member")
    commit()
    return {"admin": admin, "coordinator": coordinator, "member": members[4], "organisations": organisations}


def new_client(app, email: str | None = None):
    app.test_client_class = FreshContextClient
    client = app.test_client()
    if email:
        login(client, email)
    return client


def measure(count_queries, client, url: str, expect: list[str]):
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    for text in expect:
        assert text in html, (url, text)
    assert counter.count <= BUDGET, f"{url}: {counter.count} statements\n" + "\n".join(counter.statements)
    return counter.count


def test_public_pages(app, crowded, count_queries):
    client = new_client(app)
    measure(count_queries, client, "/", ["deelnemende organisaties"])
    measure(count_queries, client, "/organisaties", [f"{ORGANISATIONS} organisaties", "Gemeente Proef 00"])
    measure(count_queries, client, "/organisaties?q=proef&type=gemeente", ["Gemeente Proef 24"])
    measure(count_queries, client, "/organisaties/gm0003", ["Gemeente Proef 03", "Log in om te zien"])


def test_member_pages(app, crowded, count_queries):
    client = new_client(app, crowded["member"].email)
    measure(count_queries, client, "/", ["Uw profiel", "Gemeente Proef 01", "Gemeente Proef 05"])
    measure(count_queries, client, "/profiel", ["Gemeente Proef 01", "Gemeente Proef 05"])
    measure(count_queries, client, "/organisaties/gm0001", ["Lid 0 van 01", "Lid 2 van 01"])


def test_org_admin_pages(app, crowded, count_queries):
    client = new_client(app, crowded["admin"].email)
    measure(count_queries, client, "/", ["U beheert deze organisatie"])
    measure(count_queries, client, "/organisaties/gm0000",
            ["Lid 1 van 00", "lid2@gm0000.example.nl", "genodigde9@example.nl", "Rol wijzigen"])
    measure(count_queries, client, "/accountaanvragen", ["Aanvrager 0", "Aanvrager 8"])
    measure(count_queries, client, "/organisaties/gm0000/uitnodigen", ["Collega uitnodigen voor Gemeente Proef 00"])


def test_coordinator_pages(app, crowded, count_queries):
    client = new_client(app, "sanne@mvi-community.nl")
    user_id = crowded["member"].id
    measure(count_queries, client, "/", ["Opdrachtgeven met ambitie"])
    measure(count_queries, client, "/accountaanvragen", [f"Aanvrager {n}" for n in range(10)])
    measure(count_queries, client, "/beheer/gebruikers", ["Gemeente Proef", "gebruikers"])
    measure(count_queries, client, "/beheer/gebruikers?q=lid", ["Lid 0 van 00"])
    measure(count_queries, client, f"/beheer/gebruikers/{user_id}", ["Gemeente Proef 01", "Gemeente Proef 05"])
    measure(count_queries, client, "/beheer/audit", ["user.role_changed", "sanne@mvi-community.nl"])
    measure(count_queries, client, "/profiel", ["Coördinator"])
    measure(count_queries, client, "/organisaties/gm0000", ["lid2@gm0000.example.nl"])
    measure(count_queries, client, "/beheer/organisaties/gm0000/bewerken", ["Organisatie bewerken"])


def test_statement_count_does_not_grow_with_the_data(app, crowded, count_queries):
    """Same pages, twice the data: the number of statements stays the same (no N+1)."""
    client = new_client(app, "sanne@mvi-community.nl")
    pages = ["/beheer/gebruikers", "/accountaanvragen", "/beheer/audit", "/organisaties"]
    before = [measure(count_queries, client, url, []) for url in pages]
    more = [make_organisation(code=f"pv{n:02d}", name=f"Provincie Proef {n}", type="provincie") for n in range(20)]
    password_hash = db.session.get(AccountRequest, 1).password_hash
    for n, organisation in enumerate(more):
        user = make_user(f"extra{n}@example.nl", f"Aaa Extra {n}", organisation, role="org_admin")
        db.session.add(AccountRequest(email=f"nog{n}@example.nl", name=f"Nog {n}", organisation=organisation,
                                      password_hash=password_hash))
        audit("user.role_changed", obj=user, actor=user, role="org_admin")
    commit()
    after = [measure(count_queries, client, url, []) for url in pages]
    assert after == before
