"""Benchmark domain: editions, indicators, imports and the composite-indicator engine."""
from flask import Blueprint

bp = Blueprint("benchmark", __name__, url_prefix="/benchmark")

from mvi_community.benchmark import views  # noqa: E402,F401
