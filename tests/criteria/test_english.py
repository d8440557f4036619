"""The criteria pages in English: no Dutch interface strings left on the main pages."""
from __future__ import annotations

from sqlalchemy import select

from mvi_community.accounts.models import User
from mvi_community.extensions import db
from tests.criteria.factories import world
from tests.factories import commit
from tests.manifest.factories import new_client


def test_pages_speak_english(app):
    world()
    db.session.scalar(select(User).where(User.email == "beheer@aadorp.nl")).locale = "en"
    commit()
    client = new_client(app, "beheer@aadorp.nl")
    index = client.get("/criteria/").get_data(as_text=True)
    assert "MVI criteria per product group" in index and "Office furniture" in index
    group = client.get("/criteria/productgroepen/kantoormeubilair").get_data(as_text=True)
    assert "Criteria for Office furniture" in group and "Save selection" in group and "Award criterion" in group
    plan = client.get("/criteria/inkoopplan/gm7001").get_data(as_text=True)
    assert "Strategic procurement plan of Gemeente Aadorp" in plan and "Request expert support" in plan
