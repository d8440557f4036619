"""/api/v1 for the case library: published, public cases with Dutch full-text search and facets."""
from __future__ import annotations

from flask import jsonify, request, url_for
from marshmallow import Schema, ValidationError, fields, validate

from mvi_community.accounts.models import ORGANISATION_TYPES
from mvi_community.api import bp
from mvi_community.api.schemas import PageSchema, PaginationQuerySchema
from mvi_community.api.views import page_payload
from mvi_community.cases import services
from mvi_community.cases.models import PHASES
from mvi_community.core.errors import NotFound, ServiceError

SORTS = ("relevance", "newest", "year", "useful", "views", "title")


class OrganisationRefSchema(Schema):
    code = fields.String(required=True, metadata={"example": "gm0983"})
    name = fields.String(required=True, metadata={"example": "Gemeente Venlo"})
    type = fields.String(required=True, metadata={"enum": list(ORGANISATION_TYPES)})


class ProductGroupRefSchema(Schema):
    code = fields.String(required=True, metadata={"example": "kantoorgebouwen"})
    name = fields.String(required=True, attribute="name_nl")


class CaseResultsSchema(Schema):
    co2_reduction_tonnes = fields.Float(required=True, allow_none=True, metadata={"description": "CO2-reductie in ton"})
    circular_share_percent = fields.Float(required=True, allow_none=True,
                                          metadata={"description": "Aandeel circulair of hergebruikt materiaal, 0–100"})
    social_return_jobs = fields.Integer(required=True, allow_none=True)


class CaseSummarySchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    organisation = fields.Nested(OrganisationRefSchema, required=True)
    year = fields.Integer(required=True)
    phase = fields.String(required=True, metadata={"enum": list(PHASES)})
    product_group = fields.Nested(ProductGroupRefSchema, required=True, allow_none=True)
    themes = fields.Function(lambda c: [t.code for t in c.themes], required=True,
                             metadata={"type": "array", "items": {"type": "string"}})
    published_at = fields.DateTime(required=True)
    url = fields.Function(lambda c: url_for("cases.detail", case_id=c.id, _external=True), required=True,
                          metadata={"type": "string", "format": "uri"})


class CaseSchema(CaseSummarySchema):
    partners = fields.List(fields.Nested(OrganisationRefSchema), required=True)
    procedure = fields.String(required=True, allow_none=True)
    contract_value = fields.Integer(required=True, allow_none=True, metadata={"description": "Opdrachtwaarde in euro"})
    results = fields.Function(lambda c: CaseResultsSchema().dump(c), required=True,
                              metadata={"$ref": "#/components/schemas/CaseResults"})
    results_text = fields.String(required=True, allow_none=True, metadata={"description": "Markdown"})
    approach = fields.String(required=True, allow_none=True, metadata={"description": "Markdown"})
    lessons = fields.String(required=True, allow_none=True, metadata={"description": "Markdown"})
    community = fields.Function(lambda c: c.community.name if c.community else None, required=True,
                                metadata={"type": "string", "nullable": True})
    views = fields.Integer(required=True, attribute="view_count")
    useful_votes = fields.Integer(required=True, attribute="vote_count")
    version = fields.Integer(required=True)


class CasePageSchema(PageSchema):
    items = fields.List(fields.Nested(CaseSummarySchema), required=True)
    total_exact = fields.Boolean(required=True, metadata={
        "description": "false when a search with `q` has more matches than it counts: `total` is then a lower "
                       "bound (\"more than total\"); pages up to `total` can be fetched"})


class CaseQuerySchema(PaginationQuerySchema):
    q = fields.String(validate=validate.Length(max=2000), metadata={
        "description": "Zoekwoorden (Nederlands, met stamming): \"woordgroep\", woord*, -uitsluiten, OR, haakjes"})
    theme = fields.List(fields.String(), metadata={"description": "Themacode(s), bijvoorbeeld circulair"})
    organisation_type = fields.List(fields.String(validate=validate.OneOf(ORGANISATION_TYPES)))
    product_group = fields.List(fields.String(), metadata={"description": "Productgroepcode(s)"})
    year = fields.List(fields.Integer())
    phase = fields.List(fields.String(validate=validate.OneOf(PHASES)))
    sort = fields.String(validate=validate.OneOf(SORTS), metadata={"description": "Standaard: relevance bij q, anders newest"})


LIST_ARGS = ("theme", "organisation_type", "product_group", "year", "phase")


def _query() -> dict:
    raw = {k: request.args.getlist(k) if k in LIST_ARGS else request.args.get(k) for k in request.args}
    try:
        return CaseQuerySchema().load(raw, unknown="exclude")
    except ValidationError as error:
        raise ServiceError(f"Invalid query parameter(s): {', '.join(sorted(error.messages))}") from error


@bp.get("/cases")
def cases():
    """Published, public cases (praktijkvoorbeelden).
    ---
    get:
      summary: Search and list published public cases
      tags: [cases]
      parameters:
        - in: query
          schema: CaseQuerySchema
      responses:
        200:
          description: A page of cases; with `q` the best matches first
          content:
            application/json:
              schema: CasePage
        400:
          description: Invalid query
          content:
            application/problem+json:
              schema: Problem
    """
    args = _query()
    q = args.get("q") or ""
    filters = services.CaseFilters(
        q=q, themes=args.get("theme", []), organisation_types=args.get("organisation_type", []),
        product_groups=args.get("product_group", []), years=args.get("year", []), phases=args.get("phase", []),
        sort=args.get("sort") or ("relevance" if q.strip() else "newest"),
    )
    page = services.public_cases(filters, args["page"], args["per_page"])
    return jsonify({**page_payload(page, CaseSummarySchema()), "total_exact": getattr(page, "total_exact", True)})


@bp.get("/cases/<int:case_id>")
def case(case_id: int):
    """One published public case.
    ---
    get:
      summary: Get a published public case by id
      tags: [cases]
      parameters:
        - in: path
          name: case_id
          required: true
          schema: {type: integer}
      responses:
        200:
          description: The case
          content:
            application/json:
              schema: Case
        404:
          description: No published public case with this id
          content:
            application/problem+json:
              schema: Problem
    """
    item = services.public_case(case_id)
    if item is None:
        raise NotFound()
    return jsonify(CaseSchema().dump(item))
