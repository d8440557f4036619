"""Dutch first, English second: the switch, the user's preference, and a complete catalog."""
from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from tests.conftest import login, post_form
from tests.factories import commit, make_user

CATALOG = Path(__file__).resolve().parents[2] / "mvi_community" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
TEMPLATE = CATALOG.parents[2] / "messages.pot"


def test_dutch_is_the_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nl"' in html and "Inloggen" in html


def test_language_switch_is_a_csrf_protected_post(client):
    assert client.post("/taal", data={"language": "en"}).status_code == 400
    response = post_form(client, "/taal", {"language": "en", "next": "/organisaties"}, page="/")
    assert response.status_code == 302 and response.headers["Location"] == "/organisaties"
    html = client.get("/organisaties").get_data(as_text=True)
    assert '<html lang="en"' in html and "Organisations" in html
    # an unknown language changes nothing
    post_form(client, "/taal", {"language": "de"}, page="/")
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


def test_switch_is_stored_on_the_user(client):
    user = make_user("eva@example.nl")
    commit()
    login(client, "eva@example.nl")
    post_form(client, "/taal", {"language": "en"}, page="/")
    from mvi_community.extensions import db

    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "en"


def test_english_catalog_is_complete_and_placeholders_match():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    with TEMPLATE.open("rb") as handle:
        template = read_po(handle)
    ids = {m.id for m in catalog if m.id}
    missing_from_catalog = [m.id for m in template if m.id and m.id not in ids]
    assert not missing_from_catalog, f"run `make extract-translations`: {missing_from_catalog[:5]}"
    untranslated = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated[:5]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:5]}"
    import re

    def names(text) -> list[str]:
        texts = text if isinstance(text, tuple) else (text,)
        return sorted(set(name for t in texts for name in re.findall(r"%\(\w+\)s", t)))

    for message in catalog:
        if message.id:
            assert names(message.id) == names(message.string), message.id


def test_template_is_up_to_date_with_the_code(tmp_path):
    """Every string in the code is in messages.pot (so the catalog test above covers it)."""
    from babel.messages.frontend import CommandLineInterface

    root = CATALOG.parents[4]
    output = tmp_path / "fresh.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(root / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
        "--no-location", "--ignore-dirs", "node_modules .* _*", "-o", str(output), str(root),
    ])
    with output.open("rb") as handle:
        fresh = {str(m.id) for m in read_po(handle) if m.id}
    with TEMPLATE.open("rb") as handle:
        known = {str(m.id) for m in read_po(handle) if m.id}
    new = sorted(fresh - known)
    assert not new, f"new strings not extracted — run `make extract-translations`: {new[:5]}"


def test_ordinals_follow_the_language(app):
    from flask_babel import force_locale

    from mvi_community.core.i18n import ordinal

    with app.test_request_context():
        with force_locale("nl"):
            assert [ordinal(n) for n in (1, 2, 12, 23.4)] == ["1e", "2e", "12e", "23e"]
        with force_locale("en"):
            assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112)] == [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th", "112th"]
