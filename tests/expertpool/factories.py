"""Rows for expert-pool tests (flush only; the test commits when it needs to)."""
from __future__ import annotations

from sqlalchemy import select

from mvi_community.core.taxonomy import ProductGroup, Theme, ensure_reference_data
from mvi_community.expertpool.models import Expert, SupportRequest
from mvi_community.expertpool.services.common import local_today
from mvi_community.extensions import db
from tests.factories import make_organisation, make_user


def theme(code: str) -> Theme:
    ensure_reference_data()
    return db.session.scalar(select(Theme).where(Theme.code == code))


def group(code: str) -> ProductGroup:
    ensure_reference_data()
    return db.session.scalar(select(ProductGroup).where(ProductGroup.code == code))


def make_expert(name: str | None = None, employer=None, themes=("circulair",), skills=("gunningscriteria",),
                groups=(), status: str = Expert.APPROVED, days_per_quarter: float = 4.0, max_concurrent: int = 2,
                bio: str = "Adviseur maatschappelijk verantwoord inkopen.", email: str | None = None,
                organisation_types=("gemeente",), regions=()) -> Expert:
    employer = employer or make_organisation(type="rijk")
    user = make_user(email, name, employer)
    expert = Expert(user=user, employer=employer, bio=bio, skills=list(skills), languages=["nl"],
                    themes=[theme(c) for c in themes], product_groups=[group(c) for c in groups],
                    organisation_types=list(organisation_types), regions=list(regions),
                    days_per_quarter=days_per_quarter, max_concurrent=max_concurrent, status=status)
    db.session.add(expert)
    db.session.flush()
    return expert


def make_request(organisation=None, requester=None, title: str = "Gunningscriteria voor circulair meubilair",
                 goal: str = "gunningscriteria", themes=("circulair",), product_group: str | None = "kantoormeubilair",
                 description: str = "Wij kopen nieuw kantoormeubilair en willen circulair meubilair belonen.",
                 days_needed: float = 2.0, status: str = SupportRequest.SUBMITTED, **kwargs) -> SupportRequest:
    organisation = organisation or make_organisation()
    requester = requester or make_user(organisation=organisation)
    r = SupportRequest(organisation=organisation, requester=requester, title=title, goal=goal,
                       themes=[theme(c) for c in themes], product_group=group(product_group) if product_group else None,
                       description=description, days_needed=days_needed, status=status,
                       year=local_today().year, **kwargs)
    db.session.add(r)
    db.session.flush()
    return r
