"""/api/v1: the generated OpenAPI document is valid and every response validates against it."""
from __future__ import annotations

import json

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from tests.factories import commit, make_organisation


@pytest.fixture()
def spec(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(document, config=config)


def check(spec, client, url: str):
    response = client.get(url)
    request = Request(EnvironBuilder(path=url.split("?")[0], query_string=url.partition("?")[2],
                                     base_url="http://localhost").get_environ())
    spec.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))
    return response


def test_openapi_document_is_valid_and_lists_the_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert {"/api/v1/organisations", "/api/v1/organisations/{code}"} <= set(document["paths"])


def test_organisations_list_paginated_and_filtered(spec, client):
    make_organisation("gm0983", "Gemeente Venlo", population=102_000)
    make_organisation("ws0155", "Waterschap Aa en Maas", type="waterschap")
    for n in range(30):
        make_organisation(f"gm8{n:03d}", f"Gemeente Proef {n:02d}")
    commit()
    body = check(spec, client, "/api/v1/organisations?per_page=10&page=2").get_json()
    assert body["page"] == 2 and body["per_page"] == 10 and body["total"] == 32 and len(body["items"]) == 10
    body = check(spec, client, "/api/v1/organisations?type=waterschap").get_json()
    assert [o["code"] for o in body["items"]] == ["ws0155"]
    body = check(spec, client, "/api/v1/organisations?q=venlo").get_json()
    assert body["items"][0] == {"code": "gm0983", "name": "Gemeente Venlo", "type": "gemeente", "province": None,
                                "population": 102000, "size_class": "gemeente-100k+", "kvk": None, "oin": None,
                                "website": None}


def test_one_organisation_and_problem_json(spec, client):
    make_organisation("gm0363", "Gemeente Amsterdam")
    commit()
    assert check(spec, client, "/api/v1/organisations/gm0363").get_json()["name"] == "Gemeente Amsterdam"
    missing = check(spec, client, "/api/v1/organisations/gm0000")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.get_json()["status"] == 404
    bad = check(spec, client, "/api/v1/organisations?page=abc")
    assert bad.status_code == 400 and bad.get_json()["title"] == "Bad Request"
    unknown = client.get("/api/v1/bestaat-niet")
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
