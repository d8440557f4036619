"""Benchmark pages in a real Chromium on the demo data: zero axe violations on every page,
including the coordinator's import page with an error report and a municipality's own page."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.e2e

ANONYMOUS = [
    ("/benchmark/", "benchmark-index"),
    ("/benchmark/2025", "benchmark-edition"),
    ("/benchmark/2025?page=2", "benchmark-edition-page-2"),
    ("/benchmark/2025/organisaties/gm0344", "benchmark-organisation-public"),
]

COORDINATOR = [
    ("/benchmark/beheer", "benchmark-manage"),
    ("/benchmark/beheer/2025", "benchmark-manage-edition"),
    ("/benchmark/beheer/2025/methodologie", "benchmark-methodology"),
    ("/benchmark/beheer/2025/import", "benchmark-import"),
    ("/benchmark/beheer/2025/import/1", "benchmark-import-report"),
    ("/benchmark/beheer/2025/inspectie", "benchmark-inspect"),
    ("/benchmark/beheer/2025/inspectie?page=2", "benchmark-inspect-page-2"),
    ("/benchmark/2025/organisaties/gm0088", "benchmark-organisation-insufficient"),
    ("/benchmark/2025/organisaties/gm0599", "benchmark-organisation-coordinator"),
]


@pytest.mark.parametrize(("path", "name"), ANONYMOUS)
def test_public_benchmark_pages_pass_axe(page, path, name):
    assert page.goto(path).status == 200
    assert page.locator("h1").count() == 1
    check_accessibility(page, name)


def test_the_municipalitys_own_page(page):
    sign_in(page, "mvi@venlo.example.nl")
    assert page.goto("/benchmark/2025/organisaties/gm0983").status == 200
    assert page.locator("h1").count() == 1
    assert page.locator(".bm-position").inner_text().split("e van")[0].isdigit()
    assert page.get_by_role("heading", name="Verbeterpunten").is_visible()
    assert page.locator("svg[role=img]").count() >= 1
    check_accessibility(page, "benchmark-organisation-own")
    assert page.goto("/benchmark/2025/organisaties/gm0599").status == 403
    check_accessibility(page, "benchmark-organisation-forbidden")


def test_the_org_admin_sees_the_publicity_setting(page):
    sign_in(page, "inkoop@amsterdam.example.nl")
    assert page.goto("/benchmark/2025/organisaties/gm0363").status == 200
    assert page.get_by_label("Maak de benchmarkresultaten van onze organisatie openbaar").is_visible()
    check_accessibility(page, "benchmark-organisation-admin")


def test_coordinator_pages_pass_axe(page, tmp_path):
    sign_in(page, "coordinator@mvi-community.nl")
    for path, name in COORDINATOR:
        assert page.goto(path).status == 200, path
        assert page.locator("h1").count() == 1, path
        check_accessibility(page, name)
    # the import page with an error report
    bad = tmp_path / "monitor.csv"
    bad.write_text("organisation_code;indicator_code;value\ngm0363;monitor_circular_share;veel\ngm9999;monitor_circular_share;0,2\n",
                   encoding="utf-8")
    page.goto("/benchmark/beheer/2025/import")
    page.locator("#csv-file").set_input_files(str(bad))
    page.get_by_role("button", name="CSV inlezen").click()
    assert page.get_by_text("Regel 2: waarde veel is geen getal.").is_visible()
    assert page.get_by_text("Regel 3: onbekende organisatie gm9999.").is_visible()
    check_accessibility(page, "benchmark-import-errors")
    # the methodology form with problems
    page.goto("/benchmark/beheer/2025/methodologie")
    page.get_by_label("Thema's en indicatoren (JSON)").fill('{"themes": [{"code": "x", "weight": 0}], "indicators": []}')
    page.get_by_role("button", name="Methodologie opslaan").click()
    assert page.get_by_text("themes[0].weight: moet een getal groter dan 0 zijn").is_visible()
    check_accessibility(page, "benchmark-methodology-errors")
