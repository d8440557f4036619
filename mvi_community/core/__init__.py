"""Cross-cutting pieces: pages that belong to no domain, errors, audit, mail, security."""
from flask import Blueprint

bp = Blueprint("core", __name__)

from mvi_community.core import views  # noqa: E402,F401
