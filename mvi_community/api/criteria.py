"""/api/v1 for the criteria documents: product groups and their criteria in the current version."""
from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields, validate

from mvi_community.api import bp
from mvi_community.api.schemas import PageSchema, PaginationQuerySchema
from mvi_community.api.views import parse_query
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.criteria.models import LEVEL_CODES, LEVELS, TYPES
from mvi_community.criteria.services import catalogue

LEVEL_NAMES = {level: code for code, level in LEVEL_CODES.items()}


class CriteriaProductGroupSchema(Schema):
    code = fields.String(required=True, metadata={"example": "kantoormeubilair"})
    cluster = fields.String(required=True)
    name_nl = fields.String(required=True)
    name_en = fields.String(required=True)
    criteria_count = fields.Integer(required=True, metadata={"description": "Criteria in de huidige versie"})


class CriteriaProductGroupListSchema(PageSchema):
    version = fields.Integer(required=True, allow_none=True, metadata={"description": "Jaar van de huidige versie"})
    items = fields.List(fields.Nested(CriteriaProductGroupSchema), required=True)


class CriterionSchema(Schema):
    number = fields.String(required=True, metadata={"example": "KMB-GC-01"})
    type = fields.String(required=True, metadata={"enum": list(TYPES)})
    level = fields.Function(lambda c: LEVEL_NAMES[c.level], required=True,
                            metadata={"type": "string", "enum": list(LEVEL_CODES)})
    level_number = fields.Integer(attribute="level", required=True, metadata={"description": "1–3 (blaadjes)"})
    title = fields.String(required=True)
    text_nl = fields.String(required=True)
    text_en = fields.String(required=True, allow_none=True)
    verification_nl = fields.String(required=True)
    verification_en = fields.String(required=True, allow_none=True)
    themes = fields.Function(lambda c: [t.code for t in c.themes], required=True,
                             metadata={"type": "array", "items": {"type": "string"}})
    weight_percent = fields.Integer(required=True, allow_none=True)
    discount_eur = fields.Float(required=True, allow_none=True)
    eu_gpp_reference = fields.String(required=True, allow_none=True)
    change_note = fields.String(required=True, allow_none=True)


class CriteriaProductGroupDetailSchema(Schema):
    code = fields.String(required=True)
    name_nl = fields.String(required=True)
    name_en = fields.String(required=True)
    version = fields.Integer(required=True)
    criteria = fields.List(fields.Nested(CriterionSchema), required=True)


class CriteriaQuerySchema(Schema):
    level = fields.List(fields.String(validate=validate.OneOf(list(LEVEL_CODES))),
                        metadata={"description": "basis, significant of ambitieus (herhaalbaar)"})
    type = fields.List(fields.String(validate=validate.OneOf(list(TYPES))),
                       metadata={"description": "Type criterium (herhaalbaar)"})


@bp.get("/criteria/product-groups")
def criteria_product_groups():
    """Product groups with the number of criteria in the current version.
    ---
    get:
      summary: List product groups of the criteria tool, in clusters
      tags: [criteria]
      parameters:
        - in: query
          schema: PaginationQuerySchema
      responses:
        200:
          description: A page of product groups, by cluster and name
          content:
            application/json:
              schema: CriteriaProductGroupList
        400:
          description: Invalid query
          content:
            application/problem+json:
              schema: Problem
    """
    args = parse_query(PaginationQuerySchema())
    page, per_page = max(args["page"], 1), min(max(args["per_page"], 1), 100)
    version = catalogue.current_version()
    items = []
    for row in catalogue.clusters_overview(version):
        for group, counts in row.groups:
            items.append({"code": group.code, "cluster": group.cluster, "name_nl": group.name_nl,
                          "name_en": group.name_en, "criteria_count": sum(counts.values())})
    return jsonify(CriteriaProductGroupListSchema().dump({
        "version": version.year if version else None, "items": items[(page - 1) * per_page: page * per_page],
        "page": page, "per_page": per_page, "total": len(items)}))


@bp.get("/criteria/product-groups/<code>")
def criteria_product_group(code: str):
    """One product group with its criteria in the current version.
    ---
    get:
      summary: Criteria of one product group (current version), filterable by level and type
      tags: [criteria]
      parameters:
        - in: path
          name: code
          required: true
          schema: {type: string}
        - in: query
          schema: CriteriaQuerySchema
      responses:
        200:
          description: The product group and its criteria
          content:
            application/json:
              schema: CriteriaProductGroupDetail
        400:
          description: Invalid query
          content:
            application/problem+json:
              schema: Problem
        404:
          description: No such product group, or nothing published yet
          content:
            application/problem+json:
              schema: Problem
    """
    args = {"level": request.args.getlist("level"), "type": request.args.getlist("type")}
    bad = [name for name, allowed in (("level", LEVEL_CODES), ("type", TYPES)) if any(v not in allowed for v in args[name])]
    if bad:
        raise ServiceError(f"Invalid query parameter(s): {', '.join(bad)}")
    group = catalogue.get_product_group(code)
    version = catalogue.current_version()
    if version is None:
        raise NotFound("No criteria have been published yet")
    levels = [LEVEL_CODES[v] for v in args.get("level") or []]
    criteria = catalogue.criteria_of(version, group, levels or None, args.get("type") or None)
    return jsonify(CriteriaProductGroupDetailSchema().dump({
        "code": group.code, "name_nl": group.name_nl, "name_en": group.name_en, "version": version.year,
        "criteria": criteria}))


assert set(LEVELS) == set(LEVEL_NAMES)
