"""Bounded whole numbers: no URL, query string or import value can overflow a database integer."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mvi_community.core.params import MAX_ID, bounded_int


@pytest.mark.parametrize(("value", "expected"), [
    ("12", 12), (" 7 ", 7), ("0", 0), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("-1", None),
    ("²", None), ("٣", None), ("1e3", None), ("", None), (None, None), ("12a", None), ("9" * 40, None), (5, 5),
])
def test_bounded_int(value, expected):
    assert bounded_int(value) == expected


@given(st.text(max_size=30))
def test_never_raises_and_stays_in_range(text):
    value = bounded_int(text, minimum=-5, maximum=1000)
    assert value is None or -5 <= value <= 1000


@pytest.mark.parametrize("path", [
    "/cases/99999999999999999999", "/criteria/versies/99999999999999999999",
    "/prize/99999999999999999999", "/expertpool/experts/99999999999999999999",
    "/api/v1/cases/99999999999999999999", "/benchmark/99999999999999999999",
])
def test_huge_numbers_in_urls_are_not_found(client, path):
    assert client.get(path).status_code == 404
