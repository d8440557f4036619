"""Browsing the library: Dutch search on the page, facets, sorting, pagination, query budget."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mvi_community.cases import services
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.extensions import db
from tests.cases.conftest import client_for, new_case
from tests.factories import commit, make_organisation, make_user

BUDGET = 12


def titles(html: str) -> list[str]:
    from html import unescape

    return [unescape(t) for t in re.findall(r'<a class="utrecht-link" href="/cases/\d+">([^<]+)</a>', html)]


@pytest.fixture()
def library(world):
    themes = {t.code: t.id for t in db.session.scalars(select(Theme))}
    groups = {g.code: g.id for g in db.session.scalars(select(ProductGroup))}
    new_case(world.alice, world.org_a, publish_by=world.coordinator, title="Circulair inrichten van kantoren",
             theme_ids=[themes["circulair"]], product_group_id=groups["kantoormeubilair"], year=2016)
    new_case(world.bob, world.org_b, publish_by=world.coordinator, title="Social return in de schoonmaak",
             summary="Schoonmaakdiensten met mensen met een afstand tot de arbeidsmarkt.",
             theme_ids=[themes["social-return"]], product_group_id=groups["schoonmaak"], year=2019,
             phase="contractmanagement")
    new_case(world.bob, world.org_b, publish_by=world.coordinator, title="Elektrische dienstauto's",
             summary="Een emissievrij wagenpark.", theme_ids=[themes["klimaat"]], year=2021, phase="voorbereiding")
    new_case(world.bob, world.org_b, title="Concept: circulaire kantoren in Helmond")  # draft: never listed
    commit()
    return themes


def test_dutch_search_with_another_word_form_finds_the_case(client, library):
    html = client.get("/cases/?q=circulaire+kantoorinrichting").get_data(as_text=True)
    assert titles(html) == ["Circulair inrichten van kantoren"]
    assert "1 resultaat voor" in html


def test_facets_filter_and_count(client, library):
    html = client.get("/cases/?thema=social-return").get_data(as_text=True)
    assert titles(html) == ["Social return in de schoonmaak"]
    html = client.get("/cases/?fase=voorbereiding&fase=aanbesteding").get_data(as_text=True)
    assert set(titles(html)) == {"Circulair inrichten van kantoren", "Elektrische dienstauto's"}
    html = client.get("/cases/?jaar=2021").get_data(as_text=True)
    assert titles(html) == ["Elektrische dienstauto's"]
    html = client.get("/cases/?productgroep=kantoormeubilair").get_data(as_text=True)
    assert titles(html) == ["Circulair inrichten van kantoren"]
    html = client.get("/cases/?type=waterschap").get_data(as_text=True)
    assert titles(html) == []
    facets = services.facets(None, services.CaseFilters())
    assert dict(facets.years) == {2021: 1, 2019: 1, 2016: 1}
    assert dict(facets.phases)["contractmanagement"] == 1
    assert dict(facets.organisation_types)["gemeente"] == 3


def test_sorting_and_bad_parameters(client, library):
    html = client.get("/cases/?sort=title").get_data(as_text=True)
    assert titles(html) == sorted(titles(html))
    html = client.get("/cases/?sort=year").get_data(as_text=True)
    assert titles(html)[0] == "Elektrische dienstauto's"
    for url in ("/cases/?sort=drop+table", "/cases/?jaar=twintig", "/cases/?fase=x&type=y&page=-3",
                "/cases/?community=abc", "/cases/?page=99999"):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("q", ['"', "*", "-", "NEAR(", "OR", "(a OR", ")))", "kantoor* -", "x" * 2000,
                               '"onafgesloten', "AND OR NOT", "-circulair", "'; DROP TABLE cases_case; --"])
def test_nasty_search_input_never_errors(client, library, q):
    response = client.get("/cases/", query_string={"q": q})
    assert response.status_code == 200


def test_pagination(client, world, library):
    for n in range(25):
        new_case(world.bob, world.org_b, publish_by=world.coordinator, title=f"Aanbesteding nummer {n:02d}")
    commit()
    first = client.get("/cases/?sort=title").get_data(as_text=True)
    second = client.get("/cases/?sort=title&page=2").get_data(as_text=True)
    assert len(titles(first)) == 20 and len(titles(second)) == 8
    assert "Pagina 2 van 2" in second


def test_related_cases_share_themes(client, world, library):
    related = new_case(world.bob, world.org_b, publish_by=world.coordinator, title="Tweedehands bureaustoelen",
                       theme_ids=[library["circulair"]])
    commit()
    case = services.get_case(1)
    assert [c.id for c in services.related_cases(None, case)] == [related.id]


def test_library_and_detail_pages_stay_within_the_query_budget(app, world, library, count_queries):
    users = [make_user(f"lid{n}@example.nl", organisation=make_organisation()) for n in range(5)]
    for n in range(40):
        case = new_case(world.bob, world.org_b, publish_by=world.coordinator, title=f"Circulaire pilot {n}",
                        theme_ids=list(library.values())[: 1 + n % 5], partner_ids=[world.org_a.id])
        for user in users[: n % 5]:
            services.toggle_vote(user, case)
    commit()
    client = client_for(app, "alice@venlo.example.nl")
    for url in ("/cases/", "/cases/?q=circulaire+pilot&thema=circulair", "/cases/?q=pilot+-kantoren",
                "/cases/?q=circulaire&page=3", "/cases/?q=-pilot", "/cases/?sort=useful&page=2",
                "/cases/5", "/cases/5/geschiedenis", "/cases/mijn", "/cases/vragen"):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        assert counter.count <= BUDGET, (url, counter.count, counter.statements)
    coordinator = client_for(app, "sanne@mvi-community.nl")
    with count_queries() as counter:
        assert coordinator.get("/cases/moderatie").status_code == 200
    assert counter.count <= BUDGET


@pytest.mark.parametrize("filters", [
    services.CaseFilters(),
    services.CaseFilters(q="kantoren OR schoonmaak OR dienstauto"),
    services.CaseFilters(phases=["aanbesteding", "contractmanagement"]),
    services.CaseFilters(themes=["circulair", "klimaat"]),
])
def test_facet_counts_equal_a_count_over_the_listed_cases(world, library, filters):
    """Every facet count is the number of listed cases (all pages) with that value, for an anonymous
    visitor and for a member who also sees a community-only case; a case with two themes counts
    under both."""
    new_case(world.bob, world.org_b, publish_by=world.coordinator, title="Circulaire kantoren in de community",
             visibility="community", community_id=world.community.id, theme_ids=[library["circulair"], library["klimaat"]],
             year=2016, phase="aanbesteding")
    commit()
    for user in (None, world.alice):
        listed = list(services.search_cases(user, filters, per_page=100).items)
        facets = services.facets(user, filters)
        expected_years: dict[int, int] = {}
        for case in listed:
            expected_years[case.year] = expected_years.get(case.year, 0) + 1
        assert dict(facets.years) == expected_years
        assert {p: n for p, n in facets.phases if n} == _count(c.phase for c in listed)
        assert {t.code: n for t, n in facets.themes if n} == _count(t.code for c in listed for t in c.themes)
        assert {g.code: n for g, n in facets.product_groups if n} == _count(
            c.product_group.code for c in listed if c.product_group)
        assert {t: n for t, n in facets.organisation_types if n} == _count(c.organisation.type for c in listed)


def _count(values) -> dict:
    counts: dict = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts
