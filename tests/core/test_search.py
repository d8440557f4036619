"""Dutch full-text search on the running backend (SQLite FTS5 by default; PostgreSQL with
TEST_DATABASE_URL): the same queries give the same results on both (DESIGN.md §7)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from mvi_community.cases import services
from mvi_community.cases.models import SEARCH_INDEX, Case
from mvi_community.core import search
from mvi_community.core.taxonomy import ensure_reference_data
from mvi_community.extensions import db
from tests.conftest import USING_POSTGRES
from tests.factories import commit, make_organisation, make_user

CASES = {
    "kantoren": ("Circulair inrichten van kantoren", "Het stadskantoor kreeg hergebruikt meubilair."),
    "flex": ("Amsterdam koopt 3.250 flexplekken circulair in", "Eerst hergebruiken, dan refurbishen."),
    "kleding": ("Bedrijfskleding met social return", "Werkkleding voor de buitendienst, gemaakt in een sociale werkplaats."),
    "gww": ("GWW-aanpak bij de waterschappen", "Dijkversterking met hergebruik van grond en asfalt."),
    "reunie": ("Reünie van inkopers", "Een café-avond over catering."),
    "stadhuis": ("Kantoorinrichting van het stadhuis", "Nieuwe bureaus en stoelen."),
    "afval": ("Grondverzet en inzameling van afval", "Schoonmaakdiensten en een elektrische dienstauto voor de wijk."),
}


@pytest.fixture()
def corpus(app):
    ensure_reference_data()
    organisation = make_organisation("gm0983", "Gemeente Venlo")
    user = make_user(organisation=organisation)
    coordinator = make_user(coordinator=True)
    ids = {}
    for key, (title, summary) in CASES.items():
        case = services.create_case(user, services.CaseData(title=title, summary=summary, organisation_id=organisation.id,
                                                            year=2016, phase="aanbesteding"))
        services.submit(user, case)
        services.publish(coordinator, case)
        ids[key] = case.id
    commit()
    return ids


def found(corpus, q) -> set[str]:
    names = {v: k for k, v in corpus.items()}
    return {names[i] for i in services.search_ids(None, q, limit=50)}


@pytest.mark.parametrize(("q", "expected"), [
    ("circulaire kantoorinrichting", {"kantoren"}),          # other word form + compound split in the query
    ("inrichten kantoren", {"kantoren", "stadhuis"}),         # compound split in the index
    ("kantoor", {"kantoren", "stadhuis"}),
    ("flexplek", {"flex"}),
    ("hergebruik", {"flex", "gww"}),                           # hergebruik / hergebruiken
    ('"inrichten van kantoren"', {"kantoren"}),              # a phrase with a stop word inside
    ('"kantoren inrichten"', {"stadhuis"}),                   # kantoorinrichting = kantoor + inrichting
    ('"meubilair hergebruikt"', set()),
    ("kleding", {"kleding"}),
    ("bedrijfskleding -social", set()),
    ("circulair -meubilair", {"flex"}),
    ("asfalt OR catering", {"gww", "reunie"}),
    ("(asfalt OR catering) dijk*", {"gww"}),
    ("reunie", {"reunie"}),                                   # without the diaeresis
    ("reünie", {"reunie"}),
    ("CAFÉ", {"reunie"}),
    ("refurb*", {"flex"}),
    ("gww-aanpak", {"gww"}),
    ("afvalinzameling", {"afval"}),                           # afval + inzameling, both in the text
    ("circulaire afvalinzameling", set()),
    ("afval inzamelen", {"afval"}),                            # inzamelen / inzameling: one stem
    ("schoonmaakdienst", {"afval"}),
    ("elektrische dienstauto", {"afval"}),
    ("grondverzet", {"afval"}),
    ("venlo", set(CASES)),                                    # the organisation's name is indexed
    ("-(-circulair)", {"kantoren", "flex"}),                  # a double exclusion includes
    ("venlo -(-circulair)", {"kantoren", "flex"}),
])
def test_dutch_search(corpus, q, expected):
    assert found(corpus, q) == expected


def test_only_negative_query_excludes(corpus):
    assert found(corpus, "-circulair") == set(CASES) - {"kantoren", "flex"}


@pytest.mark.parametrize("q", ["", "   ", "de het een", '"', "*", "-", "()", ")(", "NEAR", "NEAR(a b)", "OR OR",
                               "AND", '"a', "a OR", "--x", "x" * 2000, "é" * 300, "'", "\\", "%_", "\x00",
                               "kantoor NEAR/3 inrichten", "a:b", "^title", "{x}", "x -(y OR", "!!!", "<>", "-(-a", "-(-(-a))", "a -(-(b -c))",
                               " ".join(["woord"] * 500)])
def test_nasty_input_never_errors(corpus, q):
    services.search_ids(None, q)
    services.facets(None, services.CaseFilters(q=q))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list('ab c"*-()é\'\\:^') + [" OR ", " NEAR ", " AND ", "kantoor", "-"]), max_size=20))
def test_fuzzed_queries_never_error(corpus, parts):
    services.search_ids(None, "".join(parts))


def test_ranking_prefers_title(corpus):
    assert services.search_ids(None, "kantoren")[0] == corpus["kantoren"]


def test_index_follows_updates_and_deletes(corpus):
    case = db.session.get(Case, corpus["kleding"])
    case.title = "Duurzame koffieautomaten"
    services.refresh_search_text(case)
    db.session.flush()
    assert found(corpus, "koffieautomaat") == {"kleding"}
    assert found(corpus, "bedrijfskleding") == set()
    db.session.delete(case)
    commit()
    assert found(corpus, "koffieautomaat") == set()


def test_stems_match_postgresql_dutch_configuration(app):
    words = ["circulaire", "kantoren", "inrichten", "inrichting", "gemeentehuizen", "aanbesteding", "waterschappen",
             "hergebruikt", "flexplekken", "duurzaamheid", "leveranciers", "opdrachtgevers"]
    if not USING_POSTGRES:
        assert [search.stem(w) for w in words[:3]] == ["circulair", "kantor", "inricht"]
        return
    for word in words:
        lexemes = db.session.execute(text("SELECT ts_lexize('dutch_stem', :w)"), {"w": word}).scalar()
        assert lexemes == [search.stem(word)], word


def test_backend_objects_exist(app):
    search.install(db.session.connection())  # what a migration calls: idempotent on both backends
    search.install(db.session.connection())
    assert not search.include_object(None, "cases_case_search", "table", "postgresql")
    assert not search.include_object(None, "cases_case_fts_data", "table", "sqlite")
    assert search.include_object(None, "cases_case", "table", "postgresql")
    if USING_POSTGRES:
        index = db.session.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_cases_case_search_gin'")).scalar()
        assert "gin" in index.lower()
        columns = db.session.execute(text("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = 'cases_case' AND column_name = 'search_vector'")).all()
        assert columns == []  # migration 0006's column on the wide table is gone
    else:
        sql = db.session.execute(text("SELECT sql FROM sqlite_master WHERE name = 'cases_case_fts'")).scalar()
        assert "remove_diacritics 2" in sql
        connection = db.session.connection()
        search.install_sqlite_fts(connection)  # idempotent: callable from a migration
    assert SEARCH_INDEX.rebuild(db.session.connection()) == db.session.scalar(select(db.func.count(Case.id)))


def test_parser_and_compilers():
    query = search.parse_query('circulaire kantoorinrichting -"openbare ruimte" OR')
    assert search.to_fts5(query.include) == (
        '(("circulair" AND ("kantoorinricht" OR ("kantor" AND "inricht"))) NOT ("open ruimt"))')
    assert search.to_tsquery(query.include) == (
        "('circulaire' & ('kantoorinrichting' | ('kantoor' & 'inrichting')) & !('openbare' <-> 'ruimte'))")
    assert search.to_tsquery(search.parse_query('"inrichten van kantoren"').include) == "('inrichten' <2> 'kantoren')"
    assert search.parse_query("de het (").empty
    assert search.compound_parts("bedrijfskleding") == ("bedrijf", "kleding")
    assert search.compound_parts("kantoren") == ()
    for word, parts in [("kantoormeubilair", ("kantoor", "meubilair")), ("afvalinzameling", ("afval", "inzameling")),
                        ("schoonmaakdiensten", ("schoonmaak", "diensten")), ("dienstauto", ("dienst", "auto")),
                        ("grondverzet", ("grond", "verzet")), ("straatreiniging", ("straat", "reiniging")),
                        ("restaurant", ()), ("bankstel", ())]:
        assert search.compound_parts(word) == parts, word
