"""The annual MVI prize: editions, nominations, rubric, jury and scores (engine: scoring.py)."""
from flask import Blueprint

bp = Blueprint("prize", __name__, url_prefix="/prize")

from mvi_community.prize import views  # noqa: F401


def _register_hooks() -> None:
    from mvi_community.benchmark.services import register_result_viewer
    from mvi_community.prize.services.jury import juror_may_view_result

    register_result_viewer(juror_may_view_result)


_register_hooks()
