"""Command line: `flask organisations import`, `flask users create-admin`, `flask demo seed`."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from mvi_community.accounts.models import AccountRequest, Membership, Organisation, User
from mvi_community.core.models import AuditEvent
from mvi_community.demo.organisations_data import ALL as DEMO_ORGANISATIONS
from mvi_community.demo.services import DEMO_USERS
from mvi_community.extensions import db
from tests.conftest import FreshContextClient, login
from tests.factories import commit, make_organisation, make_user

STRONG = "Sterk-wachtwoord-voor-beheer"


@pytest.fixture()
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(args=list(args), **kwargs)

    return invoke


def write(tmp_path, text: str, name: str = "organisaties.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def organisations() -> dict[str, Organisation]:
    db.session.expire_all()
    return {o.code: o for o in db.session.scalars(select(Organisation))}


# --- flask organisations import -------------------------------------------------------------

GOOD = """code,name,type,kvk,oin,province,population,website
gm0983,Gemeente Venlo,gemeente,12345678,00000001001234567000,Limburg,101800,https://www.venlo.nl
PV27,Provincie Noord-Holland,Provincie,,,noord-holland,,
ws0155,Waterschap Aa en Maas,waterschap,,,Noord-Brabant,,
gm0080,Gemeente Leeuwarden,gemeente,,,Friesland,"125.000",
"""


def test_import_creates_then_updates_by_code(cli, tmp_path):
    result = cli("organisations", "import", write(tmp_path, GOOD))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Imported organisations: 4 created, 0 updated."
    orgs = organisations()
    assert sorted(orgs) == ["gm0080", "gm0983", "pv27", "ws0155"]
    venlo = orgs["gm0983"]
    assert (venlo.name, venlo.type, venlo.kvk, venlo.oin, venlo.province, venlo.population, venlo.website) == (
        "Gemeente Venlo", "gemeente", "12345678", "00000001001234567000", "Limburg", 101800, "https://www.venlo.nl")
    assert orgs["pv27"].type == "provincie" and orgs["pv27"].province == "Noord-Holland"
    assert orgs["gm0080"].province == "Fryslân" and orgs["gm0080"].population == 125000

    second = """code,name,type,population
gm0983,Gemeente Venlo (Limburg),gemeente,102000
pv27,Provincie Noord-Holland,provincie,
gm0289,Gemeente Wageningen,gemeente,39800
"""
    result = cli("organisations", "import", write(tmp_path, second, "tweede.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Imported organisations: 1 created, 2 updated."
    orgs = organisations()
    assert len(orgs) == 5
    assert db.session.scalar(select(func.count(Organisation.id)).where(Organisation.code == "gm0983")) == 1
    venlo = orgs["gm0983"]
    assert (venlo.name, venlo.population) == ("Gemeente Venlo (Limburg)", 102000)
    # empty or absent optional cells keep what was there
    assert (venlo.kvk, venlo.province, venlo.website) == ("12345678", "Limburg", "https://www.venlo.nl")
    imports = db.session.scalars(select(AuditEvent.data).where(AuditEvent.action == "organisation.imported")).all()
    assert imports == [{"created": 4, "updated": 0}, {"created": 1, "updated": 2}]


def test_same_file_twice_gives_no_duplicates(cli, tmp_path):
    path = write(tmp_path, GOOD)
    assert cli("organisations", "import", path).exit_code == 0
    result = cli("organisations", "import", path)
    assert result.exit_code == 0
    assert result.stdout.strip() == "Imported organisations: 0 created, 4 updated."
    assert len(organisations()) == 4


BAD = """code,name,type,kvk,oin,province,population
gm0983,Venlo overschreven,gemeente,,,,
gm0001,Gemeente Goed,gemeente,,,,
gm0002,Gemeente Twee,stad,,,,
gm0003,Gemeente Drie,gemeente,1234567,,,
gm0004,Gemeente Vier,gemeente,,1234567890,,
gm0005,Gemeente Vijf,gemeente,,,Brabant,
gm0006,Gemeente Zes,gemeente,,,,-100
gm0001,Gemeente Goed Dubbel,gemeente,,,,
gm0008,,gemeente,,,,
"""


def test_bad_rows_are_all_reported_with_line_numbers_and_nothing_is_written(app, cli, tmp_path):
    make_organisation(code="gm0983", name="Gemeente Venlo")
    commit()
    before = organisations()
    audit_before = db.session.scalar(select(func.count(AuditEvent.id)))
    result = cli("organisations", "import", write(tmp_path, BAD))
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "Regel 4: type 'stad' is onbekend (kies uit rijk, provincie, gemeente, waterschap, uitvoeringsorganisatie, overig).",
        "Regel 5: KvK-nummer '1234567' heeft geen 8 cijfers.",
        "Regel 6: OIN '1234567890' heeft geen 20 cijfers.",
        "Regel 7: provincie 'Brabant' is onbekend.",
        "Regel 8: inwonertal '-100' is geen positief geheel getal.",
        "Regel 9: code gm0001 staat ook op regel 3.",
        "Regel 10: naam ontbreekt.",
        "Nothing imported: 7 problem(s).",
    ]
    after = organisations()
    assert sorted(after) == sorted(before) == ["gm0983"]
    assert after["gm0983"].name == "Gemeente Venlo"
    assert db.session.scalar(select(func.count(AuditEvent.id))) == audit_before


def test_several_problems_on_one_row_are_reported_together(cli, tmp_path):
    result = cli("organisations", "import", write(tmp_path, "code,name,type,kvk\nGM 1,,dorp,12\n"))
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith("Regel 2: code 'GM 1' is geen geldige code")
    assert "naam ontbreekt" in first and "type 'dorp' is onbekend" in first and "KvK-nummer '12'" in first
    assert organisations() == {}


def test_missing_required_column_is_reported_for_line_1(cli, tmp_path):
    result = cli("organisations", "import", write(tmp_path, "code,naam,type\ngm0983,Gemeente Venlo,gemeente\n"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Regel 1: kolom(men) ontbreken: name.",
        "Regel 1: onbekende kolom(men): naam.",
        "Nothing imported: 2 problem(s).",
    ]
    assert organisations() == {}


def test_file_that_is_not_utf8_is_refused(cli, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("code,name,type,province\nws0653,Wetterskip Fryslân,waterschap,Fryslân\n".encode("latin-1"))
    result = cli("organisations", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: the file is not UTF-8 text."
    assert organisations() == {}


def test_utf8_with_byte_order_mark_is_accepted(cli, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("code,name,type,province\nws0653,Wetterskip Fryslân,waterschap,Fryslân\n".encode("utf-8-sig"))
    result = cli("organisations", "import", str(path))
    assert result.exit_code == 0, result.output
    assert organisations()["ws0653"].name == "Wetterskip Fryslân"


def test_empty_file_is_an_error(cli, tmp_path):
    result = cli("organisations", "import", write(tmp_path, "code,name,type\n"))
    assert result.exit_code == 1
    assert "Het bestand bevat geen organisaties." in result.stderr


# --- flask users create-admin ---------------------------------------------------------------

def test_create_admin_creates_a_coordinator_who_can_sign_in(app, cli):
    result = cli("users", "create-admin", "Beheer@MVI-Community.nl", "--password", STRONG, "--name", "Secretariaat")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Coordinator beheer@mvi-community.nl is ready."
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "beheer@mvi-community.nl"))
    assert user.is_coordinator and user.active and user.name == "Secretariaat"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert event.object_id == str(user.id) and event.data == {"role": "coordinator", "value": True, "via": "cli"}
    app.test_client_class = FreshContextClient
    client = app.test_client()
    login(client, "beheer@mvi-community.nl", STRONG)
    assert client.get("/beheer/gebruikers").status_code == 200


def test_create_admin_takes_the_password_from_the_environment(cli):
    result = cli("users", "create-admin", "beheer@mvi-community.nl", env={"MVI_ADMIN_PASSWORD": STRONG})
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "beheer@mvi-community.nl"))
    assert user.name == "beheer" and user.check_password(STRONG)


def test_create_admin_promotes_an_existing_user(cli):
    tom = make_user("tom@venlo.example.nl", "Tom Hendriks", make_organisation(code="gm0983"), active=False)
    commit()
    result = cli("users", "create-admin", "TOM@venlo.example.nl", "--password", STRONG)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id))) == 1
    tom = db.session.get(User, tom.id)
    assert tom.is_coordinator and tom.active and tom.name == "Tom Hendriks" and tom.check_password(STRONG)
    assert [m.organisation.code for m in tom.memberships] == ["gm0983"]


@pytest.mark.parametrize("password", ["kort-12", "wachtwoord123", "beheer@mvi-community.nl"])
def test_create_admin_refuses_a_weak_password(cli, password):
    result = cli("users", "create-admin", "beheer@mvi-community.nl", "--password", password)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert db.session.scalar(select(func.count(User.id))) == 0


@pytest.mark.parametrize("email", ["geen-email", "@mvi-community.nl", "beheer@", "jan de vries@mvi-community.nl",
                                   "beheer@@mvi-community.nl", "beheer@localhost"])
def test_create_admin_refuses_a_malformed_email(cli, email):
    result = cli("users", "create-admin", email, "--password", STRONG)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {email!r} is not a valid e-mail address."
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_admin_without_password_and_without_a_terminal_fails(cli):
    result = cli("users", "create-admin", "beheer@mvi-community.nl", input="")
    assert result.exit_code == 2
    assert "give --password or MVI_ADMIN_PASSWORD" in result.stderr
    assert db.session.scalar(select(func.count(User.id))) == 0


# --- flask demo seed ------------------------------------------------------------------------

def table_counts() -> dict[str, int]:
    db.session.expire_all()
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Organisation, User, Membership, AccountRequest)}


def test_demo_seed_is_idempotent_and_its_users_can_sign_in(app, cli):
    first = cli("demo", "seed")
    assert first.exit_code == 0, first.output
    counts = table_counts()
    # the foundation's accounts; other domains' demo seeds add their own users on top
    assert counts["Organisation"] == len(DEMO_ORGANISATIONS) and counts["AccountRequest"] == 3
    emails = set(db.session.scalars(select(User.email)))
    assert {u[0] for u in DEMO_USERS} <= emails
    assert counts["User"] >= len(DEMO_USERS) and counts["Membership"] >= sum(1 for u in DEMO_USERS if u[2])
    assert f"Organisations: {len(DEMO_ORGANISATIONS)} created, 0 updated." in first.stdout

    second = cli("demo", "seed")
    assert second.exit_code == 0, second.output
    assert table_counts() == counts
    assert "Organisations: 0 created, 0 updated. Users created: 0. Account requests created: 0." in second.stdout

    password = re.search(r"password for all: (\S+)", second.stdout).group(1)
    assert "inkoop@venlo.example.nl" in second.stdout
    app.test_client_class = FreshContextClient
    client = app.test_client()
    login(client, "inkoop@venlo.example.nl", password)
    assert "Anouk Peeters" in client.get("/profiel").get_data(as_text=True)
    coordinator = app.test_client()
    login(coordinator, "coordinator@mvi-community.nl", password)
    queue = coordinator.get("/accountaanvragen").get_data(as_text=True)
    assert "Julia Mulder" in queue and "Ruben de Vries" in queue and "Kim Bos" in queue


def test_demo_seed_repairs_a_changed_organisation(cli):
    assert cli("demo", "seed").exit_code == 0
    venlo = db.session.scalar(select(Organisation).where(Organisation.code == "gm0983"))
    original = venlo.name
    venlo.name = "Iets anders"
    commit()
    result = cli("demo", "seed")
    assert "Organisations: 0 created, 1 updated." in result.stdout
    assert organisations()["gm0983"].name == original


def test_demo_seed_large_is_idempotent(cli):
    assert cli("demo", "seed", "--scale", "large").exit_code == 0
    counts = table_counts()
    small_users = len(DEMO_USERS)
    assert counts["User"] >= small_users + 3 * len(DEMO_ORGANISATIONS)
    members = set(db.session.scalars(select(User.email).where(User.email.like("inkoper@%"))))
    assert len(members) == len(DEMO_ORGANISATIONS)
    assert cli("demo", "seed", "--scale", "large").exit_code == 0
    assert table_counts() == counts


def test_demo_seed_if_empty_skips_a_database_with_data(cli):
    make_organisation(code="gm0983")
    commit()
    result = cli("demo", "seed-if-empty")
    assert result.exit_code == 0 and "Database already has data; demo seed skipped." in result.stdout
    assert len(organisations()) == 1
