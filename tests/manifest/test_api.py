"""/api/v1/manifests and /api/v1/signatories: validated against the generated OpenAPI document,
and in agreement with the public list page."""
from __future__ import annotations

import re
from datetime import date

from tests.api.test_api import check, spec  # noqa: F401  (the fixture)
from tests.factories import commit, make_organisation
from tests.manifest.factories import make_manifest, make_signatory


def _seed():
    manifest = make_manifest()
    make_manifest("mvoi-2018", ceremony=date(2018, 6, 7), title="Manifest MVI 2018")
    for n in range(34):
        organisation = make_organisation(f"gm7{n:03d}", f"Gemeente Proef {n:02d}",
                                         type=("gemeente", "provincie", "waterschap")[n % 3])
        make_signatory(manifest, organisation,
                       signed_on=date(2023, 1, 1 + n) if n % 5 == 0 else date(2022, 11, 24),
                       withdrawn_on=date(2024, 6, 1) if n == 7 else None)
    commit()


def test_openapi_lists_the_manifest_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/manifests", "/api/v1/signatories"} <= set(document["paths"])
    assert {"Manifest", "Signatory", "SignatoryPage"} <= set(document["components"]["schemas"])


def test_manifests_and_signatories_validate(spec, client):  # noqa: F811
    _seed()
    body = check(spec, client, "/api/v1/manifests").get_json()
    assert [m["code"] for m in body["items"]] == ["mvoi-2022", "mvoi-2018"] and body["total"] == 2
    assert body["items"][0]["ceremony_date"] == "2022-11-24"
    body = check(spec, client, "/api/v1/signatories?manifest=mvoi-2022&per_page=10&page=4").get_json()
    assert body["total"] == 34 and body["page"] == 4 and len(body["items"]) == 4
    item = check(spec, client, "/api/v1/signatories?manifest=mvoi-2022&toetreder=false&type=provincie").get_json()["items"][0]
    assert set(item) == {"manifest_code", "organisation_code", "organisation_name", "organisation_type", "signer_name",
                         "signer_function", "signed_on", "toetreder", "withdrawn_on"}
    assert item["organisation_type"] == "provincie" and item["toetreder"] is False
    toetreders = check(spec, client, "/api/v1/signatories?manifest=mvoi-2022&toetreder=true").get_json()
    assert toetreders["total"] == 7 and all(i["toetreder"] for i in toetreders["items"])
    withdrawn = [i for i in check(spec, client, "/api/v1/signatories?manifest=mvoi-2022&per_page=100").get_json()["items"]
                 if i["withdrawn_on"]]
    assert [(i["organisation_code"], i["withdrawn_on"]) for i in withdrawn] == [("gm7007", "2024-06-01")]


def test_api_errors_are_problem_json(spec, client):  # noqa: F811
    _seed()
    missing = check(spec, client, "/api/v1/signatories")
    assert missing.status_code == 400 and missing.mimetype == "application/problem+json"
    unknown = check(spec, client, "/api/v1/signatories?manifest=bestaat-niet")
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    assert check(spec, client, "/api/v1/signatories?manifest=mvoi-2022&type=dorp").status_code == 400


def test_public_list_and_api_agree(client):
    _seed()
    html = client.get("/manifest/mvoi-2022/ondertekenaars").get_data(as_text=True)
    listed = re.findall(r'data-organisation="([^"]+)" data-toetreder="(true|false)"', html)
    items = client.get("/api/v1/signatories?manifest=mvoi-2022&per_page=50").get_json()["items"]
    assert listed == [(i["organisation_code"], "true" if i["toetreder"] else "false") for i in items]
    assert len(listed) == 34
    for type_ in ("gemeente", "waterschap"):
        html = client.get(f"/manifest/mvoi-2022/ondertekenaars?type={type_}&groep=toetreders").get_data(as_text=True)
        listed = re.findall(r'data-organisation="([^"]+)"', html)
        api = client.get(f"/api/v1/signatories?manifest=mvoi-2022&type={type_}&toetreder=true").get_json()["items"]
        assert listed == [i["organisation_code"] for i in api]
