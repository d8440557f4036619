"""Platform indicators (`source: platform`): read from the other domains' *services* only.

Today the Manifest domain offers `manifest.services.platform_indicators(organisation_ids,
year)` → {organisation_id: {indicator_code: value | None}} (manifest_signed,
manifest_plan_published, manifest_report_on_time, manifest_mean_step_reached,
manifest_circular_share).  Other domains (cases, expert pool) can be added to PROVIDERS the
same way.  A provider whose module or function is missing contributes nothing: the benchmark
then simply has no platform values (never an error).
"""
from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy import select

from mvi_community.accounts.models import Organisation
from mvi_community.benchmark.importers.values import replace_values
from mvi_community.benchmark.models import Edition, ImportReport, Indicator
from mvi_community.extensions import db

#: (module, function) pairs; each returns {organisation_id: {indicator_code: value | None}}.
PROVIDERS = [("mvi_community.manifest.services", "platform_indicators")]


def _provider(module_name: str, function: str):
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, function, None)


def platform_values(organisation_ids: list[int], year: int) -> tuple[dict[int, dict[str, float]], list[str]]:
    """Values from every available provider (None values dropped) and the providers used."""
    values: dict[int, dict[str, float]] = {}
    used: list[str] = []
    for module_name, function in PROVIDERS:
        provider = _provider(module_name, function)
        if provider is None:
            continue
        used.append(f"{module_name}.{function}")
        for org_id, indicators in provider(organisation_ids, year).items():
            for code, value in indicators.items():
                if value is not None:
                    values.setdefault(org_id, {})[code] = float(value)
    return values, used


def refresh_platform_values(actor: Any, edition: Edition) -> dict[str, int]:
    """Make the stored platform values equal to what the providers say now.  Writes an
    ImportReport only when something changed.  Flushes."""
    indicators = {i.code: i.id for i in db.session.scalars(
        select(Indicator).where(Indicator.edition_id == edition.id, Indicator.active.is_(True),
                                Indicator.source == "platform"))}
    if not indicators:
        return replace_values(edition, "platform", {})
    organisation_ids = list(db.session.scalars(select(Organisation.id)))
    values, used = platform_values(organisation_ids, edition.year)
    wanted = {(org_id, indicators[code]): value for org_id, row in values.items()
              for code, value in row.items() if code in indicators}
    counts = replace_values(edition, "platform", wanted)
    if any(counts.values()):
        edition.touch_inputs()
        missing = sorted(code for code in indicators if not any(code in row for row in values.values()))
        db.session.add(ImportReport(edition_id=edition.id, source="platform", actor_id=getattr(actor, "id", None),
                                    summary={**counts, "values": len(wanted), "providers": used},
                                    problems={"indicators_without_values": missing}))
        db.session.flush()
    return counts
