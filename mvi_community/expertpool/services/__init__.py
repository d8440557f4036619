"""Expert-pool rules, split by subject (DESIGN.md §3: a sub-package past ~500 lines).

Services take plain arguments and the acting user, check permissions through
`core.permissions` (the "expert" role is registered in `common`), flush and never commit.
"""
from mvi_community.expertpool.services.attachments import (  # noqa: F401
    MAX_ATTACHMENTS,
    add_attachment,
    can_add,
    can_delete,
    chosen_files,
    delete_attachment,
    get_attachment,
)
from mvi_community.expertpool.services.common import (  # noqa: F401
    DEFAULT_SETTINGS,
    can_view_request,
    expert_of,
    get_settings,
    is_expert_for,
    local_today,
    save_settings,
)
from mvi_community.expertpool.services.dashboards import coordinator_dashboard  # noqa: F401
from mvi_community.expertpool.services.engagements import (  # noqa: F401
    case_choices,
    complete,
    expert_feedback,
    feedback_case,
    log_session,
    rate,
)
from mvi_community.expertpool.services.experts import (  # noqa: F401
    ExpertData,
    add_conflict,
    add_unavailability,
    apply,
    can_see_private,
    decide,
    experts_for_coordinator,
    own_profile,
    profile_for,
    public_experts_page,
    reference_choices,
    remove_conflict,
    remove_unavailability,
    set_active,
    update_profile,
)
from mvi_community.expertpool.services.proposals import (  # noqa: F401
    ProposeOutcome,
    accept,
    confirm,
    decline,
    expert_loads,
    forbidden_reason,
    propose,
    replace_overdue,
    send_reminders,
    swap,
)
from mvi_community.expertpool.services.requests import (  # noqa: F401
    AllowanceUsage,
    RequestData,
    allowance_usage,
    approve_allowance,
    cancel_request,
    create_request,
    decline_request,
    expert_inbox,
    get_request,
    load_request,
    organisation_requests,
    queue,
    queue_counts,
    transition,
)
