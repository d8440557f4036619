"""Marshmallow schemas: they serialise API responses and describe them in the OpenAPI document."""
from __future__ import annotations

from marshmallow import Schema, fields

from mvi_community.accounts.models import ORGANISATION_TYPES


class ProblemSchema(Schema):
    """An error as `application/problem+json` (RFC 9457)."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()


class PageSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class OrganisationSchema(Schema):
    code = fields.String(required=True, metadata={"example": "gm0363"})
    name = fields.String(required=True, metadata={"example": "Gemeente Amsterdam"})
    type = fields.String(required=True, metadata={"enum": list(ORGANISATION_TYPES)})
    province = fields.String(allow_none=True, required=True)
    population = fields.Integer(allow_none=True, required=True)
    size_class = fields.String(allow_none=True, required=True)
    kvk = fields.String(allow_none=True, required=True)
    oin = fields.String(allow_none=True, required=True)
    website = fields.String(allow_none=True, required=True)


class OrganisationPageSchema(PageSchema):
    items = fields.List(fields.Nested(OrganisationSchema), required=True)


class PaginationQuerySchema(Schema):
    page = fields.Integer(load_default=1, metadata={"minimum": 1})
    per_page = fields.Integer(load_default=25, metadata={"minimum": 1, "maximum": 100})


class OrganisationQuerySchema(PaginationQuerySchema):
    q = fields.String(metadata={"description": "Zoek in naam en code"})
    type = fields.String(metadata={"enum": list(ORGANISATION_TYPES)})
