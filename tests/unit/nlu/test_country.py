"""The country request key of `centavo nlu` and the default country taken from the zone or the currency."""

from __future__ import annotations

import json

import pytest

from nlu.country import country_of
from nlu.jsonl import handle_line


@pytest.mark.parametrize(
    ("country", "tz", "currency", "expected"),
    [
        ("pt", "America/Sao_Paulo", "BRL", "PT"),  # said wins over the zone
        (None, "America/Sao_Paulo", None, "BR"),
        (None, "Europe/Lisbon", "EUR", "PT"),
        (None, "America/Argentina/Buenos_Aires", None, "AR"),
        (None, "America/Toronto", "USD", "CA"),  # the zone wins over a shared currency
        (None, None, "MXN", "MX"),
        (None, "UTC", "EUR", None),  # neither names a country: none is guessed
        (None, "Not/AZone", "USD", None),
    ],
)
def test_the_country_is_said_else_the_zones_else_a_one_country_currencys(
    country: str | None, tz: str | None, currency: str | None, expected: str | None
) -> None:
    assert country_of(country, tz, currency) == expected


@pytest.mark.parametrize("bad", ["BRA", "1", "", 55, ["BR"], "B\x00"])
def test_a_malformed_country_is_an_error_line(bad: object) -> None:
    out = json.loads(handle_line(json.dumps({"text": "spent 20", "country": bad})))
    assert "country" in out["error"]


def test_a_result_lists_nothing_unresolved_when_everything_named_resolved() -> None:
    out = json.loads(handle_line(json.dumps({"text": "spent 20 at target yesterday", "country": "us"})))
    assert out["unresolved"] == [] and out["amount"] == "20" and out["date"] is not None
