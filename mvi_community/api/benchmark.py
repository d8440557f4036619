"""/api/v1 for the benchmark: published editions, their methodology and aggregates, and the
results of organisations that made theirs public."""
from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields

from mvi_community.api import bp
from mvi_community.api.schemas import PageSchema, PaginationQuerySchema
from mvi_community.api.views import page_payload, parse_query
from mvi_community.benchmark.services import results as services


def _published(edition):
    return edition.published_version


class BenchmarkEditionSchema(Schema):
    year = fields.Integer(required=True, metadata={"example": 2025})
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    state = fields.String(required=True, metadata={"enum": ["draft", "computed", "published"]})
    version = fields.Function(lambda e: _published(e).number, required=True, metadata={"type": "integer",
                              "description": "Het nummer van de laatst gepubliceerde versie"})
    published_at = fields.Function(lambda e: _published(e).published_at.isoformat(), required=True,
                                   metadata={"type": "string", "format": "date-time"})
    change_note = fields.Function(lambda e: _published(e).change_note, required=True,
                                  metadata={"type": "string", "nullable": True})


class BenchmarkEditionPageSchema(PageSchema):
    items = fields.List(fields.Nested(BenchmarkEditionSchema), required=True)


class BenchmarkEditionDetailSchema(BenchmarkEditionSchema):
    methodology = fields.Function(lambda e: _published(e).methodology, required=True,
                                  metadata={"type": "object", "description": "De methodologie van deze versie (JSON zoals bij export-methodology)"})
    aggregates = fields.Function(
        lambda e: {k: _published(e).aggregates.get(k) for k in ("n_population", "n_ranked", "peer_groups", "overall",
                                                                 "dropped_indicators")},
        required=True, metadata={"type": "object", "description": "Verdelingen per vergelijkingsgroep: n, min, kwartielen, mediaan, max van totaal- en themascores"})


class BenchmarkResultSchema(Schema):
    organisation_code = fields.Function(lambda r: r.organisation.code, required=True, metadata={"type": "string", "example": "gm0363"})
    organisation_name = fields.Function(lambda r: r.organisation.name, required=True, metadata={"type": "string"})
    peer_group = fields.String(required=True, metadata={"example": "gemeente-100k+"})
    status = fields.String(required=True, metadata={"enum": ["ranked", "insufficient_data"]})
    coverage = fields.Float(required=True)
    total_score = fields.Float(attribute="total", required=True, allow_none=True)
    rank_overall = fields.Integer(required=True, allow_none=True)
    rank_peer = fields.Integer(required=True, allow_none=True)
    rank_peer_p05 = fields.Float(required=True, allow_none=True)
    rank_peer_p50 = fields.Float(required=True, allow_none=True)
    rank_peer_p95 = fields.Float(required=True, allow_none=True)
    theme_scores = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True), required=True)


class BenchmarkResultPageSchema(PageSchema):
    items = fields.List(fields.Nested(BenchmarkResultSchema), required=True)


@bp.get("/benchmark/editions")
def benchmark_editions():
    """Published benchmark editions.
    ---
    get:
      summary: List the benchmark editions that have published results, newest first
      tags: [benchmark]
      parameters:
        - in: query
          schema: PaginationQuerySchema
      responses:
        200:
          description: A page of editions
          content:
            application/json:
              schema: BenchmarkEditionPage
        400:
          description: Invalid query
          content:
            application/problem+json:
              schema: Problem
    """
    args = parse_query(PaginationQuerySchema())
    page = services.published_editions_page(args["page"], per_page=args["per_page"])
    return jsonify(page_payload(page, BenchmarkEditionSchema()))


@bp.get("/benchmark/editions/<int:year>")
def benchmark_edition(year: int):
    """One published edition with its methodology and aggregates.
    ---
    get:
      summary: Get a published edition (latest published version)
      tags: [benchmark]
      parameters:
        - in: path
          name: year
          required: true
          schema: {type: integer}
      responses:
        200:
          description: The edition
          content:
            application/json:
              schema: BenchmarkEditionDetail
        404:
          description: No published edition for this year
          content:
            application/problem+json:
              schema: Problem
    """
    edition, _version = services.published_edition(year)
    return jsonify(BenchmarkEditionDetailSchema().dump(edition))


@bp.get("/benchmark/editions/<int:year>/results")
def benchmark_results(year: int):
    """Published results of the organisations that made theirs public.
    ---
    get:
      summary: List the public results of a published edition, best overall rank first
      tags: [benchmark]
      parameters:
        - in: path
          name: year
          required: true
          schema: {type: integer}
        - in: query
          schema: PaginationQuerySchema
      responses:
        200:
          description: A page of results
          content:
            application/json:
              schema: BenchmarkResultPage
        400:
          description: Invalid query
          content:
            application/problem+json:
              schema: Problem
        404:
          description: No published edition for this year
          content:
            application/problem+json:
              schema: Problem
    """
    args = parse_query(PaginationQuerySchema())
    _edition, version = services.published_edition(year)
    page = services.public_results_page(version, args["page"], per_page=args["per_page"])
    return jsonify(page_payload(page, BenchmarkResultSchema()))
