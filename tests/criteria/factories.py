"""Criteria test data: the demo criteria (two published versions) plus two organisations."""
from __future__ import annotations

from mvi_community.core.taxonomy import ensure_reference_data
from mvi_community.criteria import demo
from mvi_community.extensions import db
from tests.factories import commit, make_organisation, make_user


def seed_criteria():
    ensure_reference_data()
    demo.seed()
    db.session.flush()


def world():
    """Two organisations with an admin and a member each, a coordinator and the demo criteria."""
    seed_criteria()
    a = make_organisation("gm7001", "Gemeente Aadorp")
    b = make_organisation("gm7002", "Gemeente Beedorp")
    make_user("beheer@aadorp.nl", organisation=a, role="org_admin")
    make_user("lid@aadorp.nl", organisation=a, role="member")
    make_user("beheer@beedorp.nl", organisation=b, role="org_admin")
    make_user("secretariaat@mvi.nl", coordinator=True)
    commit()
    return a, b


def open_window(start="01-01", end="12-31"):
    from mvi_community.core.models import Setting

    db.session.add(Setting(domain="criteria", key="feedback_start", value=start))
    db.session.add(Setting(domain="criteria", key="feedback_end", value=end))
    commit()
