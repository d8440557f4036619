"""`flask criteria export` and `flask criteria import`: a whole version to a CSV or XLSX file and
back into the draft. Round trips, every bad row reported by line with nothing written, the refusals
(no draft, a published year), --replace, --dry-run, and formula-like cells on export."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from mvi_community.accounts.models import User
from mvi_community.core.csvrows import csv_rows
from mvi_community.core.errors import PermissionDenied, ServiceError
from mvi_community.core.models import AuditEvent
from mvi_community.core.taxonomy import ProductGroup, Theme
from mvi_community.criteria.models import CriteriaVersion, Criterion
from mvi_community.criteria.services import editing, transfer
from mvi_community.extensions import db
from tests.criteria.factories import world
from tests.factories import commit

COLUMNS = ",".join(transfer.COLUMNS)


@pytest.fixture()
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=[str(a) for a in args])

    return invoke


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture()
def draft(app):
    """The demo criteria (2025 and 2026 published) and a draft 2027, a copy of 2026."""
    world()
    version = editing.start_draft(_user("secretariaat@mvi.nl"), 2027)
    commit()
    return version


def _version(year: int) -> CriteriaVersion:
    return db.session.scalar(select(CriteriaVersion).where(CriteriaVersion.year == year))


def snapshot(year: int) -> dict[str, tuple]:
    """Every field a criterion has, by number, and the order of the numbers per product group."""
    db.session.expire_all()
    version = _version(year)
    criteria = db.session.scalars(select(Criterion).where(Criterion.version_id == version.id)
                                  .order_by(Criterion.product_group_id, Criterion.position))
    return {c.number: (c.product_group.code, c.type, c.level, tuple(sorted(t.code for t in c.themes)), c.title,
                       c.text_nl, c.text_en, c.verification_nl, c.verification_en, c.weight_percent,
                       None if c.discount_eur is None else Decimal(c.discount_eur), c.discount_basis,
                       c.eu_gpp_reference, c.change_note, c.position) for c in criteria}


def _draft_criterion(number: str) -> Criterion:
    return db.session.scalar(select(Criterion).join(Criterion.version)
                             .where(CriteriaVersion.year == 2027, Criterion.number == number))


def _audits() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "criteria.imported"))


def _errors(result) -> str:
    return result.stderr if hasattr(result, "stderr") else result.output


def _write(tmp_path, text: str, name: str = "criteria.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def _export_rows(cli, year: int = 2027) -> list[dict[str, str]]:
    result = cli("criteria", "export", "--year", year)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout, newline="")))


def _csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=transfer.COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _enrich_draft():
    """Texts that test the format: several lines (CRLF, as a browser sends them), a Markdown list,
    formula-like starts, English, a discount with cents, a change note; and a new criterion."""
    c = _draft_criterion("KMB-GC-01")
    c.text_nl = "Eerste alinea.\r\n\r\n- punt een\r\n- punt twee, met \"aanhalingstekens\"; en een puntkomma"
    c.text_en = "First paragraph.\r\n\r\n- item one"
    c.verification_nl = "=SOM(A1:A3) is geen formule"
    c.verification_en = "+31 20 123 4567"
    c.change_note = "@opmerking: weging herzien"
    c.discount_basis = None
    g = _draft_criterion("GWW-GC-01")
    g.discount_eur, g.discount_basis = Decimal("2500.50"), "per trede, ,komma"
    coordinator = _user("secretariaat@mvi.nl")
    groups = {g.code: g for g in db.session.scalars(select(ProductGroup))}
    themes = {t.code: t for t in db.session.scalars(select(Theme))}
    editing.save_criterion(coordinator, _version(2027), editing.CriterionData(
        product_group_id=groups["kantoormeubilair"].id, type="contractbepaling", level=3,
        title="-Nieuw: terugname", text_nl="Tekst", verification_nl="Rapportage",
        theme_ids=[themes["circulair"].id, themes["social-return"].id], number="KMB-CB-07"))
    commit()


# --- round trips -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_criteria(cli, draft, tmp_path, fmt):
    _enrich_draft()
    before = snapshot(2027)
    path = str(tmp_path / f"concept.{fmt}")
    result = cli("criteria", "export", "--year", 2027, "-o", path)
    assert result.exit_code == 0, result.output
    assert f"Wrote {len(before)} criteria of version 2027 (draft) to {path}." in result.output

    # Importing the file unchanged changes nothing.
    result = cli("criteria", "import", path)
    assert result.exit_code == 0, result.output
    assert f"Imported criteria into draft 2027: 0 added, 0 updated, {len(before)} unchanged, 0 removed." in result.output
    assert snapshot(2027) == before

    # Then the draft drifts: a text, a weight, the themes, a removed and an extra criterion.
    _draft_criterion("KMB-GC-01").text_nl = "Iets anders"
    _draft_criterion("AUT-GC-01").weight_percent = 40
    _draft_criterion("ICT-ME-01").themes = []
    db.session.delete(_draft_criterion("SCH-CB-01"))
    commit()
    editing.save_criterion(_user("secretariaat@mvi.nl"), _version(2027), editing.CriterionData(
        product_group_id=db.session.scalar(select(ProductGroup.id).where(ProductGroup.code == "catering")),
        type="contractbepaling", level=1, title="Extra", text_nl="Extra", verification_nl="Extra",
        theme_ids=[db.session.scalar(select(Theme.id).where(Theme.code == "klimaat"))], number="CAT-CB-09"))
    commit()
    result = cli("criteria", "import", path, "--replace")
    assert result.exit_code == 0, result.output
    assert (f"Imported criteria into draft 2027: 1 added, 3 updated, {len(before) - 4} unchanged, 1 removed."
            in result.output)
    assert "Removed: CAT-CB-09" in result.output
    after = snapshot(2027)
    assert {n: v[:-1] for n, v in after.items()} == {n: v[:-1] for n, v in before.items()}
    # The re-added criterion goes to the end of its product group; the others keep their places.
    assert after["SCH-CB-01"][-1] > max((v[-1] for n, v in after.items() if v[0] == "schoonmaak" and n != "SCH-CB-01"),
                                        default=0)
    assert all(after[n][-1] == before[n][-1] for n in before if n != "SCH-CB-01")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "criteria.imported")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.actor_id is None and event.object_type == "CriteriaVersion"
    assert event.data["added"] == ["SCH-CB-01"] and event.data["removed"] == ["CAT-CB-09"]
    assert sorted(event.data["updated"]) == ["AUT-GC-01", "ICT-ME-01", "KMB-GC-01"] and event.data["replace"]


def test_an_edited_export_of_the_published_version_updates_the_draft(cli, draft, tmp_path):
    rows = _export_rows(cli, 2026)
    published = snapshot(2026)
    assert len(rows) == len(published) and rows[0].keys() == set(transfer.COLUMNS)
    for row in rows:
        if row["number"] == "KMB-GC-01":
            row["weight_percent"] = "30"
            row["change_note"] = "Weging naar 30%."
            row["level"] = "3"
            row["themes"] = "Klimaat ; circulair"
    rows.append({**rows[0], "number": "cat-me-09", "title": "Nieuw", "level": "ambitieus"})
    result = cli("criteria", "import", _write(tmp_path, _csv(rows)))
    assert result.exit_code == 0, result.output
    assert "1 added, 1 updated" in result.output
    # Last year's change notes came along in the export: left out, as starting a draft leaves them out.
    assert "Left out the change_note of 3 criteria: it is their note in version 2026" in result.output
    after = snapshot(2027)
    assert after["KMB-GC-01"][2] == 3 and after["KMB-GC-01"][9] == 30 and after["KMB-GC-01"][13] == "Weging naar 30%."
    assert after["KMB-GC-01"][3] == ("circulair", "klimaat")
    assert after["CAT-ME-09"][2] == 3 and after["AUT-GC-01"][13] is None
    assert snapshot(2026) == published


# --- bad input -------------------------------------------------------------------------------

def test_every_bad_row_is_reported_by_line_and_nothing_changes(cli, draft, tmp_path):
    good = {row["number"]: row for row in _export_rows(cli)}
    db.session.delete(_draft_criterion("SCH-CB-01"))  # a number of another product group, not in the draft
    commit()
    before, audits = snapshot(2027), _audits()
    base = good["KMB-GC-01"]
    rows = [
        {**base, "text_nl": "Over\nmeerdere\nregels", "weight_percent": "35"},           # line 2-4: good
        {**good["ICT-ME-01"], "product_group": "ruimtevaart"},                             # 5
        {**good["AUT-ME-01"], "type": "wens", "level": "hoog"},                            # 6
        {**good["CAT-GC-01"], "themes": "klimaat;vrede;geluk"},                           # 7
        {**good["GWW-GC-01"], "number": "KMB-GC-01"},                                      # 8: duplicate of line 2
        {**base, "number": "KMB_GC_1"},                                                    # 9
        {**good["CAT-ME-01"], "text_nl": "  ", "verification_nl": ""},                    # 10
        {**base, "number": "KMB-GC-02", "weight_percent": "150", "discount_eur": "12,345"},  # 11
        {**good["KMB-ME-01"], "weight_percent": "20"},                                     # 12: not an award
        {**good["AUT-GC-01"], "weight_percent": "veel", "product_group": "gww"},           # 13
        {**base, "number": "ICT-GC-01", "title": "x" * 201, "themes": ""},                 # 14
        {**base, "number": "SCH-CB-01"},                                                   # 15: cleaning's number
    ]
    result = cli("criteria", "import", _write(tmp_path, _csv(rows)), "--replace")
    assert result.exit_code == 1
    errors = _errors(result)
    lines = {int(line.split(":")[0].split()[1]): line for line in errors.splitlines() if line.startswith("Regel ")}
    assert sorted(lines) == [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], errors
    assert "product_group: Onbekende productgroep 'ruimtevaart'." in lines[5]
    assert "type: Onbekend type 'wens'; kies uit geschiktheidseis" in lines[6]
    assert "level: Onbekend ambitieniveau 'hoog'; kies uit basis, significant, ambitieus." in lines[6]
    assert "themes: Onbekende thema's: vrede, geluk." in lines[7]
    assert "number: Dit nummer staat ook op regel 2." in lines[8]
    assert "number: Een criteriumnummer ziet eruit als KAN-GC-04." in lines[9]
    assert "text_nl: Vul de tekst van het criterium in." in lines[10]
    assert "verification_nl: Beschrijf hoe de inschrijver aantoont dat hij voldoet." in lines[10]
    assert "weight_percent: Kies een weging tussen 0 en 100 procent." in lines[11]
    assert "discount_eur: '12,345' is geen bedrag in euro's (bijvoorbeeld 150.00)." in lines[11]
    assert "weight_percent: Een weging of fictieve korting hoort alleen bij een gunningscriterium." in lines[12]
    assert "weight_percent: 'veel' is geen geheel getal." in lines[13]
    assert "product_group: Een criterium houdt zijn productgroep; voeg een nieuw criterium toe." in lines[13]
    assert "title: Hoogstens 200 tekens (nu 201)." in lines[14] and "themes: Kies minstens één thema." in lines[14]
    assert "number: Het nummer SCH-CB-01 hoort bij een andere productgroep." in lines[15]
    assert "Nothing imported: 11 problem(s)." in errors
    assert snapshot(2027) == before and _audits() == audits


def test_a_wrong_header_an_empty_file_and_a_file_that_is_no_table(cli, draft, tmp_path):
    header = COLUMNS.replace("text_en,", "").replace("change_note", "opmerking")
    result = cli("criteria", "import", _write(tmp_path, header + "\nKMB-GC-01\n"))
    assert result.exit_code == 1
    assert "Regel 1: kolom(men) ontbreken: text_en, change_note." in _errors(result)
    assert "Regel 1: onbekende kolom(men): opmerking." in _errors(result)
    result = cli("criteria", "import", _write(tmp_path, COLUMNS + "\r\n\r\n"))
    assert result.exit_code == 1 and "Het bestand bevat geen criteria." in _errors(result)
    (tmp_path / "latin1.csv").write_bytes(COLUMNS.encode() + "\nKMB-GC-01,café".encode("latin-1"))
    result = cli("criteria", "import", str(tmp_path / "latin1.csv"))
    assert result.exit_code == 1 and "Het bestand is geen CSV in UTF-8 en geen XLSX-werkboek." in _errors(result)
    (tmp_path / "kapot.xlsx").write_bytes(b"PK\x03\x04 geen zip")
    result = cli("criteria", "import", str(tmp_path / "kapot.xlsx"))
    assert result.exit_code == 1 and "Het bestand is geen leesbaar XLSX-werkboek." in _errors(result)


def test_a_semicolon_file_from_a_dutch_spreadsheet_is_read(cli, draft, tmp_path):
    rows = _export_rows(cli)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=transfer.COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({**row, "title": "Nieuwe titel"} if row["number"] == "KMB-ME-01" else row for row in rows)
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    result = cli("criteria", "import", str(path))
    assert result.exit_code == 0, result.output
    assert f"0 added, 1 updated, {len(rows) - 1} unchanged" in result.output


def test_rows_are_numbered_by_the_line_they_start_on(app):
    problems: list[str] = []
    text = 'a,b\r\n1,"twee\r\nregels"\r\n\r\n3,4,5\r\n,\r\n6,7\r\n'
    rows = csv_rows(text, ("a", "b"), (), problems)
    assert rows == [(2, {"a": "1", "b": "twee\r\nregels"}), (7, {"a": "6", "b": "7"})]
    assert problems == ["Regel 5: meer waarden dan kolommen."]


# --- refusals --------------------------------------------------------------------------------

def test_without_a_draft_the_import_is_refused(cli, app, tmp_path):
    world()
    path = tmp_path / "criteria.csv"
    assert cli("criteria", "export", "--year", 2026, "-o", path).exit_code == 0
    before = snapshot(2026)
    result = cli("criteria", "import", path)
    assert result.exit_code == 1
    assert "Er is geen conceptversie. Begin er een op de beheerpagina." in _errors(result)
    result = cli("criteria", "import", path, "--year", 2026)
    assert result.exit_code == 1
    assert "Een gepubliceerde versie verandert niet meer. Begin een nieuwe conceptversie." in _errors(result)
    assert snapshot(2026) == before and _audits() == 0


def test_a_published_or_unknown_year_is_refused(cli, draft, tmp_path):
    path = tmp_path / "criteria.xlsx"
    assert cli("criteria", "export", "--year", 2027, "-o", path).exit_code == 0
    before_2025, before_2026 = snapshot(2025), snapshot(2026)
    for year in (2025, 2026):
        result = cli("criteria", "import", path, "--year", year, "--replace")
        assert result.exit_code == 1
        assert "Een gepubliceerde versie verandert niet meer." in _errors(result)
    result = cli("criteria", "import", path, "--year", 2030)
    assert result.exit_code == 1 and "Er is geen criteriaversie 2030." in _errors(result)
    result = cli("criteria", "export", "--year", 2030)
    assert result.exit_code == 1 and "Error: Er is geen criteriaversie 2030." in _errors(result)
    assert snapshot(2025) == before_2025 and snapshot(2026) == before_2026
    result = cli("criteria", "import", path, "--year", 2027)  # the draft's own year is fine
    assert result.exit_code == 0 and "0 added, 0 updated" in result.output


def test_only_a_coordinator_or_the_command_line_imports(draft):
    for email in ("beheer@beedorp.nl", "lid@aadorp.nl"):
        with pytest.raises(PermissionDenied):
            transfer.import_criteria(_user(email), COLUMNS + "\n")
    report = transfer.import_criteria(_user("secretariaat@mvi.nl"), COLUMNS + "\n")
    assert report.problems == ["Het bestand bevat geen criteria."]


# --- --replace and --dry-run -----------------------------------------------------------------

def test_replace_removes_only_what_the_file_leaves_out(cli, draft, tmp_path):
    rows = [row for row in _export_rows(cli) if row["product_group"] == "kantoormeubilair"]
    kept = {row["number"] for row in rows}
    others = set(snapshot(2027)) - kept
    assert kept and others
    rows[0]["title"] = "Aangepast"
    path = _write(tmp_path, _csv(rows))

    result = cli("criteria", "import", path, "--dry-run", "--replace")
    assert result.exit_code == 0
    assert (f"Dry run, nothing written. Draft 2027 would get: 0 added, 1 updated, {len(kept) - 1} unchanged, "
            f"{len(others)} removed.") in result.output
    assert set(snapshot(2027)) == kept | others and _audits() == 0

    result = cli("criteria", "import", path)  # without --replace nothing is removed
    assert result.exit_code == 0 and "0 added, 1 updated" in result.output and "0 removed" in result.output
    assert set(snapshot(2027)) == kept | others

    published = snapshot(2026)
    result = cli("criteria", "import", path, "--replace")
    assert result.exit_code == 0
    assert f"0 added, 0 updated, {len(kept)} unchanged, {len(others)} removed." in result.output
    assert set(snapshot(2027)) == kept and snapshot(2026) == published


def test_a_deactivated_theme_stays_on_a_criterion_but_is_not_given_to_a_new_one(cli, draft, tmp_path):
    rows = _export_rows(cli)
    db.session.scalar(select(Theme).where(Theme.code == "keten")).active = False
    commit()
    with_keten = next(row for row in rows if "keten" in row["themes"].split(";"))
    rows.append({**with_keten, "number": with_keten["number"][:-2] + "77"})
    result = cli("criteria", "import", _write(tmp_path, _csv(rows)))
    assert result.exit_code == 1
    errors = [line for line in _errors(result).splitlines() if line.startswith("Regel ")]
    assert len(errors) == 1 and "themes: Het thema Ketenverantwoordelijkheid (ISV) is niet meer in gebruik." in errors[0]
    result = cli("criteria", "import", _write(tmp_path, _csv(rows[:-1])))
    assert result.exit_code == 0, result.output


# --- export ----------------------------------------------------------------------------------

def test_formula_like_cells_are_neutralised_on_export(cli, draft, tmp_path):
    c = _draft_criterion("KMB-ME-01")
    c.title = '=HYPERLINK("http://x","klik")'
    c.text_nl = "+1+1"
    c.verification_nl = "@SUM(A1)"
    c.eu_gpp_reference = "\t=cmd|'/c calc'!A1"
    c.text_en = "Pasted from Word\x0bwith a vertical tab"
    commit()
    row = next(r for r in _export_rows(cli) if r["number"] == "KMB-ME-01")
    assert row["title"] == "'=HYPERLINK(\"http://x\",\"klik\")"
    assert row["text_nl"] == "'+1+1" and row["verification_nl"] == "'@SUM(A1)"
    assert row["eu_gpp_reference"] == "'\t=cmd|'/c calc'!A1" and row["text_en"] == "Pasted from Wordwith a vertical tab"

    path = tmp_path / "criteria.xlsx"
    assert cli("criteria", "export", "--year", 2027, "-o", path).exit_code == 0
    sheet = load_workbook(path).active
    header = [cell.value for cell in sheet[1]]
    assert tuple(header) == transfer.COLUMNS and sheet.title == "Criteria 2027"
    cells = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "KMB-ME-01")
    by_column = dict(zip(header, cells, strict=True))
    for column in ("title", "text_nl", "verification_nl", "eu_gpp_reference"):
        assert by_column[column].value.startswith("'") and by_column[column].data_type == "s"
    assert cells[3].value == "basis"

    # The import takes the guard off again: the texts come back as they were (less the control character).
    result = cli("criteria", "import", path)
    assert result.exit_code == 0 and "0 added, 1 updated" in result.output
    c = _draft_criterion("KMB-ME-01")
    assert c.title == '=HYPERLINK("http://x","klik")' and c.text_nl == "+1+1" and c.verification_nl == "@SUM(A1)"
    assert c.text_en == "Pasted from Wordwith a vertical tab"


def test_export_formats_and_options(cli, draft, tmp_path):
    result = cli("criteria", "export", "--year", 2027, "--format", "xlsx")
    assert result.exit_code == 2 and "--format xlsx needs --output FILE." in _errors(result)
    path = tmp_path / "uit.csv"
    assert cli("criteria", "export", "--year", 2025, "-o", path).exit_code == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + COLUMNS.encode()) and b"\r\n" in data
    numbers = [row["number"] for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))]
    assert sorted(numbers) == sorted(snapshot(2025))
    path = tmp_path / "uit.dat"
    assert cli("criteria", "export", "--year", 2025, "--format", "xlsx", "-o", path).exit_code == 0
    assert load_workbook(io.BytesIO(path.read_bytes())).active.max_row == len(numbers) + 1


# --- one set of rules ------------------------------------------------------------------------

def test_the_form_and_the_import_share_the_rules_of_a_criterion(draft):
    """`check_criterion` lists every problem with its field; `save_criterion` (the form) raises the
    first, so rules the form alone checked before (texts, limits) now hold for every caller."""
    version = _version(2027)
    data = editing.CriterionData(product_group_id=0, type="wens", level=7, title=" ", text_nl="x" * 8001,
                                 verification_nl="", theme_ids=[], weight_percent=101,
                                 discount_eur=Decimal(-1), number="kmb-gc-01")
    checked = editing.check_criterion(version, data)
    assert [e.field for e in checked.problems] == [
        "type", "level", "product_group", "themes", "title", "verification_nl", "text_nl", "weight_percent",
        "discount_eur", "number"]
    assert checked.number == "KMB-GC-01" and checked.group is None
    coordinator = _user("secretariaat@mvi.nl")
    group_id = db.session.scalar(select(ProductGroup.id).where(ProductGroup.code == "catering"))
    theme_id = db.session.scalar(select(Theme.id).where(Theme.code == "klimaat"))
    with pytest.raises(ServiceError) as error:
        editing.save_criterion(coordinator, version, editing.CriterionData(
            product_group_id=group_id, type="contractbepaling", level=1, title="Titel", text_nl="Tekst",
            verification_nl="   ", theme_ids=[theme_id]))
    assert error.value.field == "verification_nl"
    saved = editing.save_criterion(coordinator, version, editing.CriterionData(
        product_group_id=group_id, type="contractbepaling", level=1, title=" Titel ", text_nl="Tekst",
        verification_nl="Bewijs", theme_ids=[theme_id, theme_id], text_en=" "))
    assert saved.number.startswith("CAT-CB-") and saved.title == "Titel" and saved.text_en is None
    assert [t.code for t in saved.themes] == ["klimaat"]
