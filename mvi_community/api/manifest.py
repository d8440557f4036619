"""/api/v1 for the Manifest MVOI: manifests and their signatories (public data)."""
from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields

from mvi_community.accounts.models import ORGANISATION_TYPES
from mvi_community.api import bp
from mvi_community.api.schemas import PageSchema, PaginationQuerySchema
from mvi_community.api.views import page_payload, parse_query
from mvi_community.core.errors import ServiceError
from mvi_community.manifest import services


class ManifestSchema(Schema):
    code = fields.String(required=True, metadata={"example": "mvoi-2022"})
    title = fields.String(required=True)
    text = fields.String(required=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    ceremony_date = fields.Date(required=True, metadata={"description": "Wie na deze datum tekent, is toetreder"})


class ManifestPageSchema(PageSchema):
    items = fields.List(fields.Nested(ManifestSchema), required=True)


class SignatorySchema(Schema):
    manifest_code = fields.Function(lambda s: s.manifest.code, required=True, metadata={"type": "string"})
    organisation_code = fields.Function(lambda s: s.organisation.code, required=True,
                                        metadata={"type": "string", "example": "gm0363"})
    organisation_name = fields.Function(lambda s: s.organisation.name, required=True, metadata={"type": "string"})
    organisation_type = fields.Function(lambda s: s.organisation.type, required=True,
                                        metadata={"type": "string", "enum": list(ORGANISATION_TYPES)})
    signer_name = fields.String(required=True)
    signer_function = fields.String(required=True, allow_none=True)
    signed_on = fields.Date(required=True)
    toetreder = fields.Boolean(required=True, metadata={"description": "Ondertekend na de ceremonie"})
    withdrawn_on = fields.Date(required=True, allow_none=True)


class SignatoryPageSchema(PageSchema):
    items = fields.List(fields.Nested(SignatorySchema), required=True)


class SignatoryQuerySchema(PaginationQuerySchema):
    manifest = fields.String(required=True, metadata={"description": "Code van het manifest", "example": "mvoi-2022"})
    type = fields.String(metadata={"enum": list(ORGANISATION_TYPES)})
    toetreder = fields.Boolean(metadata={"description": "Alleen toetreders (true) of alleen ceremonie (false)"})





@bp.get("/manifests")
def manifests():
    """Manifests (such as the Manifest MVOI 2022–2025).
    ---
    get:
      summary: List manifests, newest ceremony first
      tags: [manifest]
      parameters:
        - in: query
          schema: PaginationQuerySchema
      responses:
        200:
          description: A page of manifests
          content:
            application/json:
              schema: ManifestPage
        400:
          description: Invalid query
          content:
            application/problem+json:
              schema: Problem
    """
    args = parse_query(PaginationQuerySchema())
    page = services.manifests_page(args["page"], per_page=args["per_page"])
    return jsonify(page_payload(page, ManifestSchema()))


@bp.get("/signatories")
def signatories():
    """Signatories of one manifest, in the order of the public list.
    ---
    get:
      summary: List a manifest's signatories (ceremony signatories by name, then toetreders by date)
      tags: [manifest]
      parameters:
        - in: query
          schema: SignatoryQuerySchema
      responses:
        200:
          description: A page of signatories
          content:
            application/json:
              schema: SignatoryPage
        400:
          description: Invalid or missing query parameter
          content:
            application/problem+json:
              schema: Problem
        404:
          description: No manifest with this code
          content:
            application/problem+json:
              schema: Problem
    """
    args = parse_query(SignatoryQuerySchema())
    type_ = args.get("type")
    if type_ and type_ not in ORGANISATION_TYPES:
        raise ServiceError("Invalid query parameter(s): type")
    manifest = services.get_manifest(args["manifest"])
    group = None if "toetreder" not in args else ("toetreders" if args["toetreder"] else "ceremonie")
    page = services.signatories_page(manifest, args["page"], per_page=args["per_page"], type_=type_, group=group)
    return jsonify(page_payload(page, SignatorySchema()))
