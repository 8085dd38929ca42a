"""The settings fields of `centavo nlu` (setting, value, choices) and the week_start request field."""

from __future__ import annotations

import json

import pytest

from nlu.jsonl import handle_line

NOW = "2026-12-06T15:00:00+00:00"  # a Sunday


def result(**request: object) -> dict:
    return json.loads(handle_line(json.dumps({"now": NOW, **request})))


def test_a_setting_change_names_the_setting_and_its_value() -> None:
    out = result(text="mude meu fuso pra Lisboa", lang="pt", currency="BRL")
    assert (out["intent"], out["setting"], out["value"], out["choices"]) == (
        "change_setting",
        "timezone",
        "Europe/Lisbon",
        [],
    )


def test_an_ambiguous_value_gives_its_choices_and_no_value() -> None:
    out = result(text="set my time zone to san jose", lang="en", currency="USD")
    assert out["value"] is None
    assert out["choices"] == ["America/Costa_Rica", "America/Los_Angeles"]


def test_a_conversion_names_the_currency_asked_for() -> None:
    out = result(text="899 euros in dollars", lang="en", currency="BRL")
    assert (out["intent"], out["amount"], out["currency"], out["value"]) == (
        "convert_currency",
        "899",
        "EUR",
        "USD",
    )


def test_other_intents_leave_the_settings_fields_empty() -> None:
    out = result(text="spent 25 at starbucks", lang="en")
    assert (out["setting"], out["value"], out["choices"]) == (None, None, [])


@pytest.mark.parametrize(
    ("week_start", "start", "end"),
    [
        (None, "2026-11-30", "2026-12-06"),
        ("monday", "2026-11-30", "2026-12-06"),
        ("sunday", "2026-12-06", "2026-12-12"),
    ],
)
def test_this_week_follows_the_requested_week_start(week_start: str | None, start: str, end: str) -> None:
    out = result(text="how much did i spend this week", lang="en", week_start=week_start, tz="UTC")
    assert out["period"] == {"start": start, "end": end}


def test_an_unknown_week_start_is_an_error_line() -> None:
    assert "week_start" in result(text="this week", week_start="wednesday")["error"]
