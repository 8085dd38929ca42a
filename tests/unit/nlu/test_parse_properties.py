"""Any text gives a result that follows the contract, and nothing raises (hypothesis)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlu import CATEGORIES, INTENTS, LANGUAGES, parse
from nlu.jsonl import handle_line

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
DECIMAL = re.compile(r"^\d+(\.\d+)?$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def assert_contract(result: dict) -> None:
    assert result["lang"] in LANGUAGES
    assert result["intent"] in INTENTS
    assert result["amount"] is None or (DECIMAL.match(result["amount"]) and float(result["amount"]) > 0)
    assert result["currency"] is None or re.fullmatch(r"[A-Z]{3}", result["currency"])
    assert result["date"] is None or DAY.match(result["date"])
    period = result["period"]
    assert period is None or (
        DAY.match(period["start"]) and DAY.match(period["end"]) and period["start"] <= period["end"]
    )
    assert result["recurrence"] in (None, "weekly", "monthly")
    assert result["count"] is None or (isinstance(result["count"], int) and result["count"] > 0)
    assert result["merchant"] is None or (isinstance(result["merchant"], str) and result["merchant"].strip())
    assert result["category"] is None or result["category"] in CATEGORIES
    assert 0.0 <= result["confidence"] <= 1.0
    for mention in result["amounts"]:
        assert DECIMAL.match(mention["amount"]) and re.fullmatch(r"[A-Z]{3}", mention["currency"])
        assert isinstance(mention["text"], str) and mention["text"]


TEXTS = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.text(alphabet="0123456789.,$€R£ kmilreaisdolaresontemayeryesterday/-", max_size=60),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=50),
    st.text(alphabet="שלוםمرحبا٠١٢٣", max_size=50),
    st.text(alphabet="😀🎉💸🤑👍🏽🇧🇷", max_size=30),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=TEXTS,
    lang=st.sampled_from([None, *LANGUAGES]),
    currency=st.sampled_from([None, "USD", "BRL", "MXN"]),
)
def test_any_text_gives_a_valid_result(text: str, lang: str | None, currency: str | None) -> None:
    assert_contract(parse(text, now=NOW, lang=lang, currency=currency).to_json())


def test_edge_texts() -> None:
    for text in [
        "",
        " ",
        "\x00\x01\x02",
        "a" * 10_000,
        "9" * 10_000,
        "1.2.3.4.5,6,7,8",
        "\u202egastei 30\u202c",
        "😀" * 500,
        "R$" * 3000,
        "\ud800\udc00\ud800",
        "$" * 10_000,
    ]:
        assert_contract(parse(text, now=NOW).to_json())


@settings(max_examples=100, deadline=None)
@given(text=st.text())
def test_json_lines_with_escaped_surrogates_give_valid_utf8_results(text: str) -> None:
    line = json.dumps({"text": text + "\ud83d", "now": NOW.isoformat()})  # a lone surrogate, escaped
    out = handle_line(line.encode())
    out.encode("utf-8")
    assert_contract(json.loads(out))
