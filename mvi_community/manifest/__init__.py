"""Manifest MVOI: signatories, action plans on the five-step ladder, yearly reports, the monitor."""
from flask import Blueprint

bp = Blueprint("manifest", __name__, url_prefix="/manifest")

from mvi_community.manifest import views  # noqa: F401
