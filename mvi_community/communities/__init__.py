"""Communities of practice (`/communities`): communities with working groups, discussions,
meetings with RSVPs and a waiting list, and a member directory."""
from flask import Blueprint

bp = Blueprint("communities", __name__, url_prefix="/communities")

from mvi_community.communities import views  # noqa: F401
