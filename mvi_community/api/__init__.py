"""/api/v1: read-only public data as JSON, with a generated OpenAPI 3 document (DESIGN.md §12)."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from mvi_community.api import views  # noqa: E402,F401
from mvi_community.api import benchmark  # noqa: E402,F401
from mvi_community.api import manifest  # noqa: E402,F401
from mvi_community.api import cases  # noqa: E402,F401
from mvi_community.api import communities  # noqa: E402,F401
from mvi_community.api import expertpool  # noqa: E402,F401
from mvi_community.api import criteria  # noqa: E402,F401
from mvi_community.api import prize  # noqa: E402,F401
