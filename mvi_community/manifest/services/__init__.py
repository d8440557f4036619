"""Manifest rules: signing and withdrawal, action plans, yearly reports, the monitor's figures.

Permissions (object level, checked here, never in views):
- Signing, withdrawal: an org admin for their own organisation; a coordinator for any.
- Action plan and yearly reports: the org admin of the signatory's organisation edits, publishes
  and submits. Members of that organisation read its drafts (so colleagues can review before
  publication); coordinators read everything. Everyone reads a *published* action plan (the
  commitments under a manifest are public). Reports are read by the organisation's members and
  coordinators only; the public sees the monitor's aggregates.
- A user of organisation B never sees A's drafts or reports: they get a 404, as if the draft
  did not exist; changing A's data gives a 403.

Derived on read (house rule 8): toetreder (signed after the ceremony), a report's state (on time,
late, missing, open) from its due date, submission date and today.
"""
from mvi_community.manifest.services.monitor import (  # noqa: F401 - the domain's interface
    PLATFORM_INDICATORS,
    Monitor,
    MonitorRow,
    default_monitor_year,
    monitor,
    monitor_csv,
    monitor_details_csv,
    monitor_years,
    platform_indicators,
)
from mvi_community.manifest.services.plans import (  # noqa: F401 - the domain's interface
    GoalData,
    can_edit,
    can_read_drafts,
    get_plan,
    organisation_goals,
    plan_themes,
    publish_plan,
    save_plan,
)
from mvi_community.manifest.services.reminders import (  # noqa: F401 - the domain's interface
    reminder_candidates,
)
from mvi_community.manifest.services.reports import (  # noqa: F401 - the domain's interface
    ProgressData,
    ReportRow,
    can_reopen,
    get_report,
    reopen_report,
    report_overview,
    report_years,
    save_report,
)
from mvi_community.manifest.services.rules import (  # noqa: F401 - the domain's interface
    CIRCULAR_THEME,
    CODE_RE,
    DEFAULT_REPORT_DUE,
    GROUPS,
    LATE,
    MISSING,
    ON_TIME,
    OPEN,
    REPORT_DUE_KEY,
    REPORT_STATE_LABELS,
    RESERVED_CODES,
    SETTING_DOMAIN,
    TIMEZONE,
    VOLUNTARY,
    due_date,
    expected_to_report,
    local_date,
    report_due_month_day,
    report_state,
    set_report_due,
    today,
)
from mvi_community.manifest.services.signatories import (  # noqa: F401 - the domain's interface
    ManifestData,
    all_signatories,
    can_withdraw,
    current_manifest,
    get_manifest,
    get_signatory,
    manifest_counts,
    manifests,
    manifests_page,
    own_signatories,
    save_manifest,
    sign,
    signable_organisations,
    signatories_csv,
    signatories_page,
    signatory_counts,
    to_csv,
    withdraw,
)
