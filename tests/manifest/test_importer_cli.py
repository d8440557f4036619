"""`flask manifest import-signatories FILE.csv`: upsert when every row is good; otherwise every
bad row on stderr with its line number, exit 1, nothing written. And the demo seed."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mvi_community.core.models import AuditEvent
from mvi_community.extensions import db
from mvi_community.manifest.models import ActionPlan, Manifest, ProgressReport, Signatory
from mvi_community.manifest.services import today
from tests.factories import commit, make_organisation
from tests.manifest.factories import make_manifest

HEADER = "manifest_code,organisation_code,signed_on,signer_name,signer_function\n"


@pytest.fixture()
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=list(args))

    return invoke


@pytest.fixture()
def setup(app):
    make_manifest()
    for code, name in (("gm0363", "Gemeente Amsterdam"), ("gm0344", "Gemeente Utrecht"), ("pv27", "Provincie Noord-Holland")):
        make_organisation(code, name)
    commit()


def write(tmp_path, text: str) -> str:
    path = tmp_path / "ondertekenaars.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def signatories() -> dict[str, Signatory]:
    db.session.expire_all()
    return {s.organisation.code: s for s in db.session.scalars(select(Signatory))}


def test_good_file_twice_is_an_upsert(cli, setup, tmp_path):
    text = HEADER + (
        "mvoi-2022,gm0363,2022-11-24,Marieke van Leeuwen,wethouder Duurzaamheid\n"
        "mvoi-2022,GM0344,2023-03-15,Jeroen Kramer,\n"
        "\n"
        "mvoi-2022,pv27,2022-11-24,Saskia Postma,gedeputeerde\n"
    )
    result = cli("manifest", "import-signatories", write(tmp_path, text))
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated" in result.output
    rows = signatories()
    assert rows["gm0344"].toetreder and rows["gm0344"].signer_function is None
    assert not rows["gm0363"].toetreder
    changed = text.replace("Jeroen Kramer", "Jeroen Kramer-de Wit")
    result = cli("manifest", "import-signatories", write(tmp_path, changed))
    assert result.exit_code == 0 and "0 created, 3 updated" in result.output
    rows = signatories()
    assert len(rows) == 3 and rows["gm0344"].signer_name == "Jeroen Kramer-de Wit"
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "manifest.signatories_imported")) == 2


def test_bad_file_reports_every_bad_row_and_writes_nothing(cli, setup, tmp_path):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    text = HEADER + (
        "mvoi-2022,gm0363,2022-11-24,Marieke van Leeuwen,wethouder\n"   # line 2: good
        "mvoi-2099,gm0344,2022-11-24,Jeroen Kramer,\n"                  # line 3: unknown manifest
        "mvoi-2022,gm9999,2022-11-24,Iemand,\n"                         # line 4: unknown organisation
        "mvoi-2022,pv27,24-11-2022,Saskia Postma,\n"                    # line 5: not an ISO date
        f"mvoi-2022,gm0344,{tomorrow},Jeroen Kramer,\n"                  # line 6: in the future
        "mvoi-2022,gm0344,2023-02-30,Jeroen Kramer,\n"                  # line 7: no such day (and duplicate)
        "mvoi-2022,gm0363,2022-11-24,,\n"                               # line 8: no name, duplicate of line 2
    )
    result = cli("manifest", "import-signatories", write(tmp_path, text))
    assert result.exit_code == 1
    errors = result.stderr if hasattr(result, "stderr") else result.output
    for line in (3, 4, 5, 6, 7, 8):
        assert f"Regel {line}:" in errors, errors
    assert "Regel 2:" not in errors
    assert "manifest 'mvoi-2099' bestaat niet" in errors
    assert "organisatie 'gm9999' bestaat niet" in errors
    assert "ligt in de toekomst" in errors and "geen datum" in errors
    assert "naam van de ondertekenaar ontbreekt" in errors and "ook op regel 2" in errors
    assert "Nothing imported: 6 problem(s)." in errors
    assert signatories() == {}


def test_missing_and_unknown_columns(cli, setup, tmp_path):
    result = cli("manifest", "import-signatories", write(tmp_path, "manifest_code,organisation_code,datum\nx,y,z\n"))
    assert result.exit_code == 1
    assert "kolom(men) ontbreken: signed_on, signer_name" in result.output
    assert "onbekende kolom(men): datum" in result.output
    result = cli("manifest", "import-signatories", write(tmp_path, HEADER))
    assert result.exit_code == 1 and "geen ondertekenaars" in result.output


def test_demo_seed_is_idempotent_and_leaves_helmond_unsigned(app):
    from mvi_community.demo.services import seed

    seed("small")
    commit()
    counts = [db.session.scalar(select(func.count(model.id))) for model in (Manifest, Signatory, ActionPlan, ProgressReport)]
    seed("small")
    commit()
    assert [db.session.scalar(select(func.count(model.id))) for model in (Manifest, Signatory, ActionPlan, ProgressReport)] == counts
    rows = signatories()
    assert len(rows) >= 30 and "gm0794" not in rows
    assert sum(1 for s in rows.values() if s.toetreder) >= 3 and any(s.withdrawn_on for s in rows.values())
    manifest = db.session.scalar(select(Manifest))
    assert manifest.code == "mvoi-2022" and manifest.ceremony_date == date(2022, 11, 24) and "lorem" not in manifest.text.lower()
    assert rows["gm0289"].action_plan.status == "draft" and rows["gm0983"].action_plan.status == "published"
