"""/api/v1/cases and /api/v1/communities validate against the generated OpenAPI document."""
from __future__ import annotations

import json

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate
from sqlalchemy import select
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from mvi_community.core.taxonomy import Theme
from mvi_community.extensions import db
from tests.cases.conftest import new_case
from tests.factories import commit


@pytest.fixture()
def spec(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/communities"} <= set(document["paths"])
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(document, config=config)


def check(spec, client, url: str):
    response = client.get(url)
    request = Request(EnvironBuilder(path=url.split("?")[0], query_string=url.partition("?")[2],
                                     base_url="http://localhost").get_environ())
    spec.validate_request(WerkzeugOpenAPIRequest(request)) if response.status_code < 400 else None
    spec.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))
    return response


@pytest.fixture()
def published(world):
    circular = db.session.scalar(select(Theme.id).where(Theme.code == "circulair"))
    public = new_case(world.alice, world.org_a, publish_by=world.coordinator, theme_ids=[circular],
                      co2_reduction_tonnes=12.5, circular_share_percent=80, social_return_jobs=3,
                      contract_value=250_000, partner_ids=[world.org_b.id], community_id=world.community.id)
    new_case(world.bob, world.org_b, publish_by=world.coordinator, title="Schoonmaak met social return", year=2020,
             phase="contractmanagement")
    hidden = new_case(world.alice, world.org_a, publish_by=world.coordinator, title="Alleen community",
                      visibility="community", community_id=world.community.id)
    draft = new_case(world.alice, world.org_a, title="Circulair concept")
    commit()
    return {"public": public.id, "hidden": hidden.id, "draft": draft.id}


def test_cases_list_search_and_filters(spec, client, published):
    body = check(spec, client, "/api/v1/cases").get_json()
    assert body["total"] == 2 and body["page"] == 1
    body = check(spec, client, "/api/v1/cases?q=circulaire+kantoorinrichting").get_json()
    assert [c["id"] for c in body["items"]] == [published["public"]]
    body = check(spec, client, "/api/v1/cases?theme=circulair&phase=aanbesteding&year=2016&organisation_type=gemeente").get_json()
    assert [c["id"] for c in body["items"]] == [published["public"]]
    body = check(spec, client, "/api/v1/cases?phase=contractmanagement&phase=aanbesteding&per_page=1&page=2&sort=title").get_json()
    assert body["total"] == 2 and len(body["items"]) == 1 and body["per_page"] == 1
    for q in ['"', "NEAR(", "x" * 2000, "-"]:
        assert check(spec, client, "/api/v1/cases?q=" + q).status_code == 200


def test_one_case_and_what_is_not_public(spec, client, published):
    body = check(spec, client, f"/api/v1/cases/{published['public']}").get_json()
    assert body["results"] == {"co2_reduction_tonnes": 12.5, "circular_share_percent": 80.0, "social_return_jobs": 3}
    assert body["partners"][0]["code"] == "gm0794" and body["contract_value"] == 250_000
    assert "contact" not in body and "email" not in json.dumps(body)
    for key in ("hidden", "draft"):
        missing = check(spec, client, f"/api/v1/cases/{published[key]}")
        assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    bad = check(spec, client, "/api/v1/cases?phase=onbekend")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    assert check(spec, client, "/api/v1/cases?year=twintig").status_code == 400


def test_communities(spec, client, world):
    body = check(spec, client, "/api/v1/communities").get_json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["slug"] == "gdci" and item["members"] == 2 and item["calendar"].endswith("/communities/gdci/agenda.ics")
    assert check(spec, client, "/api/v1/communities?track=verbreding").get_json()["total"] == 0
    assert check(spec, client, "/api/v1/communities?track=x").status_code == 400
