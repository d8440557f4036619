"""/beheer: one entry to every management task — coordinators see all, an org admin only the
tasks for their own organisation, a member and an anonymous visitor nothing."""
from __future__ import annotations

from tests.factories import commit, make_organisation, make_user
from tests.manifest.factories import new_client


def _world():
    venlo = make_organisation("gm0983", "Gemeente Venlo")
    other = make_organisation("gm0363", "Gemeente Amsterdam")
    make_user("beheer@venlo.example.nl", organisation=venlo, role="org_admin")
    make_user("lid@venlo.example.nl", organisation=venlo, role="member")
    make_user("beheer@amsterdam.example.nl", organisation=other, role="org_admin")
    make_user("sanne@mvi-community.nl", coordinator=True)
    commit()


def test_coordinator_sees_every_task(app, count_queries):
    _world()
    client = new_client(app, "sanne@mvi-community.nl")
    with count_queries() as counter:
        response = client.get("/beheer")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and counter.count <= 12
    for link in ("/accountaanvragen", "/beheer/gebruikers", "/beheer/audit", "/cases/moderatie", "/criteria/beheer",
                 "/expertpool/beheer/hulpvragen", "/benchmark/beheer", "/manifest/instellingen", "/prize/instellingen",
                 "/beheer/themas-en-productgroepen"):
        assert f'href="{link}"' in html, link
    assert 'aria-current="page">Beheer<' in html


def test_org_admin_sees_only_their_organisation(app):
    _world()
    html = new_client(app, "beheer@venlo.example.nl").get("/beheer").get_data(as_text=True)
    assert 'href="/accountaanvragen"' in html and 'href="/organisaties/gm0983"' in html
    assert "Gemeente Amsterdam" not in html and "/beheer/gebruikers" not in html and "/beheer/audit" not in html
    assert "/beheer/themas-en-productgroepen" not in html


def test_members_and_visitors_have_no_admin_page(app):
    _world()
    member = new_client(app, "lid@venlo.example.nl")
    assert member.get("/beheer").status_code == 403
    assert ">Beheer<" not in member.get("/").get_data(as_text=True)
    anonymous = new_client(app)
    assert anonymous.get("/beheer").status_code == 302
