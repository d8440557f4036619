"""Benchmark rules, split by concern (DESIGN §3: a sub-package past ~500 lines):

* `editions`  — editions, the default methodology, saving the methodology, indicator rows;
* `results`   — compute, publish, versions, export, who may see a result (with the
                `register_result_viewer` hook for the prize jury);
* `platform`  — platform indicators read from other domains' services (optional);
* `pages`     — read models for the pages (stored rows only).

Importers live in `benchmark.importers`.  Services flush, never commit.
"""
from mvi_community.benchmark.services.editions import (  # noqa: F401
    DEFAULT_INDICATORS,
    MethodologyInvalid,
    create_edition,
    default_methodology,
    default_period,
    ensure_edition,
    find_edition,
    get_edition,
    list_editions,
    methodology_of,
    parse_methodology_json,
    save_methodology,
)
from mvi_community.benchmark.services.results import (  # noqa: F401
    LEADING_COLUMNS,
    can_view_result,
    compute_edition,
    export_csv,
    export_json,
    export_rows,
    export_xlsx,
    get_version,
    publish_edition,
    ranked_totals,
    register_result_viewer,
    set_results_public,
)
