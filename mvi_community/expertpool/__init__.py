"""Expert pool: experts, support requests, matching, engagements (`/expertpool`)."""
from flask import Blueprint

bp = Blueprint("expertpool", __name__, url_prefix="/expertpool")

from mvi_community.expertpool import views  # noqa: F401
