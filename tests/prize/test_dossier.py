"""Eligibility settings, the chair's tie decision, attachments and case links on a nomination,
and the blind option."""
from __future__ import annotations

import io

from sqlalchemy import select

from mvi_community.cases.models import Case
from mvi_community.core.models import AuditEvent
from mvi_community.extensions import db
from mvi_community.prize.models import PrizeNomination, PrizeScore, PrizeTieDecision
from mvi_community.prize.services.results import compute
from tests.conftest import post_form
from tests.factories import commit, make_organisation, make_user
from tests.prize.factories import (
    assign,
    make_benchmark,
    make_edition,
    make_juror,
    make_nomination,
    set_phase,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def html(response) -> str:
    return response.get_data(as_text=True)


def test_settings_change_eligibility(app, client_for):
    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    make_benchmark({utrecht: 70.0})
    make_edition("nominations")
    make_user("coordinator@example.nl", coordinator=True)
    admin = make_user("inkoop@utrecht.example.nl", organisation=utrecht, role="org_admin")
    commit()
    coordinator = client_for("coordinator@example.nl")
    response = post_form(coordinator, "/prize/instellingen", {"eligible_types": ["gemeente", "provincie", "waterschap"],
                                                             "require_benchmark": "y", "require_manifest": "y"})
    assert response.status_code == 302
    client = client_for(admin.email)
    response = post_form(client, "/prize/2026/nomineren", {
        "nominator_organisation_id": utrecht.id, "nominee_id": utrecht.id, "category_code": "medeoverheden",
        "motivation": "Utrecht koopt circulair in en deelt dat met de regio."})
    assert "heeft het Manifest MVOI niet ondertekend" in html(response)
    assert client.get("/prize/instellingen").status_code == 403
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "prize.settings_changed"))


def _tied(app):
    a = make_organisation("gm0001", "Gemeente Aa")
    b = make_organisation("gm0002", "Gemeente Bee")
    make_benchmark({a: 60.0, b: 60.0})
    edition = make_edition("scoring")
    _, chair = make_juror(edition, chair=True, email="voorzitter@example.nl")
    _, other = make_juror(edition, email="lid@example.nl")
    noms = [make_nomination(edition, a, 60.0), make_nomination(edition, b, 60.0)]
    for juror in (chair, other):
        for nomination in noms:
            assign(juror, nomination).submitted_at = edition.scoring_open
            for criterion in edition.criteria:
                db.session.add(PrizeScore(juror_id=juror.id, nomination_id=nomination.id,
                                          criterion_id=criterion.id, value=7.0))
    set_phase(edition, "deliberation")
    commit()
    return edition, noms


def test_chair_records_the_order_of_a_tie(app, client_for):
    edition, noms = _tied(app)
    assert {r.rank for r in compute(edition).result.nominations.values()} == {1}  # shared
    member = client_for("lid@example.nl")
    page = html(member.get("/prize/2026/uitslag"))
    assert "Gelijk geëindigd" in page and "Volgorde vastleggen" not in page
    data = {"group": f"{noms[0].id},{noms[1].id}", f"position_{noms[0].id}": 2, f"position_{noms[1].id}": 1}
    post_form(member, "/prize/2026/gelijke-stand", data, page="/prize/2026/uitslag")
    assert db.session.scalar(select(PrizeTieDecision.id)) is None
    chair = client_for("voorzitter@example.nl")
    response = post_form(chair, "/prize/2026/gelijke-stand", {**data, f"position_{noms[1].id}": 2},
                         page="/prize/2026/uitslag")
    assert "eigen plaats" in html(chair.get(response.headers["Location"]))
    response = post_form(chair, "/prize/2026/gelijke-stand", data, page="/prize/2026/uitslag")
    assert response.status_code == 302
    db.session.expire_all()
    ranks = {n: r.rank for n, r in compute(edition).result.nominations.items()}
    assert ranks == {noms[1].id: 1, noms[0].id: 2}
    trail = compute(edition).result.nominations[noms[1].id].trail
    assert trail[0]["rule"] == "chair_decision"


def test_attachment_and_case_link_permissions(app, client_for):
    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    zwolle = make_organisation("gm0193", "Gemeente Zwolle")
    make_benchmark({utrecht: 70.0, zwolle: 50.0})
    edition = make_edition("nominations")
    admin = make_user("inkoop@utrecht.example.nl", organisation=utrecht, role="org_admin")
    make_user("inkoop@zwolle.example.nl", organisation=zwolle)
    case = Case(title="Circulair meubilair stadskantoor", summary="…", organisation_id=utrecht.id, year=2024, phase="aanbesteding")
    other_case = Case(title="Zwolse inkoop", summary="…", organisation_id=zwolle.id, year=2024, phase="aanbesteding")
    db.session.add_all([case, other_case])
    nomination = make_nomination(edition, utrecht, 70.0)
    nomination.nominator_id = admin.id
    commit()
    client = client_for(admin.email)
    url = f"/prize/2026/nominaties/{nomination.id}"
    response = post_form(client, url, {"case_ids": [other_case.id]})
    assert response.status_code == 200  # another organisation's case is not a choice
    assert db.session.scalar(select(PrizeNomination).where(PrizeNomination.id == nomination.id)).case_links == []
    response = post_form(client, url, {"case_ids": [case.id], "attachment": (io.BytesIO(PDF), "plan.pdf")},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    nomination = db.session.get(PrizeNomination, nomination.id)
    assert [link.case_id for link in nomination.case_links] == [case.id]
    attachment = nomination.attachments[0]
    download = client.get(f"{url}/bijlagen/{attachment.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()
    outsider = client_for("inkoop@zwolle.example.nl")
    assert outsider.get(f"{url}/bijlagen/{attachment.id}").status_code == 403
    assert "Circulair meubilair stadskantoor" in html(client.get(url))


def test_blind_option_hides_the_nominator_from_jurors(app, client_for):
    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    nh = make_organisation("pv27", "Provincie Noord-Holland", type="provincie")
    make_benchmark({utrecht: 70.0})
    edition = make_edition("scoring", blind=True)
    nomination = make_nomination(edition, utrecht, 70.0, nominator=nh)
    _, juror = make_juror(edition, email="jurylid@example.nl")
    assign(juror, nomination)
    commit()
    page = html(client_for("jurylid@example.nl").get(f"/prize/2026/nominaties/{nomination.id}"))
    assert "Gemeente Utrecht" in page and "Provincie Noord-Holland" not in page


def test_assigned_juror_may_see_the_nominees_private_benchmark_result(app):
    from mvi_community.benchmark.services import can_view_result

    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    zwolle = make_organisation("gm0193", "Gemeente Zwolle")
    benchmark = make_benchmark({utrecht: 70.0, zwolle: 55.0})
    edition = make_edition("scoring")
    nomination = make_nomination(edition, utrecht, 70.0)
    user, juror = make_juror(edition, email="jurylid@example.nl")
    assign(juror, nomination)
    outsider = make_user("iemand@example.nl")
    commit()
    version = benchmark.versions[0]
    assert can_view_result(user, utrecht, version, public=False)
    assert not can_view_result(user, zwolle, version, public=False)  # not a nominee assigned to them
    assert not can_view_result(outsider, utrecht, version, public=False)
