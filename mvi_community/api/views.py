"""Read-only endpoints. Views parse the query, call one service, dump with a schema."""
from __future__ import annotations

from flask import jsonify, request
from marshmallow import ValidationError

from mvi_community.accounts import services as accounts
from mvi_community.accounts.models import ORGANISATION_TYPES
from mvi_community.api import bp, schemas
from mvi_community.api.spec import openapi_document
from mvi_community.core.errors import ServiceError
from mvi_community.extensions import csrf

csrf.exempt(bp)


def parse_query(schema):
    try:
        return schema.load(request.args, unknown="exclude")
    except ValidationError as error:
        fields = ", ".join(sorted(error.messages))
        raise ServiceError(f"Invalid query parameter(s): {fields}") from error


def page_payload(page, item_schema) -> dict:
    return {"items": item_schema.dump(page.items, many=True), "page": page.page, "per_page": page.per_page,
            "total": page.total}


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/organisations")
def organisations():
    """Organisations on the platform.
    ---
    get:
      summary: List organisations
      tags: [organisations]
      parameters:
        - in: query
          schema: OrganisationQuerySchema
      responses:
        200:
          description: A page of organisations, ordered by name
          content:
            application/json:
              schema: OrganisationPage
        400:
          description: Invalid query
          content:
            application/problem+json:
              schema: Problem
    """
    args = parse_query(schemas.OrganisationQuerySchema())
    type_ = args.get("type")
    if type_ and type_ not in ORGANISATION_TYPES:
        raise ServiceError("Invalid query parameter(s): type")
    page = accounts.organisations_page(args["page"], q=args.get("q"), type_=type_, per_page=args["per_page"])
    return jsonify(page_payload(page, schemas.OrganisationSchema()))


@bp.get("/organisations/<code>")
def organisation(code: str):
    """One organisation.
    ---
    get:
      summary: Get an organisation by its code
      tags: [organisations]
      parameters:
        - in: path
          name: code
          required: true
          schema: {type: string}
      responses:
        200:
          description: The organisation
          content:
            application/json:
              schema: Organisation
        404:
          description: No organisation with this code
          content:
            application/problem+json:
              schema: Problem
    """
    return jsonify(schemas.OrganisationSchema().dump(accounts.get_organisation(code)))
