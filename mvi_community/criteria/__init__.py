"""Criteria documents (the MVI-criteriatool) and the strategic procurement plan."""
from flask import Blueprint

bp = Blueprint("criteria", __name__, url_prefix="/criteria")

from mvi_community.criteria import views  # noqa: E402,F401
from mvi_community.criteria import plan_views  # noqa: E402,F401
