"""Prize rules, split by concern (DESIGN §3): `common` (settings, lookups), `editions` (rules,
rubric, dates, publication, JSON import), `nominations` (eligibility, merging, dossiers),
`jury` (invitations, conflicts, assignment), `replacements` (the released assignment per
nomination: replacement jurors after a late conflict, withdrawals), `scores` (scoring sheet,
import), `results` (engine, report, exports). Services flush, never commit."""
from mvi_community.prize.services.common import (  # noqa: F401
    PHASE_LABELS,
    find_edition,
    get_edition,
    get_nomination,
    get_settings,
    juror_of,
    list_editions,
    local,
    save_settings,
)
