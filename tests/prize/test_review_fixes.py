"""Regression tests for the prize review: draft cases through nominations, juror account
linking, conflicts after scoring closed, the edit form after closing scoring, draft scores in
results, anonymous juror letters, result e-mails, and 500s on odd input."""
from __future__ import annotations

from sqlalchemy import select

from mvi_community.cases.models import Case
from mvi_community.extensions import db
from mvi_community.prize.models import PrizeNomination
from mvi_community.prize.services.nominations import linked_cases
from tests.conftest import post_form
from tests.factories import commit, make_organisation, make_user
from tests.prize.factories import assign, make_benchmark, make_edition, make_juror, make_nomination


def html(response) -> str:
    return response.get_data(as_text=True)


def _waterboard_with_cases():
    province = make_organisation("pv26", "Provincie Utrecht", type="provincie")
    waterboard = make_organisation("ws0155", "Hoogheemraadschap De Stichtse Rijnlanden", type="waterschap")
    make_benchmark({waterboard: 64.0, province: 58.0})
    edition = make_edition("nominations")
    draft = Case(title="Geheim concept baggerwerk", summary="…", organisation_id=waterboard.id, year=2025,
                 phase="aanbesteding")
    public = Case(title="Circulaire dijkversterking", summary="…", organisation_id=waterboard.id, year=2024,
                  phase="aanbesteding", status="published")
    db.session.add_all([draft, public])
    member = make_user("inkoop@provincie-utrecht.example.nl", organisation=province)
    make_user("inkoop@hdsr.example.nl", organisation=waterboard)
    commit()
    return edition, province, waterboard, draft, public, member


def test_another_organisations_draft_case_is_neither_offered_nor_linked_nor_shown(app, client_for):
    _edition, province, waterboard, draft, public, member = _waterboard_with_cases()
    client = client_for(member.email)
    response = post_form(client, "/prize/2026/nomineren", {
        "nominator_organisation_id": province.id, "nominee_id": waterboard.id, "category_code": "medeoverheden",
        "motivation": "Het waterschap versterkt dijken met hergebruikte materialen."})
    assert response.status_code == 302, html(response)
    nomination = db.session.scalar(select(PrizeNomination))
    url = f"/prize/2026/nominaties/{nomination.id}"
    page = html(client.get(url))
    assert "Circulaire dijkversterking" in page  # a published public case may be linked
    assert "Geheim concept baggerwerk" not in page  # another organisation's draft is not offered
    response = post_form(client, url, {"case_ids": [draft.id]})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(PrizeNomination, nomination.id).case_links == []
    response = post_form(client, url, {"case_ids": [public.id]})
    assert response.status_code == 302
    # a draft linked earlier (by a member of the nominee) stays hidden from everyone else
    from mvi_community.prize.models import PrizeCaseLink

    db.session.add(PrizeCaseLink(nomination_id=nomination.id, case_id=draft.id))
    commit()
    page = html(client.get(url))
    assert "Circulaire dijkversterking" in page and "Geheim concept baggerwerk" not in page
    nominee_member = db.session.scalar(select(type(member)).where(type(member).email == "inkoop@hdsr.example.nl"))
    db.session.expire_all()
    nomination = db.session.get(PrizeNomination, nomination.id)
    assert {c.title for c in linked_cases(nominee_member, nomination)} == {
        "Circulaire dijkversterking", "Geheim concept baggerwerk"}
    assert {c.title for c in linked_cases(member, nomination)} == {"Circulaire dijkversterking"}


def test_a_member_of_the_nominee_may_link_its_own_draft(app):
    from mvi_community.prize.services.nominations import link_cases

    edition, _province, waterboard, draft, _public, _member = _waterboard_with_cases()
    own = make_user("beleid@hdsr.example.nl", organisation=waterboard)
    nomination = make_nomination(edition, waterboard, 64.0)
    nomination.nominator_id = own.id
    link_cases(own, nomination, [draft.id])
    assert [link.case_id for link in nomination.case_links] == [draft.id]


def test_an_invited_juror_is_linked_on_first_visit_with_automatic_conflicts(app, client_for):
    from mvi_community.benchmark.services import can_view_result
    from mvi_community.prize.models import AUTO, PrizeConflict, PrizeJuror
    from mvi_community.prize.services.jury import conflicts, invite_juror

    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    zwolle = make_organisation("gm0193", "Gemeente Zwolle")
    benchmark = make_benchmark({utrecht: 70.0, zwolle: 55.0})
    edition = make_edition("review")
    own = make_nomination(edition, utrecht, 70.0)
    other = make_nomination(edition, zwolle, 55.0)
    coordinator = make_user("coordinator@example.nl", coordinator=True)
    with app.test_request_context():
        juror = invite_juror(coordinator, edition, "Jurylid@Example.nl", "Jet Jurylid", None)
    assert juror.user_id is None
    commit()
    # the account is made after the invitation, for a member of one of the nominees
    user = make_user("jurylid@example.nl", organisation=utrecht)
    commit()
    assert conflicts(edition).get((juror.id, own.id)) is None  # not known before linking
    client_for("jurylid@example.nl").get("/prize/2026/jury")
    db.session.expire_all()
    juror = db.session.get(PrizeJuror, juror.id)
    assert juror.user_id == user.id
    assert conflicts(edition)[(juror.id, own.id)].kind == AUTO
    assert db.session.scalar(select(PrizeConflict.kind).where(PrizeConflict.juror_id == juror.id)) == AUTO
    assign(juror, other)
    commit()
    assert can_view_result(user, zwolle, benchmark.versions[0], public=False)
    # once linked the seat follows the account, not the address
    user.email = "nieuw-adres@example.nl"
    newcomer = make_user("jurylid@example.nl")
    commit()
    from mvi_community.prize.services.common import juror_of

    assert juror_of(newcomer, edition) is None
    assert juror_of(user, edition).id == juror.id


def test_the_benchmark_hook_links_an_unlinked_invitation(app):
    from mvi_community.benchmark.services import can_view_result
    from mvi_community.prize.models import PrizeAssignment, PrizeJuror

    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    benchmark = make_benchmark({utrecht: 70.0})
    edition = make_edition("scoring")
    nomination = make_nomination(edition, utrecht, 70.0)
    juror = PrizeJuror(edition=edition, email="later@example.nl", name="Later")
    db.session.add(juror)
    db.session.flush()
    db.session.add(PrizeAssignment(juror_id=juror.id, nomination_id=nomination.id))
    user = make_user("later@example.nl")
    commit()
    assert can_view_result(user, utrecht, benchmark.versions[0], public=False)


def test_no_conflict_declaration_after_scoring_closed_and_submitted_scores_stay(app, client_for):
    from mvi_community.db import utcnow
    from mvi_community.prize.models import PrizeConflict, PrizeScore
    from tests.prize.factories import set_phase

    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    make_benchmark({utrecht: 70.0})
    edition = make_edition("scoring")
    nomination = make_nomination(edition, utrecht, 70.0)
    _, juror = make_juror(edition, email="jurylid@example.nl")
    assignment = assign(juror, nomination)
    for criterion in edition.criteria:
        db.session.add(PrizeScore(juror_id=juror.id, nomination_id=nomination.id, criterion_id=criterion.id,
                                  value=8.0))
    assignment.submitted_at = utcnow()
    set_phase(edition, "deliberation")
    commit()
    client = client_for("jurylid@example.nl")
    url = f"/prize/2026/nominaties/{nomination.id}/belangenconflict"
    response = post_form(client, url, {"reason": "Mijn zus werkt bij de gemeente."})
    assert response.status_code == 200 and "De jurering is gesloten" in html(response)
    assert db.session.scalar(select(PrizeConflict.id)) is None
    assert len(db.session.scalars(select(PrizeScore.id)).all()) == len(edition.criteria)


def test_saving_the_edition_form_after_closing_scoring_keeps_it_closed(app, client_for):
    from datetime import timedelta

    from mvi_community.prize.models import DATE_FIELDS, PrizeEdition
    from mvi_community.prize.services.common import local

    edition = make_edition("scoring")
    make_user("coordinator@example.nl", coordinator=True)
    commit()
    coordinator = client_for("coordinator@example.nl")
    assert post_form(coordinator, "/prize/2026/jurering-sluiten", page="/prize/2026").status_code == 302
    db.session.expire_all()
    edition = db.session.get(PrizeEdition, edition.id)
    closed_at = edition.scoring_close
    assert edition.phase == "deliberation"
    data = {"title": "MVI-prijs 2026", "description": "", "benchmark_year": 2025, "benchmark_weight": "0.3",
            "jurors_per_nomination": 3, "normalise": "y", "hide_scores_until_submitted": "y"}
    for name in DATE_FIELDS:
        moment = local(getattr(edition, name))
        if name in ("nominations_close", "scoring_close"):
            moment -= timedelta(seconds=1)
        data[name] = moment.date().isoformat()
    assert f'value="{data["scoring_close"]}"' in html(coordinator.get("/prize/2026/bewerken"))
    response = post_form(coordinator, "/prize/2026/bewerken", data)
    assert response.status_code == 302, html(response)
    db.session.expire_all()
    edition = db.session.get(PrizeEdition, edition.id)
    assert edition.scoring_close == closed_at
    assert edition.phase == "deliberation"


def test_draft_scores_do_not_count_in_the_results_but_imported_scores_do(app):
    from mvi_community.db import utcnow
    from mvi_community.prize.models import PrizeAssignment, PrizeScore
    from mvi_community.prize.services.results import compute
    from mvi_community.prize.services.scores import import_scores

    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    make_benchmark({utrecht: 70.0})
    edition = make_edition("scoring")
    nomination = make_nomination(edition, utrecht, 70.0)
    _, done = make_juror(edition, email="klaar@example.nl")
    _, busy = make_juror(edition, email="bezig@example.nl")
    _, paper = make_juror(edition, email="papier@example.nl")
    assign(done, nomination).submitted_at = utcnow()
    assign(busy, nomination)  # a draft, never submitted
    for juror, value in ((done, 8.0), (busy, 2.0)):
        for criterion in edition.criteria:
            db.session.add(PrizeScore(juror_id=juror.id, nomination_id=nomination.id, criterion_id=criterion.id,
                                      value=value))
    commit()
    result = compute(edition).result.nominations[nomination.id]
    assert result.jurors == 1 and result.raw_mean == 8.0
    text = "juror_email,organisation_code,criterion_code,score\n" + "".join(
        f"papier@example.nl,gm0344,{c.code},6\n" for c in edition.criteria)
    report = import_scores(edition, text)
    assert not report.problems and report.created == len(edition.criteria)
    commit()
    assert db.session.scalar(select(PrizeAssignment.submitted_at).where(PrizeAssignment.juror_id == paper.id))
    result = compute(edition).result.nominations[nomination.id]
    assert result.jurors == 2 and result.raw_mean == 7.0


def test_juror_letters_do_not_follow_the_jurors_names(app):
    from mvi_community.prize.models import PrizeJuror
    from mvi_community.prize.services.results import _letter_key, compute, juror_letters

    edition = make_edition("scoring")
    # names in alphabetical order; ids in the same order
    jurors = []
    for n in range(8):
        juror = PrizeJuror(edition=edition, email=f"j{n}@example.nl", name=f"Jurylid {chr(65 + n)}")
        db.session.add(juror)
        db.session.flush()
        jurors.append(juror)
    commit()
    letters = juror_letters(compute(edition))
    assert letters == juror_letters(compute(edition))  # deterministic
    by_name = [letters[j.id] for j in sorted(jurors, key=lambda j: j.name)]
    assert by_name != sorted(by_name)  # not alphabetical by name
    expected = sorted(jurors, key=lambda j: _letter_key(edition.id, j.id))
    assert [letters[j.id] for j in expected] == list("ABCDEFGH")
    # renaming a juror does not move their letter
    jurors[0].name = "Zwaantje Zwart"
    commit()
    assert juror_letters(compute(edition)) == letters


def test_results_mail_reaches_nominators_and_supporters(app):
    from mvi_community.core.models import OutboxMessage
    from mvi_community.prize.models import PrizeSupporter
    from mvi_community.prize.tasks import send_phase_mails

    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    province = make_organisation("pv26", "Provincie Utrecht", type="provincie")
    zwolle = make_organisation("gm0193", "Gemeente Zwolle")
    make_benchmark({utrecht: 70.0})
    edition = make_edition("deliberation")
    make_user("admin@utrecht.example.nl", organisation=utrecht, role="org_admin")
    nominator = make_user("nominator@provincie.example.nl", organisation=province)
    supporter = make_user("steun@zwolle.example.nl", organisation=zwolle)
    make_user("admin@zwolle.example.nl", organisation=zwolle, role="org_admin")
    nomination = make_nomination(edition, utrecht, 70.0, nominator=province)
    nomination.nominator_id = nominator.id
    nomination.supporters.append(PrizeSupporter(organisation=zwolle, user=supporter, motivation="Steun."))
    from mvi_community.db import utcnow

    edition.published_at = utcnow()
    commit()
    send_phase_mails()
    recipients = set(db.session.scalars(select(OutboxMessage.to)))
    assert {"admin@utrecht.example.nl", "nominator@provincie.example.nl", "steun@zwolle.example.nl",
            "admin@zwolle.example.nl"} <= recipients


def test_odd_numbers_in_forms_are_no_500(app, client_for):
    from mvi_community.prize.models import PrizeScore, PrizeTieDecision
    from tests.prize.factories import set_phase

    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    make_benchmark({utrecht: 70.0})
    edition = make_edition("scoring")
    nomination = make_nomination(edition, utrecht, 70.0)
    _, juror = make_juror(edition, email="jurylid@example.nl", chair=True)
    assign(juror, nomination)
    make_user("coordinator@example.nl", coordinator=True)
    commit()
    client = client_for("jurylid@example.nl")
    url = f"/prize/2026/nominaties/{nomination.id}/scoren"
    data = {f"score_{c.id}": "7" for c in edition.criteria}
    data |= {f"version_{c.id}": "²" for c in edition.criteria}
    response = post_form(client, url, data)
    assert response.status_code in (200, 302)
    assert len(db.session.scalars(select(PrizeScore.id)).all()) == len(edition.criteria)
    set_phase(edition, "deliberation")
    commit()
    response = post_form(client, "/prize/2026/gelijke-stand", {"group": "²,99999999999999999999", "position_²": "1"},
                         page="/prize/2026/uitslag")
    assert response.status_code == 302
    assert db.session.scalar(select(PrizeTieDecision.id)) is None
    coordinator = client_for("coordinator@example.nl")
    form = {"title": "MVI-prijs 2026", "description": "", "benchmark_year": 99999999999, "benchmark_weight": "0.3",
            "jurors_per_nomination": 3}
    response = post_form(coordinator, "/prize/2026/bewerken", form)
    assert response.status_code == 200 and "Vul een jaar tussen 2000 en 2100 in." in html(response)


def test_import_edition_with_a_year_out_of_range_lists_the_problem(app):
    import json

    from mvi_community.prize.services.editions import import_edition

    for year in (1800, 10**30, 2101):
        report = import_edition(json.dumps({"year": year, "benchmark_edition": 10**30, "title": "Oud"}))
        assert any("een jaar tussen 1990 en 2100" in str(p) for p in report.problems), report.problems
        assert not report.created


def test_a_simultaneous_nomination_of_the_same_nominee_is_merged(app, monkeypatch):
    from mvi_community.prize.models import PrizeSupporter
    from mvi_community.prize.services import nominations as service

    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    province = make_organisation("pv26", "Provincie Utrecht", type="provincie")
    make_benchmark({utrecht: 70.0})
    edition = make_edition("nominations")
    first = make_nomination(edition, utrecht, 70.0)
    actor = make_user("inkoop@provincie.example.nl", organisation=province)
    commit()
    # the other request committed its nomination after this one looked: the lookup saw none
    real = service._existing_nomination
    calls = []

    def racing(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(service, "_existing_nomination", racing)
    data = service.NominationData(nominee_id=utrecht.id, nominator_organisation_id=province.id,
                                  category_code=edition.categories[0].code,
                                  motivation="Utrecht koopt circulair in en deelt dat met de regio.")
    nomination, merged = service.nominate(actor, edition, data)
    commit()
    assert merged and nomination.id == first.id
    assert db.session.scalar(select(PrizeSupporter.organisation_id)) == province.id
    assert len(db.session.scalars(select(PrizeNomination.id)).all()) == 1


def test_published_dossier_shows_no_attachment_links_to_outsiders(app, client_for):
    from mvi_community.db import utcnow
    from mvi_community.prize.models import PrizeAttachment

    utrecht = make_organisation("gm0344", "Gemeente Utrecht")
    zwolle = make_organisation("gm0193", "Gemeente Zwolle")
    make_benchmark({utrecht: 70.0})
    edition = make_edition("deliberation")
    nomination = make_nomination(edition, utrecht, 70.0)
    nomination.attachments.append(PrizeAttachment(stored_name="a" * 32, filename="begroting-intern.pdf",
                                                  content_type="application/pdf", size=10))
    make_user("inkoop@utrecht.example.nl", organisation=utrecht)
    make_user("inkoop@zwolle.example.nl", organisation=zwolle)
    edition.published_at = utcnow()
    commit()
    url = f"/prize/2026/nominaties/{nomination.id}"
    page = html(client_for("inkoop@zwolle.example.nl").get(url))
    assert "begroting-intern.pdf" not in page and "/bijlagen/" not in page
    assert "alleen beschikbaar voor de betrokken organisaties" in page
    assert "begroting-intern.pdf" in html(client_for("inkoop@utrecht.example.nl").get(url))
