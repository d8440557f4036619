from mvi_community.core.pagination import like_pattern
from tests.conftest import login
from tests.factories import commit, make_organisation, make_user


def test_like_pattern_takes_wildcards_literally():
    assert like_pattern(" 50%_a\\b ") == "%50\\%\\_a\\\\b%"
    assert len(like_pattern("x" * 500)) == 102


def test_percent_in_search_is_not_a_wildcard(client):
    make_organisation("gm0983", "Gemeente Venlo")
    make_organisation("gm0794", "Gemeente Helmond")
    make_user("c@example.nl", coordinator=True)
    commit()
    assert "Gemeente Venlo" not in client.get("/organisaties?q=%25").get_data(as_text=True)
    assert "Gemeente Venlo" in client.get("/organisaties?q=venlo").get_data(as_text=True)
    login(client, "c@example.nl")
    assert "Geen gebruikers gevonden." in client.get("/beheer/gebruikers?q=_").get_data(as_text=True)
