"""/api/v1/experts: approved experts' public profiles, validated against the OpenAPI document;
nothing private (e-mail, capacity, conflicts) and nothing about unapproved applicants."""
from __future__ import annotations

import json

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from mvi_community.expertpool.models import Expert
from tests.expertpool.factories import make_expert
from tests.factories import commit, make_organisation


@pytest.fixture()
def spec(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert {"/api/v1/experts", "/api/v1/experts/{expert_id}"} <= set(document["paths"])
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(document, config=config)


def check(spec, client, url: str):
    response = client.get(url)
    request = Request(EnvironBuilder(path=url.split("?")[0], query_string=url.partition("?")[2],
                                     base_url="http://localhost").get_environ())
    if response.status_code < 400:
        spec.validate_request(WerkzeugOpenAPIRequest(request))
    spec.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))
    return response


@pytest.fixture()
def experts(app):
    venlo = make_organisation("gm0983", "Gemeente Venlo")
    anna = make_expert("Anna de Boer", employer=venlo, themes=("circulair", "klimaat"), groups=("kantoormeubilair",),
                       email="anna@venlo.example.nl", regions=("Limburg",))
    bert = make_expert("Bert Jansen", themes=("social-return",), email="bert@example.nl")
    applicant = make_expert("Carla Visser", status=Expert.APPLIED, email="carla@example.nl")
    commit()
    return {"anna": anna.id, "bert": bert.id, "applicant": applicant.id}


def test_list_and_filter_approved_experts(spec, client, experts):
    body = check(spec, client, "/api/v1/experts").get_json()
    assert [e["name"] for e in body["items"]] == ["Anna de Boer", "Bert Jansen"] and body["total"] == 2
    anna = body["items"][0]
    assert anna["employer"] == {"code": "gm0983", "name": "Gemeente Venlo"}
    assert anna["themes"] == ["klimaat", "circulair"]  # in the themes' published order
    assert anna["product_groups"] == ["kantoormeubilair"]
    assert anna["regions"] == ["Limburg"] and anna["url"].endswith(f"/expertpool/experts/{experts['anna']}")
    text = json.dumps(body)
    for private in ("@", "days_per_quarter", "max_concurrent", "conflicts", "Carla"):
        assert private not in text
    body = check(spec, client, "/api/v1/experts?theme=social-return").get_json()
    assert [e["id"] for e in body["items"]] == [experts["bert"]]
    body = check(spec, client, "/api/v1/experts?per_page=1&page=2").get_json()
    assert [e["name"] for e in body["items"]] == ["Bert Jansen"] and body["total"] == 2


def test_one_expert_and_the_unapproved_are_not_found(spec, client, experts):
    body = check(spec, client, f"/api/v1/experts/{experts['anna']}").get_json()
    assert body["name"] == "Anna de Boer" and "email" not in body
    assert check(spec, client, f"/api/v1/experts/{experts['applicant']}").status_code == 404
    assert check(spec, client, "/api/v1/experts/999999").status_code == 404


def test_bad_query_is_a_problem_document(spec, client, experts):
    response = check(spec, client, "/api/v1/experts?per_page=abc")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
