"""Object-level permissions across organisations (DESIGN.md §8): a member of A gets 403/404 on B's
draft, on editing B's case, on a community-only case outside the community, and on attachments."""
from __future__ import annotations

import io

import pytest

from tests.cases.conftest import client_for, new_case
from tests.conftest import login, post_form
from tests.factories import commit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture()
def cases(world, app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    draft = new_case(world.bob, world.org_b, title="Concept van Helmond")
    published = new_case(world.bob, world.org_b, publish_by=world.coordinator, title="Gepubliceerd in Helmond")
    community_only = new_case(world.alice, world.org_a, publish_by=world.coordinator, title="Alleen voor de Green Deal",
                              visibility="community", community_id=world.community.id)
    from mvi_community.cases import services

    class Upload:
        filename = "bestek.pdf"
        stream = io.BytesIO(PDF)

    attachment = services.add_attachment(world.bob, draft, Upload())
    commit()
    return {"draft": draft.id, "published": published.id, "community": community_only.id,
            "attachment": f"/cases/{draft.id}/bijlagen/{attachment.id}/bestek.pdf"}


def test_member_of_a_cannot_see_or_edit_b_draft(client, world, cases):
    login(client, "alice@venlo.example.nl")
    assert client.get(f"/cases/{cases['draft']}").status_code == 404
    assert client.get(f"/cases/{cases['draft']}/bewerken").status_code == 404
    assert client.get(f"/cases/{cases['draft']}/geschiedenis").status_code == 404
    assert client.get(cases["attachment"]).status_code == 404
    response = post_form(client, f"/cases/{cases['draft']}/indienen", page="/cases/")
    assert response.status_code == 404


def test_member_of_a_cannot_edit_b_published_case(client, world, cases):
    login(client, "alice@venlo.example.nl")
    assert client.get(f"/cases/{cases['published']}").status_code == 200
    assert client.get(f"/cases/{cases['published']}/bewerken").status_code == 403
    response = post_form(client, f"/cases/{cases['published']}/bewerken", {"title": "Overgenomen"},
                         page=f"/cases/{cases['published']}")
    assert response.status_code == 403
    response = post_form(client, f"/cases/{cases['published']}/terugtrekken", page=f"/cases/{cases['published']}")
    assert response.status_code == 403
    assert "Overgenomen" not in client.get(f"/cases/{cases['published']}").get_data(as_text=True)


def test_community_only_case_is_refused_outside_the_community(client, world, cases):
    login(client, "bob@helmond.example.nl")
    response = client.get(f"/cases/{cases['community']}")
    assert response.status_code == 403
    assert "alleen zichtbaar voor leden" in response.get_data(as_text=True)
    assert "Alleen voor de Green Deal" not in client.get("/cases/").get_data(as_text=True)


def test_anonymous_sees_public_published_only(client, world, cases):
    assert client.get(f"/cases/{cases['published']}").status_code == 200
    assert client.get(f"/cases/{cases['draft']}").status_code == 404
    assert client.get(f"/cases/{cases['community']}").status_code == 403
    assert client.get(cases["attachment"]).status_code == 404
    assert client.get(f"/api/v1/cases/{cases['community']}").status_code == 404
    assert client.get(f"/api/v1/cases/{cases['draft']}").status_code == 404


def test_community_member_and_owner_see_their_cases(client, world, cases):
    login(client, "alice@venlo.example.nl")  # member of the community and owner
    assert client.get(f"/cases/{cases['community']}").status_code == 200
    client = client_for(client.application, "bob@helmond.example.nl")
    assert client.get(f"/cases/{cases['draft']}").status_code == 200
    response = client.get(cases["attachment"])
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()


def test_coordinator_never_sees_drafts_of_organisations(client, world, cases):
    login(client, "sanne@mvi-community.nl")
    assert client.get(f"/cases/{cases['draft']}").status_code == 404
    assert client.get(f"/cases/{cases['community']}").status_code == 200
