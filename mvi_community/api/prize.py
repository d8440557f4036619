"""/api/v1 for the MVI prize: published editions and their results (public after publication)."""
from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields

from mvi_community.api import bp
from mvi_community.api.schemas import PageSchema, PaginationQuerySchema
from mvi_community.api.views import page_payload, parse_query
from mvi_community.prize.services import results as services


class PrizeEditionSchema(Schema):
    year = fields.Integer(required=True, metadata={"example": 2026})
    title = fields.String(required=True, metadata={"example": "MVI-prijs 2026"})
    benchmark_edition = fields.Integer(attribute="benchmark_year", required=True, metadata={"example": 2025})
    benchmark_weight = fields.Float(required=True, metadata={"example": 0.3})
    scale_min = fields.Integer(required=True)
    scale_max = fields.Integer(required=True)
    normalise = fields.Boolean(required=True)
    published_at = fields.DateTime(required=True)


class PrizeEditionPageSchema(PageSchema):
    items = fields.List(fields.Nested(PrizeEditionSchema), required=True)


class PrizeResultSchema(Schema):
    organisation_code = fields.String(required=True, metadata={"example": "gm0344"})
    organisation_name = fields.String(required=True)
    category = fields.String(required=True, metadata={"example": "medeoverheden"})
    jurors = fields.Integer(required=True, metadata={"description": "Volledige jurybeoordelingen"})
    raw_mean = fields.Float(required=True, allow_none=True, metadata={"description": "Gemiddeld ruw totaal"})
    jury_score = fields.Float(required=True, allow_none=True, metadata={"description": "0–100"})
    benchmark_score = fields.Float(required=True)
    combined_score = fields.Float(required=True, allow_none=True)
    rank = fields.Integer(required=True, allow_none=True)
    disagreement = fields.Boolean(required=True)
    stable = fields.Boolean(required=True, allow_none=True)


class PrizeResultsSchema(Schema):
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    statement = fields.String(required=True, allow_none=True)
    krippendorff_alpha = fields.Float(required=True, allow_none=True)
    winners = fields.List(fields.String(), required=True, metadata={"description": "Organisatiecodes met rang 1"})
    results = fields.List(fields.Nested(PrizeResultSchema), required=True)


@bp.get("/prize/editions")
def prize_editions():
    """Editions of the MVI prize with published results.
    ---
    get:
      summary: List the prize editions with published results, newest first
      tags: [prize]
      parameters:
        - in: query
          schema: PaginationQuerySchema
      responses:
        200:
          description: A page of editions
          content:
            application/json:
              schema: PrizeEditionPage
        400:
          description: Invalid query
          content:
            application/problem+json:
              schema: Problem
    """
    args = parse_query(PaginationQuerySchema())
    page = services.published_editions_page(args["page"], per_page=args["per_page"])
    return jsonify(page_payload(page, PrizeEditionSchema()))


@bp.get("/prize/editions/<int:year>/results")
def prize_results(year: int):
    """The published ranking of a prize edition.
    ---
    get:
      summary: Get the published results of a prize edition (ranking, scores, agreement)
      tags: [prize]
      parameters:
        - in: path
          name: year
          required: true
          schema: {type: integer}
      responses:
        200:
          description: The results, by category and rank
          content:
            application/json:
              schema: PrizeResults
        404:
          description: No published results for this year
          content:
            application/problem+json:
              schema: Problem
    """
    edition = services.published_edition(year)
    outcome = services.compute(edition)
    rows = []
    for (nomination, result), row in zip(outcome.ranked(), services.result_rows(outcome)):
        rows.append({**row, "disagreement": result.disagreement,
                     "stable": result.stability.stable if result.stability is not None else None})
    return jsonify(PrizeResultsSchema().dump({
        "year": edition.year, "title": edition.title, "statement": edition.statement,
        "krippendorff_alpha": outcome.result.krippendorff_alpha,
        "winners": [n.organisation.code for n in outcome.winners()], "results": rows}))
