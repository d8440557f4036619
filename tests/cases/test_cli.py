"""`flask cases reindex` rebuilds the full-text index."""
from __future__ import annotations

from mvi_community.cases import services
from mvi_community.extensions import db
from tests.cases.conftest import new_case
from tests.factories import commit


def test_reindex(app, world):
    new_case(world.alice, world.org_a, publish_by=world.coordinator)
    commit()
    result = app.test_cli_runner().invoke(args=["cases", "reindex"])
    assert result.exit_code == 0, result.output
    assert "cases_case" in result.output
    db.session.expire_all()
    assert len(services.search_ids(None, "kantoorinrichting")) == 1
