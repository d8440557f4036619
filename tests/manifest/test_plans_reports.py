"""Action plans (draft → published, print view) and yearly reports (draft → submitted), their
permissions, and the on time / late / missing states derived from dates."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mvi_community.core.errors import PermissionDenied, ServiceError
from mvi_community.core.models import AuditEvent, Setting
from mvi_community.extensions import db
from mvi_community.manifest import services
from mvi_community.manifest.models import ActionPlan, ProgressReport
from tests.conftest import login, post_form
from tests.factories import commit, make_organisation, make_user
from tests.manifest.factories import (
    make_manifest,
    make_plan,
    make_report,
    make_signatory,
    new_client,
)

# themes in page order: milieu 0, klimaat 1, circulair 2, keten 3, diversiteit 4, social-return 5
PLAN_URL = "/manifest/mvoi-2022/organisaties/gm0794/actieplan"


@pytest.fixture()
def helmond(app):
    manifest = make_manifest()
    organisation = make_organisation("gm0794", "Gemeente Helmond")
    signatory = make_signatory(manifest, organisation, signed_on=date(2024, 2, 1))
    admin = make_user("inkoop@helmond.example.nl", "Bram Smits", organisation, role="org_admin")
    member = make_user("collega@helmond.example.nl", "Collega Helmond", organisation, role="member")
    other = make_organisation("gm0363", "Gemeente Amsterdam")
    make_signatory(manifest, other)
    other_admin = make_user("inkoop@amsterdam.example.nl", organisation=other, role="org_admin")
    coordinator = make_user("sanne@mvi-community.nl", coordinator=True)
    commit()
    return {"manifest": manifest, "signatory": signatory, "admin": admin, "member": member,
            "other_admin": other_admin, "coordinator": coordinator}


def _plan_form(**overrides):
    data = {"summary": "Helmond koopt circulair en sociaal in."}
    for index in range(6):
        data[f"goals-{index}-current_step"] = "0"
        data[f"goals-{index}-target_step"] = "0"
    data.update({
        "goals-2-current_step": "2", "goals-2-target_step": "4", "goals-2-ambition": "Circulair inkopen",
        "goals-2-measures": "Pilots met meubilair", "goals-2-target_description": "Aandeel circulair",
        "goals-2-target_share": "12,5", "goals-2-target_year": "2028", "goals-2-owner": "Team Inkoop",
        "goals-5-current_step": "3", "goals-5-target_step": "4",
    })
    data.update(overrides)
    return data


def test_org_admin_writes_and_publishes_the_plan(client, helmond):
    login(client, "inkoop@helmond.example.nl")
    form_page = client.get(PLAN_URL + "/bewerken").get_data(as_text=True)
    assert form_page.count("<fieldset") == 6 and "Circulair (incl. biobased)" in form_page
    response = post_form(client, PLAN_URL + "/bewerken", _plan_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    plan = db.session.scalar(select(ActionPlan))
    assert plan.status == "draft" and len(plan.goals) == 2
    circular = next(g for g in plan.goals if g.theme.code == "circulair")
    assert (circular.current_step, circular.target_step, circular.target_share, circular.target_year) == (2, 4, 12.5, 2028)
    page = client.get(PLAN_URL).get_data(as_text=True)
    assert "Dit is een concept" in page and "Actieplan publiceren" in page and "12,5 % in 2028" in page
    response = post_form(client, PLAN_URL + "/publiceren", page=PLAN_URL)
    assert response.status_code == 302
    db.session.expire_all()
    plan = db.session.scalar(select(ActionPlan))
    assert plan.status == "published" and plan.published_at is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "manifest.plan_published")) is not None
    # the published plan is public, and so is its print view (with the print stylesheet)
    anonymous = client.application.test_client()
    assert anonymous.get(PLAN_URL).status_code == 200
    printed = anonymous.get(PLAN_URL + "/afdrukken").get_data(as_text=True)
    assert "manifest-print.css" in printed and "Afgedrukt op" in printed and "<style" not in printed
    # editing the published plan keeps it published; leaving a goal out removes it
    response = post_form(client, PLAN_URL + "/bewerken", _plan_form(**{"goals-5-current_step": "0"}))
    assert response.status_code == 302
    db.session.expire_all()
    plan = db.session.scalar(select(ActionPlan))
    assert plan.status == "published" and [g.theme.code for g in plan.goals] == ["circulair"]


def test_plan_form_errors(client, helmond):
    login(client, "inkoop@helmond.example.nl")
    response = post_form(client, PLAN_URL + "/bewerken", _plan_form(**{
        "goals-2-current_step": "4", "goals-2-target_step": "2", "goals-2-target_share": "veel",
        "goals-5-current_step": "0"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#goals-2-target_step"' in html and "De doeltrede kan niet lager zijn dan de huidige trede." in html
    assert 'href="#goals-2-target_share"' in html and "Vul een getal in, bijvoorbeeld 12,5." in html
    response = post_form(client, PLAN_URL + "/bewerken", _plan_form(**{"goals-2-current_step": "0", "goals-5-current_step": "0"}))
    assert "Kies bij minstens één maatschappelijk doel de huidige trede." in response.get_data(as_text=True)
    assert db.session.scalar(select(ActionPlan)) is None


def test_publishing_an_empty_plan_is_refused(helmond):
    with pytest.raises(ServiceError):
        services.publish_plan(helmond["admin"], helmond["signatory"])


def test_draft_plan_visibility(app, helmond):
    make_plan(helmond["signatory"], status="draft")
    commit()
    clients = {}
    for key, email in (("admin", "inkoop@helmond.example.nl"), ("member", "collega@helmond.example.nl"),
                       ("other", "inkoop@amsterdam.example.nl"), ("coordinator", "sanne@mvi-community.nl")):
        clients[key] = new_client(app, email)
    clients["anonymous"] = new_client(app)
    assert clients["admin"].get(PLAN_URL).status_code == 200
    assert clients["member"].get(PLAN_URL).status_code == 200  # members read their organisation's draft
    assert clients["coordinator"].get(PLAN_URL).status_code == 200
    assert clients["other"].get(PLAN_URL).status_code == 404  # as if there were no plan
    assert clients["anonymous"].get(PLAN_URL).status_code == 404
    assert clients["other"].get(PLAN_URL + "/afdrukken").status_code == 404
    # only the org admin of Helmond edits and publishes
    assert clients["member"].get(PLAN_URL + "/bewerken").status_code == 403
    assert clients["other"].get(PLAN_URL + "/bewerken").status_code == 403
    assert clients["coordinator"].get(PLAN_URL + "/bewerken").status_code == 403
    assert post_form(clients["other"], PLAN_URL + "/bewerken", _plan_form(), page="/manifest/").status_code == 403
    assert post_form(clients["other"], PLAN_URL + "/publiceren", page="/manifest/").status_code == 403
    assert post_form(clients["member"], PLAN_URL + "/publiceren", page="/manifest/").status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(ActionPlan)).status == "draft"
    assert clients["anonymous"].get(PLAN_URL + "/bewerken").status_code == 302  # to the login page


def test_other_org_admin_cannot_see_or_change_reports(app, helmond):
    make_plan(helmond["signatory"])
    make_report(helmond["signatory"], 2024)  # a draft
    commit()
    other = new_client(app, "inkoop@amsterdam.example.nl")
    url = "/manifest/mvoi-2022/organisaties/gm0794/rapportages/2024"
    assert other.get(url).status_code == 404
    assert other.get(url + "/bewerken").status_code == 403
    assert post_form(other, url + "/bewerken", {"summary": "x", "action": "submit"}, page="/manifest/").status_code == 403
    hub = other.get("/manifest/mvoi-2022/organisaties/gm0794").get_data(as_text=True)
    assert "Jaarrapportages" not in hub
    member = new_client(app, "collega@helmond.example.nl")
    assert member.get(url).status_code == 200 and "Dit is een concept" in member.get(url).get_data(as_text=True)
    assert member.get(url + "/bewerken").status_code == 403
    with pytest.raises(PermissionDenied):
        services.save_report(helmond["other_admin"], helmond["signatory"], 2024, "x", [], submit=True)
    db.session.rollback()
    assert db.session.scalar(select(ProgressReport)).status == "draft"


def _report_form(**overrides):
    # goals in theme order: klimaat (0), circulair (1)
    data = {"summary": "Een goed jaar.", "action": "save",
            "progress-1-step_reached": "3", "progress-1-done": "Circulaire meubels ingekocht.",
            "progress-1-share_reached": "8,5", "progress-1-next_steps": "Verbreden naar ICT.",
            "progress-0-step_reached": "0", "progress-0-done": ""}
    data.update(overrides)
    return data


def test_org_admin_files_the_yearly_report(client, helmond):
    make_plan(helmond["signatory"], goals=(("circulair", 2, 4, 20.0), ("klimaat", 3, 4, None)))
    commit()
    login(client, "inkoop@helmond.example.nl")
    url = "/manifest/mvoi-2022/organisaties/gm0794/rapportages/2025/bewerken"
    page = client.get(url).get_data(as_text=True)
    assert "Jaarrapportage 2025" in page and "1 april 2026" in page
    # a draft may be incomplete
    response = post_form(client, url, _report_form())
    assert response.status_code == 302
    report = db.session.scalar(select(ProgressReport))
    assert report.status == "draft" and report.due_on == date(2026, 4, 1)
    # submitting needs every goal filled in
    response = post_form(client, url, _report_form(action="submit"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'href="#progress-0-step_reached"' in html and 'href="#progress-0-done"' in html
    response = post_form(client, url, _report_form(**{"action": "submit", "progress-0-step_reached": "4",
                                                      "progress-0-done": "CO2-eisen in GWW."}))
    assert response.status_code == 302
    db.session.expire_all()
    report = db.session.scalar(select(ProgressReport))
    assert report.status == "submitted" and report.submitted_at is not None
    circular = next(p for p in report.progress if p.theme.code == "circulair")
    assert circular.share_reached == 8.5 and circular.step_reached == 3
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "manifest.report_submitted")) is not None
    # a submitted report cannot be changed any more
    response = client.get(url)
    assert response.status_code == 302
    view = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ingediend op" in view and "8,5 %" in view
    with pytest.raises(ServiceError):
        services.save_report(helmond["admin"], helmond["signatory"], 2025, "x", [], submit=False)


def test_report_needs_a_published_plan_and_a_valid_year(client, helmond):
    login(client, "inkoop@helmond.example.nl")
    url = "/manifest/mvoi-2022/organisaties/gm0794/rapportages/2025/bewerken"
    assert "Publiceer eerst het actieplan" in client.get(url).get_data(as_text=True)
    assert client.get("/manifest/mvoi-2022/organisaties/gm0794/rapportages/2023/bewerken").status_code == 404  # before signing
    assert client.get(f"/manifest/mvoi-2022/organisaties/gm0794/rapportages/{services.today().year + 1}/bewerken").status_code == 404


# --- derived states at the boundaries ---------------------------------------------------------

def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def test_report_state_boundaries():
    due = date(2025, 4, 1)
    # submitted on the due date (Amsterdam time) is on time, the day after is late
    assert services.report_state(due, _at(due, 21, 59)) == services.ON_TIME  # 23:59 in Amsterdam (CEST)
    assert services.report_state(due, _at(due, 22, 0)) == services.LATE  # 00:00 on 2 April in Amsterdam
    assert services.report_state(due, _at(date(2025, 3, 31), 23, 0)) == services.ON_TIME
    # not submitted: open up to and including the due date, missing from the day after
    assert services.report_state(due, None, on=due) == services.OPEN
    assert services.report_state(due, None, on=date(2025, 4, 2)) == services.MISSING
    assert services.report_state(due, None, on=date(2024, 12, 31)) == services.OPEN


def test_expected_to_report_boundaries():
    due = date(2025, 4, 1)
    assert services.expected_to_report(date(2023, 12, 31), None, 2024, due)
    assert not services.expected_to_report(date(2024, 1, 1), None, 2024, due)  # the signing year is voluntary
    assert not services.expected_to_report(date(2023, 1, 1), due, 2024, due)  # withdrawn on the due date
    assert services.expected_to_report(date(2023, 1, 1), date(2025, 4, 2), 2024, due)


def test_due_date_setting(app, helmond):
    assert services.due_date(2024) == date(2025, 4, 1)
    db.session.add(Setting(domain="manifest", key="report_due", value="05-15"))
    db.session.flush()
    assert services.due_date(2024) == date(2025, 5, 15)
    services.set_report_due(helmond["coordinator"], 3, 1)
    assert services.due_date(2024) == date(2025, 3, 1)
    with pytest.raises(ServiceError):
        services.set_report_due(helmond["coordinator"], 2, 30)
    with pytest.raises(PermissionDenied):
        services.set_report_due(helmond["admin"], 3, 1)


def test_due_date_settings_page(client, helmond):
    login(client, "sanne@mvi-community.nl")
    response = post_form(client, "/manifest/instellingen", {"day": "31", "month": "2"})
    assert "Deze dag bestaat niet in die maand." in response.get_data(as_text=True)
    response = post_form(client, "/manifest/instellingen", {"day": "15", "month": "5"})
    assert response.status_code == 302
    assert services.due_date(2024) == date(2025, 5, 15)
    other = client.application.test_client()
    login(other, "inkoop@helmond.example.nl")
    assert other.get("/manifest/instellingen").status_code == 403


def test_hub_shows_states_for_each_year(client, helmond):
    signatory = helmond["signatory"]  # signed 2024-02-01
    make_plan(signatory)
    make_report(signatory, 2024, submitted_on=date(2025, 5, 2))  # late
    commit()
    login(client, "collega@helmond.example.nl")
    html = client.get("/manifest/mvoi-2022/organisaties/gm0794").get_data(as_text=True)
    assert "Te laat ingediend" in html
    rows = services.report_overview(signatory, on=date(2026, 4, 2))
    assert [(r.year, r.state) for r in rows] == [(2026, "open"), (2025, "missing"), (2024, "late")]
    # without the voluntary 2024 report, the year of signing is shown as voluntary
    db.session.delete(signatory.reports[0])
    db.session.flush()
    rows = services.report_overview(signatory, on=date(2026, 4, 2))
    assert [(r.year, r.state) for r in rows] == [(2026, "open"), (2025, "missing"), (2024, "voluntary")]


def test_coordinator_reopens_a_submitted_report(app, client, helmond):
    from mvi_community.core.models import OutboxMessage

    make_plan(helmond["signatory"], goals=(("circulair", 2, 4, 20.0),))
    make_report(helmond["signatory"], 2024, submitted_on=date(2025, 3, 20))
    commit()
    report_url = "/manifest/mvoi-2022/organisaties/gm0794/rapportages/2024"
    url = report_url + "/heropenen"
    # the organisation itself, another organisation and a member cannot reopen
    for email in ("inkoop@helmond.example.nl", "inkoop@amsterdam.example.nl", "collega@helmond.example.nl"):
        other = new_client(app, email)
        assert other.get(url).status_code in (403, 404)
        assert "Rapportage heropenen" not in other.get(report_url).get_data(as_text=True)
        assert post_form(other, url, {"reason": "Cijfers kloppen niet"}, page="/manifest/").status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        services.reopen_report(helmond["admin"], helmond["signatory"], 2024, "Cijfers kloppen niet")
    db.session.rollback()
    assert db.session.scalar(select(ProgressReport)).status == "submitted"

    login(client, "sanne@mvi-community.nl")
    assert "Rapportage heropenen" in client.get(report_url).get_data(as_text=True)
    # a reason is required; nothing changes without one
    response = post_form(client, url, {"reason": " "})
    assert response.status_code == 200 and "Geef een reden op." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(ProgressReport)).status == "submitted"

    response = post_form(client, url, {"reason": "Het aandeel circulair is dubbel geteld."})
    assert response.status_code == 302 and response.headers["Location"].endswith(report_url)
    db.session.expire_all()
    report = db.session.scalar(select(ProgressReport))
    assert report.status == "draft" and report.submitted_at is None and report.submitted_by_id is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "manifest.report_reopened"))
    assert event is not None and "dubbel geteld" in str(event.data)
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == "inkoop@helmond.example.nl")).all()
    assert len(mail) == 1 and "dubbel geteld" in mail[0].body and "/rapportages/2024/bewerken" in mail[0].body
    # a draft cannot be reopened again; the org admin can edit and resubmit
    assert client.get(url).status_code == 403
    admin = new_client(app, "inkoop@helmond.example.nl")
    assert admin.get(report_url + "/bewerken").status_code == 200
