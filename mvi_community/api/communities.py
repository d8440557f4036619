"""/api/v1 for the communities of practice (public data: no members, no discussions)."""
from __future__ import annotations

from flask import jsonify, url_for
from marshmallow import Schema, fields, validate

from mvi_community.api import bp
from mvi_community.api.schemas import PageSchema, PaginationQuerySchema
from mvi_community.api.views import parse_query
from mvi_community.communities import services
from mvi_community.communities.models import POLICIES, TRACKS


class WorkingGroupRefSchema(Schema):
    slug = fields.String(required=True, metadata={"example": "bouw"})
    name = fields.String(required=True, metadata={"example": "Bouw"})


class CommunitySchema(Schema):
    slug = fields.String(required=True, metadata={"example": "green-deal-circulair-inkopen"})
    name = fields.String(required=True)
    description = fields.String(required=True, metadata={"description": "Markdown"})
    track = fields.String(required=True, metadata={"enum": list(TRACKS)})
    membership_policy = fields.String(required=True, metadata={"enum": list(POLICIES)})
    themes = fields.Function(lambda c: [t.code for t in c.themes], required=True,
                             metadata={"type": "array", "items": {"type": "string"}})
    working_groups = fields.List(fields.Nested(WorkingGroupRefSchema), required=True)
    members = fields.Integer(required=True, metadata={"description": "Aantal actieve leden"})
    url = fields.Function(lambda c: url_for("communities.detail", slug=c.slug, _external=True), required=True,
                          metadata={"type": "string", "format": "uri"})
    calendar = fields.Function(lambda c: url_for("communities.feed", slug=c.slug, _external=True), required=True,
                               metadata={"type": "string", "format": "uri", "description": "iCalendar-feed"})


class CommunityPageSchema(PageSchema):
    items = fields.List(fields.Nested(CommunitySchema), required=True)


class CommunityQuerySchema(PaginationQuerySchema):
    track = fields.String(validate=validate.OneOf(TRACKS))


@bp.get("/communities")
def communities():
    """Communities of practice.
    ---
    get:
      summary: List communities with their working groups
      tags: [communities]
      parameters:
        - in: query
          schema: CommunityQuerySchema
      responses:
        200:
          description: A page of communities
          content:
            application/json:
              schema: CommunityPage
        400:
          description: Invalid query
          content:
            application/problem+json:
              schema: Problem
    """
    args = parse_query(CommunityQuerySchema())
    cards = services.list_communities(None, args.get("track"))
    page, per_page = args["page"], min(max(args["per_page"], 1), 100)
    chunk = cards[(page - 1) * per_page: page * per_page]
    items = []
    for card in chunk:
        data = CommunitySchema().dump(card.community)
        data["members"] = card.members
        items.append(data)
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": len(cards)})
