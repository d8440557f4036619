"""Services of the criteria domain (flush, never commit)."""
from mvi_community.criteria.services import catalogue, editing, exports, plan, selections, transfer  # noqa: F401
from mvi_community.criteria.services.common import (  # noqa: F401
    feedback_window,
    get_settings,
    local_today,
    parse_month_day,
    save_settings,
)
