"""/beheer/themas-en-productgroepen: a coordinator edits the shared reference data (themes, product
clusters, product groups) and the change shows up where the platform uses it; bad input is a
Dutch field error and changes nothing; an organisation admin, a member and a visitor change nothing."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from mvi_community.core import taxonomy_services
from mvi_community.core.errors import PermissionDenied
from mvi_community.core.models import AuditEvent
from mvi_community.core.taxonomy import (
    ProductCluster,
    ProductGroup,
    Theme,
    active_product_groups,
    active_themes,
    ensure_reference_data,
)
from mvi_community.extensions import db
from tests.conftest import post_form
from tests.factories import commit, make_organisation, make_user
from tests.manifest.factories import new_client

PAGE = "/beheer/themas-en-productgroepen"
COORDINATOR = "sanne@mvi-community.nl"
ORG_ADMIN = "beheer@venlo.example.nl"
MEMBER = "lid@venlo.example.nl"


def theme_url(code: str) -> str:
    return f"{PAGE}/themas/{code}/bewerken"


def cluster_url(code: str) -> str:
    return f"{PAGE}/clusters/{code}/bewerken"


def group_url(code: str) -> str:
    return f"{PAGE}/productgroepen/{code}/bewerken"


@pytest.fixture()
def world(app):
    ensure_reference_data()
    venlo = make_organisation("gm0983", "Gemeente Venlo")
    make_user(ORG_ADMIN, organisation=venlo, role="org_admin")
    make_user(MEMBER, organisation=venlo, role="member")
    make_user(COORDINATOR, coordinator=True)
    commit()
    return venlo


def snapshot() -> list[tuple]:
    """Every reference row as plain values, to show that a refused change changed nothing."""
    db.session.expire_all()
    rows = [(t.code, t.name_nl, t.name_en, t.position, t.active) for t in db.session.scalars(select(Theme).order_by(Theme.id))]
    rows += [(c.code, c.name_nl, c.name_en, c.position) for c in db.session.scalars(select(ProductCluster).order_by(ProductCluster.id))]
    rows += [(g.code, g.cluster, g.name_nl, g.name_en, g.active) for g in db.session.scalars(select(ProductGroup).order_by(ProductGroup.id))]
    return rows


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("taxonomy.%"))
                                   .order_by(AuditEvent.id)))


def theme_form(theme_code: str, **changes) -> dict:
    theme = db.session.scalar(select(Theme).where(Theme.code == theme_code))
    places = [t.code for t in db.session.scalars(select(Theme).order_by(Theme.position, Theme.id))]
    data = {"name_nl": theme.name_nl, "name_en": theme.name_en, "position": str(places.index(theme_code) + 1)}
    if theme.active:
        data["active"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def group_form(code: str, **changes) -> dict:
    group = db.session.scalar(select(ProductGroup).where(ProductGroup.code == code))
    data = {"name_nl": group.name_nl, "name_en": group.name_en, "cluster": group.cluster}
    if group.active:
        data["active"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def picker_options(html: str, field: str) -> list[str]:
    """The labels of a <select>'s options."""
    select_html = re.search(rf'<select[^>]*name="{field}".*?</select>', html, re.DOTALL).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select_html)


def case_form_themes(html: str) -> list[str]:
    return re.findall(r'<input[^>]*name="themes"[^>]*>\s*<label[^>]*>([^<]*)</label>', html)


# --- the page ----------------------------------------------------------------------------------

def test_page_shows_themes_clusters_and_groups_within_budget(app, world, count_queries):
    client = new_client(app, COORDINATOR)
    hub = client.get("/beheer").get_data(as_text=True)
    assert f'href="{PAGE}">Thema\'s en productgroepen</a>' in hub
    with count_queries() as counter:
        response = client.get(PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and counter.count <= 12, counter.statements
    assert html.count('<h1 class="utrecht-heading-1">') == 1
    for name in ("Milieu en biodiversiteit", "Circulair (incl. biobased)", "Social return", "Kantoor en facilitair",
                 "Grond-, weg- en waterbouw", "Openbare verlichting", "Dienstauto&#39;s"):
        assert name in html, name
    assert "Nationaal plan MVI" in html and "toevoegen of verwijderen kan daarom niet" in html
    assert f'href="{theme_url("circulair")}"' in html and f'href="{cluster_url("gww")}"' in html
    assert f'href="{group_url("catering")}"' in html
    assert f'href="{PAGE}/clusters/nieuw"' in html and f'href="{PAGE}/productgroepen/nieuw"' in html
    # no way to add or delete a theme: the section has only the edit links, and no form
    themes_section = html.split('id="themas"')[1].split('id="clusters"')[0]
    assert "/themas/nieuw" not in html and "<form" not in themes_section and "<button" not in themes_section
    assert themes_section.count("<a ") == 6
    assert 'aria-current="page">Beheer<' in html
    # each edit form within budget too
    for url in (theme_url("klimaat"), cluster_url("ict"), group_url("catering"), f"{PAGE}/clusters/nieuw",
                f"{PAGE}/productgroepen/nieuw"):
        with count_queries() as counter:
            assert client.get(url).status_code == 200, url
        assert counter.count <= 12, (url, counter.statements)


def test_unknown_codes_are_404(app, world):
    client = new_client(app, COORDINATOR)
    for url in (theme_url("bestaat-niet"), cluster_url("bestaat-niet"), group_url("bestaat-niet")):
        assert client.get(url).status_code == 404, url


# --- themes ------------------------------------------------------------------------------------

def test_renamed_theme_appears_in_the_case_library_and_in_pickers(app, world):
    client = new_client(app, COORDINATOR)
    response = post_form(client, theme_url("klimaat"),
                         theme_form("klimaat", name_nl="Klimaat en energie", name_en="Climate and energy"))
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE + "#themas")
    assert "Het thema Klimaat en energie is opgeslagen." in client.get(PAGE).get_data(as_text=True)
    theme = db.session.scalar(select(Theme).where(Theme.code == "klimaat"))
    assert (theme.code, theme.name_nl, theme.name_en) == ("klimaat", "Klimaat en energie", "Climate and energy")
    library = new_client(app).get("/cases/").get_data(as_text=True)
    assert "Klimaat en energie" in library and ">Klimaat<" not in library
    picker = new_client(app, MEMBER).get("/cases/nieuw").get_data(as_text=True)
    assert "Klimaat en energie" in case_form_themes(picker)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "taxonomy.theme_updated"))
    assert event.object_type == "Theme" and event.object_id == str(theme.id)
    assert event.data["code"] == "klimaat"
    assert event.data["changes"] == {"name_nl": ["Klimaat", "Klimaat en energie"], "name_en": ["Climate", "Climate and energy"]}
    assert event.actor_id is not None


def test_moving_a_theme_renumbers_the_order(app, world):
    client = new_client(app, COORDINATOR)
    assert post_form(client, theme_url("social-return"), theme_form("social-return", position="1")).status_code == 302
    assert [t.code for t in active_themes()] == ["social-return", "milieu", "klimaat", "circulair", "keten", "diversiteit"]
    assert [t.position for t in db.session.scalars(select(Theme).order_by(Theme.position))] == [0, 1, 2, 3, 4, 5]
    html = client.get(PAGE).get_data(as_text=True)
    assert html.index("Social return") < html.index("Milieu en biodiversiteit")
    assert post_form(client, theme_url("social-return"), theme_form("social-return", position="6")).status_code == 302
    assert [t.code for t in active_themes()][-1] == "social-return"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "taxonomy.theme_updated")).all()
    assert [e.data["changes"] for e in events] == [{"place": [6, 1]}, {"place": [1, 6]}]


def test_deactivated_theme_leaves_the_pickers_but_stays_on_records(app, world):
    from mvi_community.accounts.models import User
    from mvi_community.cases import services as cases

    client = new_client(app, COORDINATOR)
    keten = db.session.scalar(select(Theme).where(Theme.code == "keten"))

    author = db.session.scalar(select(User).where(User.email == MEMBER))
    case = cases.create_case(author, cases.CaseData(title="Eerlijke bedrijfskleding", summary="ISV in het contract.",
                                                    organisation_id=world.id, year=2023, phase="aanbesteding",
                                                    theme_ids=[keten.id]))
    commit()
    response = post_form(client, theme_url("keten"), theme_form("keten", active=None))
    assert response.status_code == 302
    assert "Ketenverantwoordelijkheid (ISV)" not in [t.name_nl for t in active_themes()]
    writer = new_client(app, MEMBER)
    assert "Ketenverantwoordelijkheid (ISV)" not in case_form_themes(writer.get("/cases/nieuw").get_data(as_text=True))
    # the case that has it still offers it, checked, so that saving it does not drop the theme
    edit = writer.get(f"/cases/{case.id}/bewerken").get_data(as_text=True)
    assert "Ketenverantwoordelijkheid (ISV)" in case_form_themes(edit)
    assert re.search(rf'<input[^>]*checked[^>]*value="{keten.id}"|<input[^>]*value="{keten.id}"[^>]*checked', edit)
    html = client.get(PAGE).get_data(as_text=True)
    row = html.split("Ketenverantwoordelijkheid (ISV)</th>")[1].split("</tr>")[0]
    assert "Niet actief" in row


def test_the_last_active_theme_cannot_be_switched_off(app, world):
    client = new_client(app, COORDINATOR)
    for code in ("milieu", "klimaat", "circulair", "keten", "diversiteit"):
        assert post_form(client, theme_url(code), theme_form(code, active=None)).status_code == 302
    before = snapshot()
    response = post_form(client, theme_url("social-return"), theme_form("social-return", active=None))
    assert response.status_code == 200
    assert "Er moet minstens één thema actief blijven." in response.get_data(as_text=True)
    assert snapshot() == before


def test_theme_code_cannot_be_changed(app, world):
    client = new_client(app, COORDINATOR)
    response = post_form(client, theme_url("circulair"), theme_form("circulair", code="rond", name_nl="Circulair"))
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Theme).where(Theme.code == "rond")) == 0
    assert db.session.scalar(select(Theme.name_nl).where(Theme.code == "circulair")) == "Circulair"
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 6
    assert client.get(f"{PAGE}/themas/nieuw/bewerken").status_code == 404


def test_saving_without_changes_says_so_and_audits_nothing(app, world):
    client = new_client(app, COORDINATOR)
    response = post_form(client, theme_url("milieu"), theme_form("milieu"), follow_redirects=True)
    assert "Er is niets gewijzigd." in response.get_data(as_text=True)
    assert audit_actions() == []


THEME_ERRORS = [
    ({"name_nl": "   "}, "name_nl", "Vul de Nederlandse naam in."),
    ({"name_en": ""}, "name_en", "Vul de Engelse naam in."),
    ({"name_nl": "K" * 121}, "name_nl", "De naam is te lang (maximaal 120 tekens)."),
    ({"name_nl": "circulair (INCL. biobased)"}, "name_nl", "Er is al een thema met deze Nederlandse naam."),
    ({"name_en": "Climate"}, "name_en", "Er is al een thema met deze Engelse naam."),
    ({"position": "0"}, "position", "Vul een heel getal in, 1 of hoger."),
    ({"position": "7"}, "position", "Kies een plaats van 1 tot en met 6."),
    ({"position": "abc"}, "position", "Vul een heel getal in, 1 of hoger."),
    ({"position": "²"}, "position", "Vul een heel getal in, 1 of hoger."),
    ({"position": "99999999999999999999"}, "position", "Vul een heel getal in, 1 of hoger."),
    ({"position": ""}, "position", "Vul een plaats in de volgorde in."),
]


@pytest.mark.parametrize(("changes", "field", "message"), THEME_ERRORS)
def test_bad_theme_input_is_a_field_error_and_changes_nothing(app, world, changes, field, message):
    client = new_client(app, COORDINATOR)
    before = snapshot()
    response = post_form(client, theme_url("milieu"), theme_form("milieu", active=None, **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<a class="utrecht-link" href="#{field}">{message}</a>' in html.replace("&#39;", "'")
    assert f'id="{field}-error"' in html and re.search(rf'<input[^>]*aria-invalid="true"[^>]*id="{field}"', html)
    assert snapshot() == before and audit_actions() == []


# --- product clusters --------------------------------------------------------------------------

def test_coordinator_adds_and_edits_a_cluster(app, world):
    client = new_client(app, COORDINATOR)
    response = post_form(client, f"{PAGE}/clusters/nieuw",
                         {"code": " Zorg ", "name_nl": "Zorg en welzijn", "name_en": "Care and welfare"})
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE + "#clusters")
    cluster = db.session.scalar(select(ProductCluster).where(ProductCluster.code == "zorg"))
    assert (cluster.name_nl, cluster.name_en, cluster.position) == ("Zorg en welzijn", "Care and welfare", 8)
    response = post_form(client, cluster_url("zorg"), {"name_nl": "Zorg", "name_en": "Care", "position": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [c.code for c in db.session.scalars(select(ProductCluster).order_by(ProductCluster.position))][:2] == ["zorg", "kantoor"]
    assert audit_actions() == ["taxonomy.cluster_created", "taxonomy.cluster_updated"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "taxonomy.cluster_updated")).one()
    assert event.data["changes"] == {"name_nl": ["Zorg en welzijn", "Zorg"], "name_en": ["Care and welfare", "Care"],
                                     "place": [9, 1]}
    # the new cluster is a choice for product groups, and the criteria overview shows it with its group
    form = client.get(f"{PAGE}/productgroepen/nieuw").get_data(as_text=True)
    assert "Zorg" in picker_options(form, "cluster")


CLUSTER_ERRORS = [
    ({"code": "ict"}, "code", "Er is al een productcluster met deze code."),
    ({"code": "zorg en welzijn"}, "code", "Gebruik alleen kleine letters, cijfers en koppeltekens"),
    ({"code": "zorg_welzijn"}, "code", "Gebruik alleen kleine letters, cijfers en koppeltekens"),
    ({"code": "-zorg"}, "code", "Gebruik alleen kleine letters, cijfers en koppeltekens"),
    ({"code": "zorg--welzijn"}, "code", "Gebruik alleen kleine letters, cijfers en koppeltekens"),
    ({"code": "z" * 61}, "code", "De code is te lang (maximaal 60 tekens)."),
    ({"code": ""}, "code", "Vul een code in."),
    ({"name_nl": ""}, "name_nl", "Vul de Nederlandse naam in."),
    ({"name_en": "E" * 161}, "name_en", "De naam is te lang (maximaal 160 tekens)."),
    ({"name_nl": "ict"}, "name_nl", "Er is al een productcluster met deze Nederlandse naam."),
]


@pytest.mark.parametrize(("changes", "field", "message"), CLUSTER_ERRORS)
def test_bad_new_cluster_is_a_field_error_and_adds_nothing(app, world, changes, field, message):
    client = new_client(app, COORDINATOR)
    before = snapshot()
    data = {"code": "zorg", "name_nl": "Zorg", "name_en": "Care", **changes}
    response = post_form(client, f"{PAGE}/clusters/nieuw", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert f'href="#{field}"' in html
    assert snapshot() == before and audit_actions() == []


def test_bad_cluster_edit_changes_nothing(app, world):
    client = new_client(app, COORDINATOR)
    before = snapshot()
    response = post_form(client, cluster_url("ict"), {"name_nl": "Energie", "name_en": "ICT", "position": "2"})
    assert "Er is al een productcluster met deze Nederlandse naam." in response.get_data(as_text=True)
    response = post_form(client, cluster_url("ict"), {"name_nl": "ICT", "name_en": "ICT", "position": "9"})
    assert "Kies een plaats van 1 tot en met 8." in response.get_data(as_text=True)
    assert snapshot() == before and audit_actions() == []


# --- product groups ----------------------------------------------------------------------------

def test_coordinator_adds_a_product_group_and_it_appears_in_pickers(app, world):
    client = new_client(app, COORDINATOR)
    response = post_form(client, f"{PAGE}/productgroepen/nieuw",
                         {"code": "ict-software", "name_nl": "ICT-software", "name_en": "ICT software",
                          "cluster": "ict", "active": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE + "#productgroepen")
    group = db.session.scalar(select(ProductGroup).where(ProductGroup.code == "ict-software"))
    assert (group.cluster, group.name_nl, group.name_en, group.active) == ("ict", "ICT-software", "ICT software", True)
    assert "ICT-software" in picker_options(new_client(app, MEMBER).get("/cases/nieuw").get_data(as_text=True),
                                            "product_group")
    assert "ICT-software" in new_client(app).get("/criteria/").get_data(as_text=True)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "taxonomy.product_group_created")).one()
    assert event.data == {"code": "ict-software", "cluster": "ict", "name_nl": "ICT-software",
                          "name_en": "ICT software", "active": True}


def test_deactivated_product_group_leaves_the_pickers_and_cases_keep_it(app, world):
    from mvi_community.accounts.models import User
    from mvi_community.cases import services as cases

    catering = db.session.scalar(select(ProductGroup).where(ProductGroup.code == "catering"))
    author = db.session.scalar(select(User).where(User.email == MEMBER))
    case = cases.create_case(author, cases.CaseData(title="Gezonde catering", summary="Seizoensgebonden menu.",
                                                    organisation_id=world.id, year=2023, phase="aanbesteding",
                                                    product_group_id=catering.id))
    commit()
    writer = new_client(app, MEMBER)
    assert "Catering" in picker_options(writer.get("/cases/nieuw").get_data(as_text=True), "product_group")

    client = new_client(app, COORDINATOR)
    response = post_form(client, group_url("catering"), group_form("catering", active=None, cluster="kantoor"))
    assert response.status_code == 302
    assert "Catering" not in [g.name_nl for g in active_product_groups()]
    assert "Catering" not in picker_options(writer.get("/cases/nieuw").get_data(as_text=True), "product_group")
    assert "Catering" not in new_client(app).get("/criteria/").get_data(as_text=True)
    # the case that has it still offers it, selected, so that saving the case keeps it
    edit = writer.get(f"/cases/{case.id}/bewerken").get_data(as_text=True)
    assert re.search(rf'<option selected value="{catering.id}">Catering</option>', edit)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "taxonomy.product_group_updated")).one()
    assert event.data["changes"] == {"cluster": ["diensten", "kantoor"], "active": [True, False]}
    html = client.get(PAGE).get_data(as_text=True)
    assert "Niet actief" in html.split(">Catering</th>")[1].split("</tr>")[0]


def test_active_pickers_keep_what_a_record_already_has(app, world):
    catering = db.session.scalar(select(ProductGroup).where(ProductGroup.code == "catering"))
    klimaat = db.session.scalar(select(Theme).where(Theme.code == "klimaat"))
    catering.active, klimaat.active = False, False
    db.session.flush()
    assert catering not in active_product_groups() and catering in active_product_groups(keep=[catering.id, None])
    assert klimaat not in active_themes() and [t.code for t in active_themes(keep={klimaat.id})][:2] == ["milieu", "klimaat"]


GROUP_ERRORS = [
    ({"code": "catering"}, "code", "Er is al een productgroep met deze code."),
    ({"code": "ICT Software"}, "code", "Gebruik alleen kleine letters, cijfers en koppeltekens"),
    ({"code": "ict-software-"}, "code", "Gebruik alleen kleine letters, cijfers en koppeltekens"),
    ({"code": "ict/software"}, "code", "Gebruik alleen kleine letters, cijfers en koppeltekens"),
    ({"name_nl": ""}, "name_nl", "Vul de Nederlandse naam in."),
    ({"name_en": "  "}, "name_en", "Vul de Engelse naam in."),
    ({"name_nl": "S" * 161}, "name_nl", "De naam is te lang (maximaal 160 tekens)."),
    ({"name_nl": "catering"}, "name_nl", "Er is al een productgroep met deze Nederlandse naam."),
    ({"cluster": ""}, "cluster", "Kies een productcluster."),
    ({"cluster": "bestaat-niet"}, "cluster", "Kies een productcluster uit de lijst."),
]


@pytest.mark.parametrize(("changes", "field", "message"), GROUP_ERRORS)
def test_bad_new_product_group_is_a_field_error_and_adds_nothing(app, world, changes, field, message):
    client = new_client(app, COORDINATOR)
    before = snapshot()
    data = {"code": "ict-software", "name_nl": "ICT-software", "name_en": "ICT software", "cluster": "ict",
            "active": "y", **changes}
    response = post_form(client, f"{PAGE}/productgroepen/nieuw", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert f'href="#{field}"' in html
    assert snapshot() == before and audit_actions() == []


def test_bad_product_group_edit_changes_nothing(app, world):
    client = new_client(app, COORDINATOR)
    before = snapshot()
    for changes, message in (({"name_nl": "Energie"}, "Er is al een productgroep met deze Nederlandse naam."),
                             ({"name_en": "W" * 200}, "De naam is te lang (maximaal 160 tekens)."),
                             ({"cluster": "zorg"}, "Kies een productcluster uit de lijst.")):
        response = post_form(client, group_url("catering"), group_form("catering", active=None, **changes))
        assert response.status_code == 200 and message in response.get_data(as_text=True), changes
    assert snapshot() == before and audit_actions() == []


# --- who may ----------------------------------------------------------------------------------

ALL_GETS = [PAGE, theme_url("klimaat"), f"{PAGE}/clusters/nieuw", cluster_url("ict"), f"{PAGE}/productgroepen/nieuw",
            group_url("catering")]


def _posts():
    return [
        (theme_url("klimaat"), {"name_nl": "Gekaapt", "name_en": "Hijacked", "position": "1"}),
        (f"{PAGE}/clusters/nieuw", {"code": "gekaapt", "name_nl": "Gekaapt", "name_en": "Hijacked"}),
        (cluster_url("ict"), {"name_nl": "Gekaapt", "name_en": "Hijacked", "position": "1"}),
        (f"{PAGE}/productgroepen/nieuw", {"code": "gekaapt", "name_nl": "Gekaapt", "name_en": "Hijacked",
                                          "cluster": "ict", "active": "y"}),
        (group_url("catering"), {"name_nl": "Gekaapt", "name_en": "Hijacked", "cluster": "ict"}),
    ]


@pytest.mark.parametrize("email", [ORG_ADMIN, MEMBER])
def test_organisation_admin_and_member_get_403_and_change_nothing(app, world, email):
    client = new_client(app, email)
    for url in ALL_GETS:
        assert client.get(url).status_code == 403, url
    before = snapshot()
    for url, data in _posts():
        assert post_form(client, url, data, page="/").status_code == 403, url
    assert snapshot() == before and audit_actions() == []
    assert f'href="{PAGE}"' not in client.get("/beheer").get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_login_and_changes_nothing(app, world):
    client = new_client(app)
    for url in ALL_GETS:
        response = client.get(url)
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"], url
    before = snapshot()
    for url, data in _posts():
        response = post_form(client, url, data, page="/inloggen")
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"], url
    assert snapshot() == before and audit_actions() == []


def test_services_refuse_anyone_but_a_coordinator(app, world):
    from mvi_community.accounts.models import User

    admin = db.session.scalar(select(User).where(User.email == ORG_ADMIN))
    theme = db.session.scalar(select(Theme).where(Theme.code == "klimaat"))
    group = db.session.scalar(select(ProductGroup).where(ProductGroup.code == "catering"))
    calls = [
        lambda: taxonomy_services.overview(admin),
        lambda: taxonomy_services.update_theme(admin, theme, taxonomy_services.ThemeData("X", "X", True, 1)),
        lambda: taxonomy_services.create_cluster(admin, taxonomy_services.ClusterData("X", "X", code="x")),
        lambda: taxonomy_services.create_product_group(admin, taxonomy_services.ProductGroupData("X", "X", "ict", code="x")),
        lambda: taxonomy_services.update_product_group(admin, group, taxonomy_services.ProductGroupData("X", "X", "ict")),
        lambda: taxonomy_services.update_theme(None, theme, taxonomy_services.ThemeData("X", "X", True, 1)),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert theme.name_nl == "Klimaat" and group.name_nl == "Catering"


def _input(html: str, name: str, value: int) -> str | None:
    """The <input name=… value=…> tag, or None."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return tag
    return None


def test_edit_forms_elsewhere_keep_an_inactive_theme_or_group(app, world):
    """Communities and expert profiles: the new-record form offers only active rows; editing a record
    offers, checked, the inactive theme or group it already has, so saving does not drop it."""
    from mvi_community.accounts.models import User
    from mvi_community.communities.models import Community
    from tests.expertpool.factories import make_expert

    circulair = db.session.scalar(select(Theme).where(Theme.code == "circulair"))
    catering = db.session.scalar(select(ProductGroup).where(ProductGroup.code == "catering"))
    db.session.add(Community(slug="gdci", name="Green Deal Circulair Inkopen", track="verdieping",
                             membership_policy="request", themes=[circulair]))
    make_expert("Eva Expert", email="eva@expert.example.nl", themes=("circulair",), groups=("catering",))
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
    taxonomy_services.update_theme(coordinator, circulair, taxonomy_services.ThemeData(
        circulair.name_nl, circulair.name_en, active=False))
    taxonomy_services.update_product_group(coordinator, catering, taxonomy_services.ProductGroupData(
        catering.name_nl, catering.name_en, catering.cluster, active=False))
    commit()

    client = new_client(app, COORDINATOR)
    assert _input(client.get("/communities/nieuw").get_data(as_text=True), "themes", circulair.id) is None
    assert "checked" in _input(client.get("/communities/gdci/bewerken").get_data(as_text=True), "themes", circulair.id)

    applicant = new_client(app, MEMBER).get("/expertpool/aanmelden").get_data(as_text=True)
    assert _input(applicant, "themes", circulair.id) is None and _input(applicant, "product_groups", catering.id) is None
    profile = new_client(app, "eva@expert.example.nl").get("/expertpool/mijn-profiel").get_data(as_text=True)
    assert "checked" in _input(profile, "themes", circulair.id)
    assert "checked" in _input(profile, "product_groups", catering.id)
    assert [e for e in audit_actions()] == ["taxonomy.theme_updated", "taxonomy.product_group_updated"]


def test_a_code_taken_at_the_same_moment_is_a_field_error(app, world, monkeypatch):
    """Two tabs adding the same code: the database's unique constraint answers, in a savepoint, with
    the same field error, and the rest of the session is intact."""
    from mvi_community.accounts.models import User
    from mvi_community.core.errors import ServiceError

    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
    monkeypatch.setattr(taxonomy_services, "_check_code", lambda code, model, taken: code)
    with pytest.raises(ServiceError) as error:
        taxonomy_services.create_product_group(coordinator, taxonomy_services.ProductGroupData(
            "Nieuwe catering", "New catering", "diensten", code="catering"))
    assert error.value.field == "code" and str(error.value.message) == "Er is al een productgroep met deze code."
    assert db.session.scalar(select(func.count()).select_from(ProductGroup)) == 10
