"""The case library (`/cases`): procurement cases shared by forerunners, found by newcomers."""
from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

from mvi_community.cases import views  # noqa: F401
