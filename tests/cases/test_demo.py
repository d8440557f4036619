"""The demo seed: the 2016 letter's cases and communities, idempotent; generated cases deterministic."""
from __future__ import annotations

from sqlalchemy import func, select

from mvi_community.cases import services
from mvi_community.cases.demo import generate_cases, insert_generated
from mvi_community.cases.models import Case
from mvi_community.communities.models import Community, Meeting, WorkingGroup
from mvi_community.demo.services import seed
from mvi_community.extensions import db


def test_seed_is_idempotent_and_searchable(app):
    seed("small")
    db.session.commit()
    seed("small")
    db.session.commit()
    assert db.session.scalar(select(func.count(Case.id))) == 6
    assert db.session.scalar(select(func.count(Community.id))) == 2
    groups = set(db.session.scalars(select(WorkingGroup.name)))
    assert groups == {"Bouw", "Disposables", "ICT", "Interieur", "Intern draagvlak", "Ketensamenwerking", "Infra/GWW",
                      "Monitoring"}
    assert db.session.scalar(select(func.count(Meeting.id))) >= 4
    titles = {db.session.get(Case, i).title for i in services.search_ids(None, "gemeentehuis Venlo OR Groningen")}
    assert any("Groningen" in t for t in titles)
    assert len(services.search_ids(None, "flexplekken")) == 1
    venlo = db.session.get(Case, services.search_ids(None, "cradle-to-cradle")[0])
    assert venlo.organisation.code == "gm0983" and venlo.contract_value == 53_000_000


def test_generated_cases_are_deterministic_and_dutch(app):
    first = [c["title"] for c in generate_cases(50, seed=7)]
    assert first == [c["title"] for c in generate_cases(50, seed=7)]
    assert len(set(first)) == 50
    seed("small")
    assert insert_generated(300, seed=7) == 300
    db.session.commit()
    assert db.session.scalar(select(func.count(Case.id))) == 306
    assert len(services.search_ids(None, "circulaire kantoorinrichting", limit=500)) > 10
