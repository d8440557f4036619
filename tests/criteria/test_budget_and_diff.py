"""Query budget (≤ 12 per page, with 30 extra selections and feedback) and the pure diff engine."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from mvi_community.criteria import diff
from mvi_community.criteria.models import Criterion, CriterionFeedback, Selection, SelectionItem
from mvi_community.extensions import db
from tests.criteria.factories import open_window, world
from tests.factories import commit
from tests.manifest.factories import new_client

BUDGET = 12


def test_pages_stay_within_the_query_budget(app, count_queries):
    a, b = world()
    open_window()
    from mvi_community.accounts.models import User
    from mvi_community.criteria.models import CriteriaVersion

    user = db.session.scalar(select(User).where(User.email == "lid@aadorp.nl"))
    v2025 = db.session.scalar(select(CriteriaVersion).where(CriteriaVersion.year == 2025))
    criteria = list(db.session.scalars(select(Criterion).where(Criterion.version_id == v2025.id)))
    for n in range(30):
        group = criteria[n % len(criteria)]
        db.session.add(Selection(name=f"Selectie {n}", owner_id=user.id, organisation=a, version=v2025,
                                 product_group_id=group.product_group_id,
                                 items=[SelectionItem(number=c.number, title=c.title, position=i) for i, c in enumerate(criteria)
                                        if c.product_group_id == group.product_group_id]))
        db.session.add(CriterionFeedback(criterion=group, number=group.number, author_id=user.id,
                                         organisation_id=a.id, body="Een opmerking over dit criterium."))
    commit()
    first = db.session.scalar(select(Selection.id).order_by(Selection.id))
    pages = {
        "lid@aadorp.nl": ["/criteria/", "/criteria/productgroepen/kantoormeubilair?niveau=2",
                          "/criteria/criterium/KMB-GC-01", "/criteria/versies", "/criteria/versies/2026",
                          "/criteria/selecties", f"/criteria/selecties/{first}", f"/criteria/selecties/{first}/afdrukken",
                          f"/criteria/selecties/{first}.xlsx", "/criteria/inkoopplan/gm7001",
                          "/criteria/inkoopplan/gm7001/bewerken", "/criteria/inkoopplan/gm7001/afdrukken"],
        "secretariaat@mvi.nl": ["/criteria/beheer?status=alle", "/criteria/beheer/instellingen"],
        None: ["/criteria/", "/criteria/productgroepen/gww", "/api/v1/criteria/product-groups",
               "/api/v1/criteria/product-groups/kantoormeubilair?level=significant"],
    }
    measured = {}
    for who, urls in pages.items():
        client = new_client(app, who)
        for url in urls:
            with count_queries() as counter:
                response = client.get(url)
            assert response.status_code == 200, url
            assert counter.count <= BUDGET, f"{url}: {counter.count}\n" + "\n".join(counter.statements)
            measured[url] = counter.count
    print(measured)


criterion = st.fixed_dictionaries({
    "number": st.sampled_from(["A-GC-01", "A-GC-02", "A-ME-01", "B-CB-01", "B-GC-01"]),
    "title": st.sampled_from(["Hout", "Energie", "Terugname"]), "level": st.integers(1, 3),
    "text_nl": st.text(max_size=20), "weight_percent": st.none() | st.integers(0, 100),
    "themes": st.lists(st.sampled_from(["klimaat", "circulair", "milieu"]), max_size=3),
})
criteria_sets = st.lists(criterion, max_size=6, unique_by=lambda c: c["number"])


@given(criteria_sets, criteria_sets)
def test_diff_accounts_for_every_number(old, new):
    changes = diff.compare(old, new, include_unchanged=True)
    assert [c.number for c in changes] == sorted({c["number"] for c in old} | {c["number"] for c in new})
    counts = diff.summary(changes)
    assert counts["added"] + counts["changed"] + counts["unchanged"] == len(new)
    assert counts["removed"] + counts["changed"] + counts["unchanged"] == len(old)


@given(criteria_sets)
def test_a_set_compared_with_itself_has_no_changes(items):
    assert diff.compare(items, [dict(c, themes=list(reversed(c["themes"])), text_nl=f" {c['text_nl']} ")
                                for c in items]) == []


def test_changed_fields_are_named():
    old = {"number": "X-GC-01", "title": "A", "level": 1, "weight_percent": 20}
    change, = diff.compare([old], [dict(old, level=2, weight_percent=25)])
    assert change.kind == diff.CHANGED and change.fields == ("level", "weight_percent")
