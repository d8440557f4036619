"""Every Manifest page stays within the query budget (DESIGN.md §10: at most 12), with 40
signatories, plans with goals and three years of reports — enough for an N+1 to show."""
from __future__ import annotations

from datetime import date

import pytest

from tests.factories import commit, make_organisation, make_user
from tests.manifest.factories import (
    make_manifest,
    make_plan,
    make_report,
    make_signatory,
    new_client,
)

BUDGET = 12


@pytest.fixture()
def crowded(app):
    manifest = make_manifest()
    first = None
    for n in range(40):
        organisation = make_organisation(f"gm6{n:03d}", f"Gemeente Proef {n:02d}",
                                         type=("gemeente", "provincie", "waterschap", "rijk")[n % 4])
        signatory = make_signatory(manifest, organisation, signed_on=date(2023, 2, 1) if n % 6 == 0 else date(2022, 11, 24),
                                   withdrawn_on=date(2024, 8, 1) if n == 9 else None)
        make_user(f"beheer@gm6{n:03d}.example.nl", organisation=organisation, role="org_admin")
        make_user(f"lid@gm6{n:03d}.example.nl", organisation=organisation, role="member")
        if n % 3 != 2:
            make_plan(signatory, goals=(("circulair", 2, 4, 20.0), ("klimaat", 3, 4, None), ("social-return", 2, 3, 5.0)))
            for year in (2023, 2024, 2025):
                if (n + year) % 4:
                    make_report(signatory, year, submitted_on=date(year + 1, 3 if n % 2 else 5, 10),
                                circular_share=5.0 + n % 13)
        first = first or signatory
    make_user("sanne@mvi-community.nl", coordinator=True)
    commit()
    return manifest


PUBLIC = [
    "/manifest/", "/manifest/mvoi-2022", "/manifest/mvoi-2022/ondertekenaars",
    "/manifest/mvoi-2022/ondertekenaars?type=gemeente&groep=toetreders&q=proef",
    "/manifest/mvoi-2022/ondertekenaars.csv", "/manifest/mvoi-2022/organisaties/gm6000",
    "/manifest/mvoi-2022/organisaties/gm6000/actieplan", "/manifest/mvoi-2022/organisaties/gm6000/actieplan/afdrukken",
    "/manifest/monitor", "/manifest/monitor?jaar=2024", "/manifest/monitor.csv?jaar=2023",
    "/api/v1/manifests", "/api/v1/signatories?manifest=mvoi-2022&per_page=100",
]
ORG_ADMIN = [
    "/manifest/mvoi-2022", "/manifest/mvoi-2022/organisaties/gm6000", "/manifest/mvoi-2022/organisaties/gm6000/actieplan",
    "/manifest/mvoi-2022/organisaties/gm6000/actieplan/bewerken",
    "/manifest/mvoi-2022/organisaties/gm6000/rapportages/2025",
    "/manifest/mvoi-2022/organisaties/gm6000/rapportages/2026/bewerken",
    "/manifest/mvoi-2022/organisaties/gm6000/intrekken", "/manifest/mvoi-2022/ondertekenaars",
]
COORDINATOR = [
    "/manifest/", "/manifest/mvoi-2022", "/manifest/mvoi-2022/ondertekenen", "/manifest/nieuw", "/manifest/instellingen",
    "/manifest/mvoi-2022/bewerken", "/manifest/monitor?jaar=2024", "/manifest/monitor/organisaties.csv?jaar=2024",
    "/manifest/mvoi-2022/organisaties/gm6000", "/manifest/mvoi-2022/organisaties/gm6000/rapportages/2025",
]


def _measure(count_queries, client, url):
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert counter.count <= BUDGET, f"{url}: {counter.count} queries\n" + "\n".join(counter.statements)
    return counter.count


@pytest.mark.parametrize("who,urls", [(None, PUBLIC), ("beheer@gm6000.example.nl", ORG_ADMIN),
                                      ("sanne@mvi-community.nl", COORDINATOR)])
def test_pages_stay_within_the_query_budget(app, crowded, count_queries, who, urls):
    client = new_client(app, who)
    counts = {url: _measure(count_queries, client, url) for url in urls}
    assert counts
