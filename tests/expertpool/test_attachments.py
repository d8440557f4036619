"""Attachments on support requests (uploads checked by content and size, permission-checked
downloads) and the optional link from the requester's feedback to one of their own cases."""
from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from mvi_community.cases import services as cases
from mvi_community.core.taxonomy import ensure_reference_data
from mvi_community.expertpool import services
from mvi_community.expertpool.models import Feedback, Proposal, RequestAttachment, SupportRequest
from mvi_community.expertpool.services.common import local_today
from mvi_community.extensions import db
from tests.conftest import FreshContextClient, login, post_form
from tests.expertpool.factories import make_expert, make_request, theme
from tests.factories import commit, make_organisation, make_user

PDF = b"%PDF-1.4\n% plan van aanpak\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00evil"


@pytest.fixture(autouse=True)
def uploads(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def stored_files(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


_CLIENTS: dict = {}


@pytest.fixture(autouse=True)
def _fresh_clients():
    _CLIENTS.clear()
    yield
    _CLIENTS.clear()


def client_for(app, email=None):
    """One signed-in client per user and test, each from its own address (the login throttle)."""
    if email in _CLIENTS:
        return _CLIENTS[email]
    app.test_client_class = FreshContextClient
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"192.0.2.{len(_CLIENTS) + 1}"  # one address per user
    if email:
        login(client, email)
        _CLIENTS[email] = client
    return client


def download(client, url):
    response = client.get(url)
    try:
        return response.status_code, response.data, response.headers, response.mimetype
    finally:
        response.close()


def html(response) -> str:
    return response.get_data(as_text=True)


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-error">(.*?)</div>', page, re.DOTALL)
    return match.group(1) if match else ""


@pytest.fixture()
def world(app):
    ensure_reference_data()
    venlo = make_organisation("gm0983", "Gemeente Venlo")
    helmond = make_organisation("gm0794", "Gemeente Helmond")
    ns = SimpleNamespace(
        venlo=venlo, helmond=helmond,
        alice=make_user("alice@venlo.example.nl", "Alice Peeters", venlo),
        anna=make_user("anna@venlo.example.nl", "Anna Venlo", venlo),
        bob=make_user("bob@helmond.example.nl", "Bob Smits", helmond),
        coordinator=make_user("sanne@mvi-community.nl", "Sanne de Vries", coordinator=True),
        expert=make_expert("Jeroen Bosman", email="jeroen@rijk.example.nl"),
        other_expert=make_expert("Lisa de Wit", email="lisa@rijk.example.nl"),
    )
    commit()
    return ns


def new_request_data(world, **extra) -> dict:
    data = {"organisation": world.venlo.id, "title": "Gunningscriteria circulair meubilair", "goal": "gunningscriteria",
            "themes": [str(theme("circulair").id)], "product_group": "0",
            "description": "Wij willen circulair meubilair belonen.", "days_needed": "2"}
    data.update(extra)
    return data


def send_to_expert(support_request: SupportRequest, expert) -> Proposal:
    proposal = Proposal(request=support_request, expert=expert, status=Proposal.CONFIRMED, rank=0,
                        confirmed_at=support_request.created_at)
    support_request.status = SupportRequest.PROPOSED
    db.session.add(proposal)
    db.session.flush()
    return proposal


def test_ask_with_attachments_and_who_may_download(app, world, uploads):
    alice = client_for(app, "alice@venlo.example.nl")
    response = post_form(alice, "/expertpool/hulpvragen/nieuw", new_request_data(world, attachments=[
        (io.BytesIO(PDF), "Plan van aanpak.pdf"), (io.BytesIO(PNG), "planning.png")]),
        content_type="multipart/form-data")
    assert response.status_code == 302, html(response)[:3000]
    request_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    rows = db.session.scalars(select(RequestAttachment).order_by(RequestAttachment.id)).all()
    assert [(a.filename, a.content_type, a.size) for a in rows] == [
        ("Plan van aanpak.pdf", "application/pdf", len(PDF)), ("planning.png", "image/png", len(PNG))]
    assert all(a.request_id == request_id and a.uploaded_by_id == world.alice.id for a in rows)
    assert (uploads / rows[0].stored_name[:2] / rows[0].stored_name).read_bytes() == PDF
    assert "Plan van aanpak" not in "".join(p.name for p in stored_files(uploads))  # random names on disk

    pdf_url = f"/expertpool/hulpvragen/{request_id}/bijlagen/{rows[0].id}/{rows[0].filename}"
    page = html(alice.get(f"/expertpool/hulpvragen/{request_id}"))
    assert f'href="{pdf_url.replace(" ", "%20")}"' in page and "planning.png" in page

    # the proposed expert may download once the request is sent to them
    send_to_expert(db.session.get(SupportRequest, request_id), world.expert)
    commit()
    for email in ("alice@venlo.example.nl", "anna@venlo.example.nl", "sanne@mvi-community.nl", "jeroen@rijk.example.nl"):
        status, data, headers, mimetype = download(client_for(app, email), pdf_url)
        assert status == 200, email
        assert data == PDF and mimetype == "application/pdf"
        assert "attachment" in headers["Content-Disposition"]
        assert headers["Cache-Control"] == "private, no-store"
    # a member of another organisation and an unrelated expert cannot
    for email in ("bob@helmond.example.nl", "lisa@rijk.example.nl"):
        assert download(client_for(app, email), pdf_url)[0] == 403, email
    # anonymous: to the login page; an attachment of another request: 404
    assert download(client_for(app), pdf_url)[0] == 302
    other = make_request(world.venlo, world.alice)
    commit()
    assert alice.get(f"/expertpool/hulpvragen/{other.id}/bijlagen/{rows[0].id}/x.pdf").status_code == 404
    assert alice.get(f"/expertpool/hulpvragen/{request_id}/bijlagen/9999/x.pdf").status_code == 404


def test_request_without_attachments_still_works(app, world, uploads):
    alice = client_for(app, "alice@venlo.example.nl")
    response = post_form(alice, "/expertpool/hulpvragen/nieuw", new_request_data(world),
                         content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(SupportRequest.id))) == 1
    assert db.session.scalar(select(func.count(RequestAttachment.id))) == 0
    assert "Geen bijlagen." in html(alice.get(response.headers["Location"]))


@pytest.mark.parametrize("files, message", [
    ([(EXE, "rapport.pdf")], "Dit soort bestand kan niet worden geüpload"),
    ([(PDF, "goed.pdf"), (EXE, "slecht.docx")], "slecht.docx: Dit soort bestand kan niet worden geüpload"),
    ([(b"%PDF-" + b"0" * 4096, "groot.pdf")], "Het bestand is te groot"),
])
def test_refused_upload_on_new_request_stores_nothing(app, world, uploads, files, message):
    app.config["UPLOAD_MAX_BYTES"] = 2048
    alice = client_for(app, "alice@venlo.example.nl")
    response = post_form(alice, "/expertpool/hulpvragen/nieuw", new_request_data(world, attachments=[
        (io.BytesIO(data), name) for data, name in files]), content_type="multipart/form-data")
    assert response.status_code == 200
    page = html(response)
    assert message in field_error(page, "attachments") and 'href="#attachments"' in page
    assert db.session.scalar(select(func.count(SupportRequest.id))) == 0
    assert db.session.scalar(select(func.count(RequestAttachment.id))) == 0
    assert stored_files(uploads) == []


def test_add_and_delete_on_the_request_page(app, world, uploads):
    r = make_request(world.venlo, world.alice)
    commit()
    url = f"/expertpool/hulpvragen/{r.id}"
    anna = client_for(app, "anna@venlo.example.nl")
    response = post_form(anna, f"{url}/bijlagen", {"attachment-file": (io.BytesIO(PDF), "notitie.pdf")}, page=url,
                         content_type="multipart/form-data")
    assert response.status_code == 302
    attachment = db.session.scalar(select(RequestAttachment))
    assert attachment.filename == "notitie.pdf" and attachment.uploaded_by_id == world.anna.id
    # refused: a field error in Dutch, nothing stored
    response = post_form(anna, f"{url}/bijlagen", {"attachment-file": (io.BytesIO(EXE), "virus.pdf")}, page=url,
                         content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Dit soort bestand kan niet worden geüpload" in field_error(html(response), "attachment-file")
    response = post_form(anna, f"{url}/bijlagen", {}, page=url, content_type="multipart/form-data")
    assert "Kies een bestand om te uploaden." in field_error(html(response), "attachment-file")
    assert db.session.scalar(select(func.count(RequestAttachment.id))) == 1 and len(stored_files(uploads)) == 1
    # another organisation and an unrelated expert can neither add nor delete
    send_to_expert(db.session.get(SupportRequest, r.id), world.expert)
    commit()
    jeroen = client_for(app, "jeroen@rijk.example.nl")
    page = html(jeroen.get(url))
    assert "notitie.pdf" in page and "Bijlage toevoegen" not in page and "notitie.pdf verwijderen" not in page
    for client in (client_for(app, "bob@helmond.example.nl"), client_for(app, "lisa@rijk.example.nl"), jeroen):
        response = post_form(client, f"{url}/bijlagen", {"attachment-file": (io.BytesIO(PNG), "x.png")},
                             page="/expertpool/", content_type="multipart/form-data")
        assert response.status_code == 403
        response = post_form(client, f"{url}/bijlagen/{attachment.id}/verwijderen", page="/expertpool/")
        assert response.status_code == 403
    assert db.session.scalar(select(func.count(RequestAttachment.id))) == 1
    # the requester deletes it while the request is open: row and file gone
    assert "notitie.pdf verwijderen" in html(anna.get(url))
    response = post_form(anna, f"{url}/bijlagen/{attachment.id}/verwijderen", page=url)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(RequestAttachment.id))) == 0 and stored_files(uploads) == []


def test_no_changes_once_closed(app, world, uploads):
    r = make_request(world.venlo, world.alice)
    commit()
    url = f"/expertpool/hulpvragen/{r.id}"
    alice = client_for(app, "alice@venlo.example.nl")
    assert post_form(alice, f"{url}/bijlagen", {"attachment-file": (io.BytesIO(PDF), "a.pdf")}, page=url,
                     content_type="multipart/form-data").status_code == 302
    attachment_id = db.session.scalar(select(RequestAttachment.id))
    services.cancel_request(world.alice, r.id)
    commit()
    page = html(alice.get(url))
    assert "a.pdf" in page and "Bijlage toevoegen" not in page and "a.pdf verwijderen" not in page
    response = post_form(alice, f"{url}/bijlagen", {"attachment-file": (io.BytesIO(PNG), "b.png")}, page=url,
                         content_type="multipart/form-data")
    assert response.status_code == 200 and "gesloten hulpvraag" in html(response)
    response = post_form(alice, f"{url}/bijlagen/{attachment_id}/verwijderen", page=url, follow_redirects=True)
    assert "zolang de hulpvraag open is" in html(response)
    assert db.session.scalar(select(func.count(RequestAttachment.id))) == 1 and len(stored_files(uploads)) == 1


# --- feedback linked to a case ------------------------------------------------------------------

def completed_request(world) -> SupportRequest:
    r = make_request(world.venlo, world.alice)
    proposal = send_to_expert(r, world.expert)
    services.accept(world.expert.user, proposal.id)
    services.log_session(world.expert.user, r.id, local_today(), 1, "Kick-off")
    services.complete(world.expert.user, r.id, "Klaar")
    return r


def test_feedback_links_to_an_own_case(app, world):
    r = completed_request(world)
    draft = cases.create_case(world.alice, cases.CaseData(
        title="Circulair meubilair Venlo", summary="Concept.", organisation_id=world.venlo.id, year=2024,
        phase="aanbesteding"))
    foreign = cases.create_case(world.bob, cases.CaseData(
        title="Helmond bouwt circulair", summary="Van een ander.", organisation_id=world.helmond.id, year=2024,
        phase="aanbesteding"))
    commit()
    url = f"/expertpool/hulpvragen/{r.id}"
    alice = client_for(app, "alice@venlo.example.nl")
    page = html(alice.get(url))
    assert "Gebruikt in praktijkvoorbeeld" in page and "Circulair meubilair Venlo (niet gepubliceerd)" in page
    assert "Helmond bouwt circulair" not in page
    # another organisation's case is refused with a Dutch message; nothing saved
    response = post_form(alice, f"{url}/beoordelen", {"rating-rating": "4", "rating-outcome": "criteria-aanbesteding",
                                                      "rating-case": str(foreign.id)}, page=url)
    assert response.status_code == 200
    assert "Kies een praktijkvoorbeeld van uw eigen organisatie." in field_error(html(response), "rating-case")
    assert db.session.scalar(select(Feedback).where(Feedback.author_role == Feedback.REQUESTER)) is None
    response = post_form(alice, f"{url}/beoordelen", {"rating-rating": "4", "rating-outcome": "criteria-aanbesteding",
                                                      "rating-case": str(draft.id)}, page=url)
    assert response.status_code == 302
    feedback = db.session.scalar(select(Feedback).where(Feedback.author_role == Feedback.REQUESTER))
    assert feedback.case_id == draft.id
    link = f'href="/cases/{draft.id}"'
    page = html(alice.get(url))
    assert "Gebruikt in praktijkvoorbeeld:" in page and link in page
    # a draft stays hidden from who may not see it (the expert, the coordinator)...
    for email in ("jeroen@rijk.example.nl", "sanne@mvi-community.nl"):
        page = html(client_for(app, email).get(url))
        assert "4 van 5" in page and link not in page, email
    # ...and shows once published
    case = cases.get_case(draft.id)
    cases.submit(world.alice, case)
    cases.publish(world.coordinator, case)
    commit()
    assert link in html(client_for(app, "jeroen@rijk.example.nl").get(url))


def test_feedback_without_a_case(app, world):
    r = completed_request(world)
    commit()
    url = f"/expertpool/hulpvragen/{r.id}"
    alice = client_for(app, "alice@venlo.example.nl")
    assert 'id="rating-case"' not in html(alice.get(url))  # no cases yet: no picker
    response = post_form(alice, f"{url}/beoordelen", {"rating-rating": "5", "rating-outcome": "ambitie"}, page=url)
    assert response.status_code == 302
    assert db.session.scalar(select(Feedback.case_id).where(Feedback.author_role == Feedback.REQUESTER)) is None
    assert "Gebruikt in praktijkvoorbeeld" not in html(alice.get(url))


# --- query budget -------------------------------------------------------------------------------

def test_request_page_with_attachments_stays_within_budget(app, world, count_queries):
    r = make_request(world.venlo, world.alice)
    send_to_expert(r, world.expert)
    for n in range(5):
        db.session.add(RequestAttachment(request=r, stored_name=f"{n:032x}", filename=f"bijlage-{n}.pdf",
                                         content_type="application/pdf", size=1000 + n, uploaded_by_id=world.alice.id))
    done = completed_request(world)
    case = cases.create_case(world.alice, cases.CaseData(title="Venlo circulair", summary="S.",
                                                         organisation_id=world.venlo.id, year=2024, phase="aanbesteding"))
    services.rate(world.alice, done.id, 5, "ambitie", "Top", case_id=case.id)
    db.session.add(RequestAttachment(request=done, stored_name="f" * 32, filename="eind.pdf",
                                     content_type="application/pdf", size=10, uploaded_by_id=world.alice.id))
    commit()
    for email in ("alice@venlo.example.nl", "sanne@mvi-community.nl", "jeroen@rijk.example.nl"):
        client = client_for(app, email)
        for url in (f"/expertpool/hulpvragen/{r.id}", f"/expertpool/hulpvragen/{done.id}"):
            client.get(url)  # warm-up
            with count_queries() as counter:
                response = client.get(url)
            assert response.status_code == 200
            assert "bijlage-" in html(response) or "eind.pdf" in html(response)
            assert counter.count <= 12, f"{email} {url}: {counter.count}\n" + "\n".join(counter.statements)
