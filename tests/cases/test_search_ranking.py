"""Ranked search (core.search `ranked_ids` / `count_matches`): exact best-first pages under the
visibility rules, a capped total shown honestly on the page and in the API, the search index
following status and visibility changes (PostgreSQL: the side table's trigger)."""
from __future__ import annotations

import pytest

from mvi_community.cases import services
from mvi_community.cases.models import Case
from mvi_community.cases.services import library
from mvi_community.core import search
from mvi_community.extensions import db
from tests.cases.conftest import new_case
from tests.cases.test_api import check, spec  # noqa: F401 - the OpenAPI fixture
from tests.factories import commit


@pytest.fixture()
def many(world):
    """Seven public cases about asphalt (the title mentions it 0–3 times: a clear ranking), two
    community-only ones and a draft that rank above all of them."""
    ids = {}
    for n in range(7):
        title = " ".join(["Asfalt"] * (n % 4) + [f"Wegonderhoud {n}"])
        ids[n] = new_case(world.bob, world.org_b, publish_by=world.coordinator, title=title,
                          summary="Hergebruik van asfalt bij wegonderhoud.").id
    for n in range(2):
        ids[f"community{n}"] = new_case(world.alice, world.org_a, publish_by=world.coordinator,
                                        title="Asfalt asfalt asfalt asfalt", summary="Asfalt.",
                                        visibility="community", community_id=world.community.id).id
    ids["draft"] = new_case(world.bob, world.org_b, title="Asfalt asfalt asfalt asfalt", summary="Asfalt.").id
    commit()
    return ids


def full_ranking(user, q: str) -> list[int]:
    """Every match ranked without any candidate shortcut (SQLite: all of FTS5's matches)."""
    parsed = search.parse_query(q)
    return library.SEARCH_INDEX.ranked_ids(parsed, library._conditions(user, services.CaseFilters()), limit=1000)


def test_pages_are_exact_under_visibility_rules(world, many, monkeypatch):
    expected = full_ranking(None, "asfalt")
    assert set(expected) == {many[n] for n in range(7)}  # not the community cases, not the draft
    # the same pages when the first ranking step sees only a few candidates (hidden cases among them)
    monkeypatch.setattr(search, "CANDIDATES", 8)
    page = services.search_cases(None, services.CaseFilters(q="asfalt"), page=1, per_page=2)
    assert [c.id for c in page.items] == expected[:2]
    page = services.search_cases(None, services.CaseFilters(q="asfalt"), page=3, per_page=2)
    assert [c.id for c in page.items] == expected[4:6]
    assert page.total == 7 and page.total_exact
    assert services.search_ids(None, "asfalt", limit=2) == expected[:2]
    # a community member also finds the community-only cases, first (they say asphalt most often)
    member_ids = services.search_ids(world.alice, "asfalt", limit=3)
    assert set(member_ids[:2]) == {many["community0"], many["community1"]}


def test_facets_of_a_search_count_what_the_user_may_see(world, many):
    facets = services.facets(None, services.CaseFilters(q="asfalt"))
    assert dict(facets.years) == {2016: 7} and dict(facets.phases)["aanbesteding"] == 7
    assert dict(facets.organisation_types)["gemeente"] == 7
    member = services.facets(world.alice, services.CaseFilters(q="asfalt", phases=["aanbesteding"], years=[2016]))
    assert dict(member.years) == {2016: 9}
    assert dict(services.facets(world.alice, services.CaseFilters(q="asfalt", organisation="gm0983")).years) == {2016: 2}
    assert services.facets(None, services.CaseFilters(q="asfalt", years=[2020])).years == []


def test_capped_total_is_shown_as_more_than(app, client, world, many, monkeypatch, spec):  # noqa: F811
    monkeypatch.setattr(library, "TOTAL_CAP", 4)
    page = services.search_cases(None, services.CaseFilters(q="asfalt"), page=1, per_page=2)
    assert page.total == 4 and not page.total_exact and page.pages == 2 and page.has_next
    assert [c.id for c in page.items] == full_ranking(None, "asfalt")[:2]
    # a page past the cap still works: the count then reaches that page
    page = services.search_cases(None, services.CaseFilters(q="asfalt"), page=4, per_page=2)
    assert len(page.items) == 1 and page.total == 7 and page.total_exact

    body = check(spec, client, "/api/v1/cases?q=asfalt&per_page=2").get_json()
    assert body["total"] == 4 and body["total_exact"] is False and len(body["items"]) == 2
    body = check(spec, client, "/api/v1/cases?q=wegonderhoud+3").get_json()
    assert body["total"] == 1 and body["total_exact"] is True
    body = check(spec, client, "/api/v1/cases").get_json()
    assert body["total"] == 7 and body["total_exact"] is True


def test_capped_total_in_the_page_footer(app, client, world, many, monkeypatch):
    monkeypatch.setattr(library, "TOTAL_CAP", 4)
    for n in range(40):
        new_case(world.bob, world.org_b, publish_by=world.coordinator, title=f"Asfalt en fietspad {n}")
    commit()
    # page 1 of 20 counts up to the end of page 2 (40): 47 matches are "more than 40"
    html = client.get("/cases/?q=asfalt").get_data(as_text=True)
    assert "Meer dan 40 resultaten voor ‘asfalt’" in html
    assert "Pagina 1, meer dan 40 resultaten" in html
    assert 'rel="next" href="/cases/?q=asfalt&amp;page=2"' in html
    html = client.get("/cases/?q=asfalt&page=3").get_data(as_text=True)
    assert "47 resultaten voor ‘asfalt’" in html and "Pagina 3 van 3, 47 resultaten" in html


@pytest.mark.parametrize("q", ['"', "*", "-", "NEAR(", "OR", "(a OR", ")))", "kantoor* -", "x" * 2000,
                               '"onafgesloten', "AND OR NOT", "-asfalt", "asfalt -", "asfalt OR", "\x00",
                               "'; DROP TABLE cases_case_search; --", "asfalt:*", "a & b | !c"])
def test_hostile_input_on_the_ranked_path_never_errors(app, client, world, many, monkeypatch, q):
    monkeypatch.setattr(library, "TOTAL_CAP", 2)
    page = services.search_cases(None, services.CaseFilters(q=q), page=2, per_page=2)
    assert page.total >= 0
    assert client.get("/cases/", query_string={"q": q}).status_code == 200
    assert client.get("/api/v1/cases", query_string={"q": q}).status_code == 200


def test_index_follows_status_and_visibility(world, many):
    case = db.session.get(Case, many[3])
    assert many[3] in services.search_ids(None, "asfalt")
    case.visibility = "community"
    case.community_id = world.community.id
    db.session.flush()
    assert many[3] not in services.search_ids(None, "asfalt")
    assert many[3] in services.search_ids(world.alice, "asfalt")
    case.visibility = "public"
    db.session.flush()
    services.search_ids(None, "asfalt")
    assert many[3] in services.search_ids(None, "asfalt")
    db.session.delete(case)
    commit()
    assert many[3] not in services.search_ids(world.alice, "asfalt", limit=50)


def test_view_counts_do_not_touch_the_index(world, many):
    """A view count update changes no searchable or copied column (PostgreSQL: the trigger is
    limited to those columns)."""
    before = services.search_ids(None, "asfalt")
    db.session.execute(db.update(Case).where(Case.id == many[0]).values(view_count=Case.view_count + 1))
    assert services.search_ids(None, "asfalt") == before
