"""Through the web: write a case with an attachment, submit, publish, ask the owner, vote, views."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mvi_community.cases.models import Attachment, Case, CaseAnswer, CaseVote
from mvi_community.core.models import OutboxMessage
from mvi_community.extensions import db
from tests.cases.conftest import client_for, new_case
from tests.conftest import post_form
from tests.factories import commit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def uploads(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def test_forerunner_writes_submits_and_coordinator_publishes(app, world, uploads):
    alice = client_for(app, "alice@venlo.example.nl")
    response = post_form(alice, "/cases/nieuw", {
        "title": "Circulair inrichten van kantoren", "summary": "Hergebruikt meubilair.",
        "organisation": world.org_a.id, "year": 2016, "phase": "aanbesteding", "product_group": 0,
        "contact": world.alice.id, "community": 0, "visibility": "public", "co2_reduction_tonnes": "12,5",
        "approach": "<script>alert(1)</script> **vet**",
    })
    assert response.status_code == 302, re.findall(r"error-message\" id=\"([^\"]+)\">(.*?)</div>", response.get_data(as_text=True), re.DOTALL)
    case_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    page = alice.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<strong>vet</strong>" in page
    response = post_form(alice, f"/cases/{case_id}/bijlagen", {"file": (io.BytesIO(PNG), "foto.png")},
                         page=f"/cases/{case_id}", content_type="multipart/form-data")
    assert response.status_code == 302
    attachment = db.session.scalar(select(Attachment))
    assert attachment.filename == "foto.png" and attachment.content_type == "image/png"
    assert (uploads / attachment.stored_name[:2] / attachment.stored_name).read_bytes() == PNG
    assert post_form(alice, f"/cases/{case_id}/indienen", page=f"/cases/{case_id}").status_code == 302
    coordinator = client_for(app, "sanne@mvi-community.nl")
    assert "Circulair inrichten" in coordinator.get("/cases/moderatie").get_data(as_text=True)
    assert post_form(coordinator, f"/cases/{case_id}/publiceren", page=f"/cases/{case_id}").status_code == 302
    assert db.session.get(Case, case_id).status == "published"
    db.session.expire_all()


def test_refused_upload_stores_nothing_and_says_why(app, world, uploads):
    case = new_case(world.alice, world.org_a)
    commit()
    alice = client_for(app, "alice@venlo.example.nl")
    response = post_form(alice, f"/cases/{case.id}/bijlagen", {"file": (io.BytesIO(b"MZ\x90\x00evil"), "rapport.pdf")},
                         page=f"/cases/{case.id}", content_type="multipart/form-data", follow_redirects=True)
    assert "Dit soort bestand kan niet worden geüpload" in response.get_data(as_text=True)
    assert db.session.scalar(select(Attachment.id)) is None
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))
    app.config["MAX_CONTENT_LENGTH"] = 1024
    big = (io.BytesIO(b"%PDF-" + b"0" * 4096), "groot.pdf")
    response = post_form(alice, f"/cases/{case.id}/bijlagen", {"file": big}, page=f"/cases/{case.id}",
                         content_type="multipart/form-data")
    assert response.status_code == 413
    assert "groter dan toegestaan" in response.get_data(as_text=True)
    assert db.session.scalar(select(Attachment.id)) is None


def test_other_organisation_cannot_upload(app, world):
    case = new_case(world.alice, world.org_a, publish_by=world.coordinator)
    commit()
    bob = client_for(app, "bob@helmond.example.nl")
    response = post_form(bob, f"/cases/{case.id}/bijlagen", {"file": (io.BytesIO(PNG), "x.png")},
                         page=f"/cases/{case.id}", content_type="multipart/form-data")
    assert response.status_code == 403


def test_ask_the_owner_without_exposing_the_address(app, world):
    case = new_case(world.alice, world.org_a, publish_by=world.coordinator)
    commit()
    bob = client_for(app, "bob@helmond.example.nl")
    page = bob.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "alice@venlo.example.nl" not in page and "Vraag het de eigenaar" in page
    response = post_form(bob, f"/cases/{case.id}/vraag", {"subject": "Terugname", "body": "Hoe regelden jullie de terugname?"},
                         page=f"/cases/{case.id}")
    assert response.status_code == 302
    question_url = response.headers["Location"]
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == "alice@venlo.example.nl")).all()[-1]
    assert "Hoe regelden jullie de terugname?" in mail.body and "bob@helmond.example.nl" not in mail.body
    alice = client_for(app, "alice@venlo.example.nl")
    assert "Terugname" in alice.get("/cases/vragen").get_data(as_text=True)
    response = post_form(alice, question_url, {"body": "Met een terugnamegarantie in het contract."})
    assert response.status_code == 302
    answer_mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == "bob@helmond.example.nl")).all()[-1]
    assert "terugnamegarantie" in answer_mail.body and "alice@venlo.example.nl" not in answer_mail.body
    thread = bob.get(question_url).get_data(as_text=True)
    assert "Met een terugnamegarantie in het contract." in thread and "alice@venlo.example.nl" not in thread
    # a member of another organisation cannot read the thread
    outsider = client_for(app, "mod@example.nl")
    assert outsider.get(question_url).status_code == 404
    assert post_form(outsider, question_url, {"body": "Ik lees mee."}, page="/cases/vragen").status_code == 404
    # a coordinator (moderation) reads it, and every thread on the case page, but does not write in it
    coordinator = client_for(app, "sanne@mvi-community.nl")
    thread = coordinator.get(question_url).get_data(as_text=True)
    assert "Met een terugnamegarantie in het contract." in thread and "U leest mee als coördinator" in thread
    assert 'name="body"' not in thread
    assert f'href="/cases/{case.id}"' in thread and ">Mijn vragen<" not in thread  # the breadcrumb leads to the case
    assert "Terugname" in coordinator.get(f"/cases/{case.id}").get_data(as_text=True)
    response = post_form(coordinator, question_url, {"body": "Ik schrijf mee."}, page="/cases/vragen")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(CaseAnswer.id))) == 1


def test_useful_vote_is_one_per_member_and_views_count_once_per_session(app, world):
    case = new_case(world.alice, world.org_a, publish_by=world.coordinator)
    commit()
    bob = client_for(app, "bob@helmond.example.nl")
    assert post_form(bob, f"/cases/{case.id}/nuttig", page=f"/cases/{case.id}").status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).vote_count == 1
    post_form(bob, f"/cases/{case.id}/nuttig", page=f"/cases/{case.id}")  # toggles off
    db.session.expire_all()
    assert db.session.get(Case, case.id).vote_count == 0
    alice = client_for(app, "alice@venlo.example.nl")  # own organisation: refused
    follow = post_form(alice, f"/cases/{case.id}/nuttig", page=f"/cases/{case.id}", follow_redirects=True)
    assert "eigen organisatie" in follow.get_data(as_text=True)
    db.session.add(CaseVote(case_id=case.id, user_id=world.bob.id))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.add(CaseVote(case_id=case.id, user_id=world.bob.id))
        db.session.commit()
    db.session.rollback()
    views_before = db.session.get(Case, case.id).view_count
    visitor = client_for(app, "sanne@mvi-community.nl")
    for _ in range(3):
        visitor.get(f"/cases/{case.id}")
    db.session.expire_all()
    assert db.session.get(Case, case.id).view_count == views_before + 1
