"""A tenant's own merchants (parse(merchants=...)): matched ahead of the shipped list, with their category."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest

import nlu
from nlu import TenantMerchant, merchant_overlay, parse, read_payee
from nlu.jsonl import handle_line

NOW = datetime.fromisoformat("2026-11-18T15:00:00-03:00")
MINE = (
    TenantMerchant("Padaria do Zé", ("padaria ze", "zezinho"), "dining"),
    TenantMerchant("Uber", ("uber trip",), "travel"),  # overrides the shipped Uber's category for this tenant
    TenantMerchant("Loja 21", (), None),
    TenantMerchant("Oficina do Beto", (), None),
    TenantMerchant("Acme Consulting", ("acme",), "other_income"),
)


@pytest.mark.parametrize(
    ("text", "lang", "merchant", "category"),
    [
        ("spent 30 at padaria do ze", "en", "Padaria do Zé", "dining"),
        ("gastei 30 na padaria do zé", "pt", "Padaria do Zé", "dining"),
        ("PADARIA DO ZE 30", "pt", "Padaria do Zé", "dining"),
        ("gastei 30 no zezinho ontem", "pt", "Padaria do Zé", "dining"),
        ("padaria ze 12,50", "pt", "Padaria do Zé", "dining"),
        ("padariadoze 12,50", "pt", "Padaria do Zé", "dining"),  # run together, as statements write it
        ("uber 20", "en", "Uber", "travel"),
        ("uber eats 31.25", "en", "Uber", "travel"),  # the tenant's merchant comes before the shipped list
        (
            "loja 21 50",
            "pt",
            "Loja 21",
            "shopping",
        ),  # a number of the name is the name; no category: its words
        ("oficina do beto 300", "pt", "Oficina do Beto", "transport"),
        ("spent 300 at acme", "en", "Acme Consulting", None),  # its category is income's: not an expense's
        ("not at padaria do ze, at starbucks 5", "en", "Starbucks", "dining"),  # negated: the other one
    ],
)
def test_the_tenants_merchant_is_matched_first(
    text: str, lang: str, merchant: str, category: str | None
) -> None:
    result = parse(text, now=NOW, lang=lang, currency="BRL", merchants=MINE)
    assert (result.merchant, result.category) == (merchant, category)


def test_the_amount_is_still_read() -> None:
    result = parse("loja 21 50", now=NOW, lang="pt", currency="BRL", merchants=MINE)
    assert result.amount == Decimal("50")
    assert parse("uber 20", now=NOW, lang="en", currency="USD", merchants=MINE).amount == Decimal("20")


def test_without_merchants_the_shipped_list_answers_as_before() -> None:
    for merchants in (None, (), []):
        result = parse("uber 20", now=NOW, lang="en", currency="USD", merchants=merchants)
        assert (result.merchant, result.category) == ("Uber", "transport")
    unknown = parse("spent 30 at padaria do ze", now=NOW, lang="en", currency="BRL")
    assert unknown.merchant == "padaria do ze"


def test_a_merchant_with_no_category_lets_the_words_decide() -> None:
    # "almoço" says dining whoever the merchant is; the name's own words ("padaria") count like an unknown's.
    result = parse("almoço na oficina do beto 30", now=NOW, lang="pt", currency="BRL", merchants=MINE)
    assert (result.merchant, result.category) == ("Oficina do Beto", "dining")
    bakery = (TenantMerchant("Padaria Estrela"),)
    result = parse("padaria estrela 12", now=NOW, lang="pt", currency="BRL", merchants=bakery)
    assert (result.merchant, result.category) == ("Padaria Estrela", "groceries")


def test_a_category_the_intent_rules_out_is_not_given() -> None:
    result = parse("gastei 30 na acme", now=NOW, lang="pt", currency="BRL", merchants=MINE)
    assert result.merchant == "Acme Consulting"
    assert result.category != "other_income"


def test_read_payee_uses_them_too() -> None:
    assert read_payee("zezinho", "pt", merchants=MINE) == ("Padaria do Zé", "dining")
    assert read_payee("PAG*PADARIA DO ZE SAO PAULO BR", "pt", merchants=MINE) == ("Padaria do Zé", "dining")
    assert read_payee("TED ACME", "pt", merchants=MINE, intent="add_income") == (
        "Acme Consulting",
        "other_income",
    )


def test_the_overlay_is_built_once_per_list() -> None:
    assert merchant_overlay(list(MINE)) is merchant_overlay(tuple(MINE))
    built = merchant_overlay(MINE)
    assert merchant_overlay(built) is built
    assert merchant_overlay([]) is None and merchant_overlay(None) is None
    with pytest.raises(TypeError):
        merchant_overlay([{"name": "x"}])  # type: ignore[list-item]


def test_an_alias_claimed_twice_goes_to_the_first() -> None:
    both = (
        TenantMerchant("A Shop", ("corner",), "shopping"),
        TenantMerchant("B Shop", ("corner",), "dining"),
    )
    assert read_payee("corner", "en", merchants=both) == ("A Shop", "shopping")


def test_a_thousand_merchants_are_matched_fast() -> None:
    many = tuple(TenantMerchant(f"Cliente {i:04d} Ltda", (f"cli{i:04d}",), "other") for i in range(1000))
    overlay = nlu.merchant_overlay(many)
    result = parse("paguei 30 pra cli0420", now=NOW, lang="pt", currency="BRL", merchants=overlay)
    assert result.merchant == "Cliente 0420 Ltda"


def test_the_nlu_command_takes_merchants() -> None:
    request = {
        "text": "spent 30 at padaria do ze",
        "now": NOW.isoformat(),
        "currency": "BRL",
        "merchants": [{"name": "Padaria do Zé", "aliases": ["zezinho"], "category": "dining"}],
    }
    result = json.loads(handle_line(json.dumps(request)))
    assert (result["merchant"], result["category"]) == ("Padaria do Zé", "dining")


@pytest.mark.parametrize(
    "merchants",
    [
        "Padaria",
        [{"name": ""}],
        [{"name": "x", "category": "food"}],
        [{"name": "x", "aliases": "y"}],
        [{"name": "x", "colour": "red"}],
        [{"name": "x" * 201}],
    ],
)
def test_the_nlu_command_refuses_malformed_merchants(merchants: object) -> None:
    result = json.loads(handle_line(json.dumps({"text": "hi", "merchants": merchants})))
    assert "merchants" in result["error"]
