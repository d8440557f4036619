"""/api/v1 for the expert pool: the public profiles of approved experts.

Only what the public profile page shows: name, job title, employer, biography, themes, skills,
product groups, the organisation types and regions they know, languages. Never an e-mail
address, capacity, availability, conflicts of interest or anything about support requests.
"""
from __future__ import annotations

from flask import jsonify, url_for
from marshmallow import Schema, fields, validate

from mvi_community.api import bp
from mvi_community.api.schemas import PageSchema, PaginationQuerySchema
from mvi_community.api.views import page_payload, parse_query
from mvi_community.core.errors import NotFound
from mvi_community.expertpool import services
from mvi_community.expertpool.models import Expert

_STRINGS = {"type": "array", "items": {"type": "string"}}


class EmployerSchema(Schema):
    code = fields.String(required=True, metadata={"example": "gm0983"})
    name = fields.String(required=True, metadata={"example": "Gemeente Venlo"})


class ExpertSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.Function(lambda e: e.user.name, required=True, metadata={"type": "string"})
    job_title = fields.String(required=True, allow_none=True)
    employer = fields.Nested(EmployerSchema, required=True, allow_none=True)
    bio = fields.String(required=True)
    themes = fields.Function(lambda e: [t.code for t in e.themes], required=True, metadata=_STRINGS)
    skills = fields.List(fields.String(), required=True)
    product_groups = fields.Function(lambda e: [g.code for g in e.product_groups], required=True, metadata=_STRINGS)
    organisation_types = fields.List(fields.String(), required=True)
    regions = fields.List(fields.String(), required=True)
    languages = fields.List(fields.String(), required=True)
    url = fields.Function(lambda e: url_for("expertpool.expert_detail", expert_id=e.id, _external=True),
                          required=True, metadata={"type": "string", "format": "uri"})


class ExpertPageSchema(PageSchema):
    items = fields.List(fields.Nested(ExpertSchema), required=True)


class ExpertQuerySchema(PaginationQuerySchema):
    theme = fields.String(validate=validate.Length(max=40), metadata={"description": "Themacode, bijv. circulair"})


@bp.get("/experts")
def experts():
    """Approved experts of the expert pool.
    ---
    get:
      summary: List the public profiles of approved experts, by name
      tags: [expertpool]
      parameters:
        - in: query
          schema: ExpertQuerySchema
      responses:
        200:
          description: A page of expert profiles
          content:
            application/json:
              schema: ExpertPage
        400:
          description: Invalid query
          content:
            application/problem+json:
              schema: Problem
    """
    args = parse_query(ExpertQuerySchema())
    page = services.public_experts_page(args["page"], args.get("theme") or None, per_page=args["per_page"])
    return jsonify(page_payload(page, ExpertSchema()))


@bp.get("/experts/<int:expert_id>")
def expert(expert_id: int):
    """One approved expert.
    ---
    get:
      summary: Get the public profile of an approved expert
      tags: [expertpool]
      parameters:
        - in: path
          name: expert_id
          required: true
          schema: {type: integer}
      responses:
        200:
          description: The profile
          content:
            application/json:
              schema: Expert
        404:
          description: No approved expert with this id
          content:
            application/problem+json:
              schema: Problem
    """
    profile, _private = services.profile_for(None, expert_id)
    if profile.status != Expert.APPROVED:
        raise NotFound()
    return jsonify(ExpertSchema().dump(profile))
