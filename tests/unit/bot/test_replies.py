"""Reply texts: same keys and placeholders in every language, Babel formatting per locale, channel limits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.replies import SMS_MAX_SEGMENTS, WHATSAPP_LIMIT, Replies, fit, placeholders, replies
from bot.sms import is_gsm7, segments
from domain.money import Money
from nlu.types import CATEGORIES, LANGUAGES

LOCALES = {"en": ("en_US",), "es": ("es_ES", "es_MX"), "pt": ("pt_BR", "pt_PT")}
REQUIRED = {
    "greeting",
    "welcome_guide",
    "help",
    "unknown",
    "ask_amount",
    "ask_category",
    "ask_clarify",
    "dropped_expense",
    "you_are_welcome",
    "nothing_pending",
    "not_an_answer",
    "opted_out_reminder",
    "refused_amount_zero",
    "refused_amount_negative",
    "refused_amount_too_large",
    "word_expense",
    "word_income",
    "expense_recorded",
    "expense_recorded_no_merchant",
    "income_recorded",
    "budget_line",
    "budget_over",
    "budget_set",
    "budget_status",
    "no_budget",
    "balance",
    "balance_line",
    "summary_total",
    "summary_line",
    "list_header",
    "list_line",
    "nothing_found",
    "confirm_undo",
    "undone",
    "confirm_edit",
    "edited",
    "nothing_to_undo",
    "language_changed",
    "not_registered",
    "rate_limited",
    "opted_out",
    "opted_in",
    "alert_threshold",
    "alert_over",
    "media_only",
    "invalid_amount",
    "invalid_decimals",
    "invalid_currency",
    "invalid_future_date",
    "invalid_old_date",
    "invalid_nothing_changed",
    "invalid_input",
    "transactions",
} | {f"category_{c}" for c in CATEGORIES}

SAMPLES: dict[str, Any] = {
    "amount": Money.of("45.90", "BRL"),
    "spent": Money.of("240", "BRL"),
    "income": Money.of("1000", "BRL"),
    "net": Money.of("760", "BRL"),
    "name": "ACME",
    "query": "uber",
    "phrase": "Tuesday 19th",
    "card": "1234",
    "n": 2,
    "days": 60,
    "budget": Money.of("300", "BRL"),
    "left": Money.of("60", "BRL"),
    "over": Money.of("12.5", "BRL"),
    "total": Money.of("1234.56", "BRL"),
    "old": Money.of("45", "BRL"),
    "new": Money.of("54", "BRL"),
    "day": date(2026, 11, 20),
    "start": date(2026, 11, 1),
    "end": date(2026, 11, 30),
    "percent": Decimal("0.8"),
    "count": 3,
    "merchant": "Mercado",
    "label": "Mercado",
    "amounts": "R$ 18,00, R$ 11,99",
    "limit": Money.of("1000000", "BRL"),
    "category": "mercado",
    "account": "Nubank",
    "description": "Uber",
    "period": "mês",
    "first": "R$ 45",
    "second": "R$ 4,50",
    "field": "o valor",
    "max": Money.of("1000000000000", "BRL"),
    "currency": "BRL",
    "decimals": 2,
    "person": "João",
    "who": "Ana",
    "threshold": Money.of("100", "BRL"),
    "balance": Money.of("80", "BRL"),
    "inviter": "João",
    "members": "Ana, Tom",
    "phone": "+5511912345678",
    "parts": 3,
    "people": 2,
    "origin": "Nubank",
    "target": "Poupança",
    "default": "Main",
    "number": 2,
    "kind": "cartão de crédito",
    "accounts": "Main, Nubank",
    "origin_currency": "BRL",
    "target_currency": "USD",
    "names": "mercado, restaurante",
    "choices": "ARS, MXN",
    "value": "EUR",
    "before": "BRL",
    "current": "America/Sao_Paulo",
    "setting": "moeda",
    "zone": "America/Sao_Paulo",
    "converted": Money.of("8.40", "USD"),
    "rate": Decimal("0.1830"),
    "anchor": 5,
    "weekday": "segunda-feira",
    "cadence": "todo mês",
    "saved": Money.of("300", "BRL"),
    "monthly": Money.of("625", "BRL"),
    "pace": "no ritmo",
    "from": "Main",
    "to": "Viagem",
    "previous": Money.of("1000", "BRL"),
    "when": "todo domingo",
    "hour": "18:00",
    "month": "julho de 2026",
}


@pytest.fixture(scope="module")
def texts() -> Replies:
    return replies()


def _variants(raw: str | dict[str, str]) -> list[str]:
    return list(raw.values()) if isinstance(raw, dict) else [raw]


def _placeholders(raw: str | dict[str, str]) -> set[str]:
    return set().union(*(placeholders(t) for t in _variants(raw)))


def test_english_has_every_required_key(texts: Replies) -> None:
    assert REQUIRED <= texts.keys("en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_the_same_keys_and_placeholders(texts: Replies, lang: str) -> None:
    assert texts.keys(lang) == texts.keys("en")
    for key in texts.keys("en"):
        raw, reference = texts.text(key, lang), texts.text(key, "en")
        assert isinstance(raw, dict) == isinstance(reference, dict), f"{lang}/{key}"
        assert _placeholders(raw) == _placeholders(reference), f"{lang}/{key}"
        if isinstance(raw, dict):
            assert {"one", "other"} <= set(raw), f"{lang}/{key}"
            assert all(placeholders(t) == _placeholders(reference) for t in raw.values()), f"{lang}/{key}"
        assert all(t.strip() for t in _variants(raw)), f"{lang}/{key} is empty"


@pytest.mark.parametrize(("lang", "locale"), [(lang, loc) for lang, locs in LOCALES.items() for loc in locs])
def test_every_key_renders_with_sample_values(texts: Replies, lang: str, locale: str) -> None:
    for key in texts.keys(lang):
        needed = _placeholders(texts.text(key, lang))
        assert needed <= set(SAMPLES), f"{key}: no sample for {needed - set(SAMPLES)}"
        out = texts.render(key, lang, locale, **{name: SAMPLES[name] for name in needed | {"count"}})
        assert "{" not in out and "\u00a0" not in out and "\u202f" not in out, f"{lang}/{key}"
        assert len(fit(out, "whatsapp")) < WHATSAPP_LIMIT
        assert segments(fit(out, "sms")) <= SMS_MAX_SEGMENTS


@pytest.mark.parametrize(
    ("lang", "locale", "currency", "amount", "expected"),
    [
        ("pt", "pt_BR", "BRL", "1234.56", "R$ 1.234,56"),
        ("pt", "pt_PT", "EUR", "1234.56", "1234,56 €"),
        ("en", "en_US", "USD", "1234.56", "$1,234.56"),
        ("es", "es_ES", "EUR", "1234.56", "1.234,56 €"),
        ("es", "es_MX", "MXN", "1234.56", "$1,234.56"),
        ("pt", "pt_BR", "BRL", "45.9", "R$ 45,90"),
        ("pt", "pt_PT", "EUR", "12345.67", "12 345,67 €"),
        ("pt", "pt_BR", "BRL", "-1234.56", "-R$ 1.234,56"),
        ("en", "en_US", "JPY", "1500", "¥1,500"),
    ],
)
def test_money_is_formatted_for_the_locale(
    texts: Replies, lang: str, locale: str, currency: str, amount: str, expected: str
) -> None:
    assert texts.money(Money.of(amount, currency), lang, locale) == expected


@pytest.mark.parametrize(
    ("lang", "locale", "currency", "expected"),
    [
        ("en", "en_US", "USD", "Delete $45.90 (Mercado) from 20 Nov? yes / no"),
        ("pt", "pt_BR", "BRL", "Apagar R$ 45,90 (Mercado) do dia 20 nov? sim / não"),
        ("es", "es_MX", "MXN", "¿Borro $45.90 (Mercado) del 20 nov? sí / no"),
    ],
)
def test_confirm_undo(texts: Replies, lang: str, locale: str, currency: str, expected: str) -> None:
    out = texts.render(
        "confirm_undo",
        lang,
        locale,
        amount=Money.of("45.90", currency),
        label="Mercado",
        day=date(2026, 11, 20),
    )
    assert out == expected


@pytest.mark.parametrize(
    ("lang", "locale", "expected"),
    [
        ("en", "en_US", "⚠️ 80% of your groceries budget used: $240.00 of $300.00."),
        ("es", "es_ES", "⚠️ Usaste 80 % de tu presupuesto de súper: 240,00 US$ de 300,00 US$."),
        ("pt", "pt_BR", "⚠️ Você já usou 80% do orçamento de mercado: US$ 240,00 de US$ 300,00."),
    ],
)
def test_alert_threshold_formats_percent_and_money(
    texts: Replies, lang: str, locale: str, expected: str
) -> None:
    out = texts.render(
        "alert_threshold",
        lang,
        locale,
        percent=Decimal("0.8"),
        category=texts.category("groceries", lang),
        spent=Money.of("240", "USD"),
        budget=Money.of("300", "USD"),
    )
    assert out == expected


@pytest.mark.parametrize(
    ("lang", "locale", "count", "expected"),
    [
        ("en", "en_US", 1, "1 transaction"),
        ("en", "en_US", 0, "0 transactions"),
        ("en", "en_US", 2, "2 transactions"),
        ("en", "en_US", 1500, "1,500 transactions"),
        ("es", "es_MX", 1, "1 movimiento"),
        ("es", "es_MX", 5, "5 movimientos"),
        ("es", "es_ES", 1000000, "1.000.000 de movimientos"),
        ("pt", "pt_BR", 1, "1 transação"),
        ("pt", "pt_BR", 0, "0 transação"),  # CLDR pt: 0 and 1 are "one"
        ("pt", "pt_PT", 0, "0 transações"),  # CLDR pt_PT: only 1 is "one"
        ("pt", "pt_BR", 3, "3 transações"),
    ],
)
def test_plural_variants(texts: Replies, lang: str, locale: str, count: int, expected: str) -> None:
    assert texts.render("transactions", lang, locale, count=count) == expected


def test_dates_use_the_language_pattern(texts: Replies) -> None:
    day = date(2026, 11, 20)
    assert texts.format_value("day", day, "en", "en_US") == "20 Nov"
    assert texts.format_value("day", day, "es", "es_MX") == "20 nov"
    assert texts.format_value("day", day, "pt", "pt_BR") == "20 nov."


@pytest.mark.parametrize(
    ("key", "lang", "values", "message"),
    [
        ("no_such_key", "en", {}, "no_such_key"),
        ("confirm_undo", "pt", {"amount": Money.of("1", "BRL")}, "confirm_undo"),
        ("transactions", "es", {}, "count"),
        ("greeting", "fr", {}, "fr"),
    ],
)
def test_missing_key_or_value_is_a_clear_key_error(
    texts: Replies, key: str, lang: str, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(KeyError, match=message):
        texts.render(key, lang, "pt_BR", **values)


def test_whatsapp_keeps_accents_and_short_texts() -> None:
    text = "Você já usou 80% do orçamento 👍"
    assert fit(text, "whatsapp") == text


def test_whatsapp_cuts_long_text_at_a_line_boundary() -> None:
    lines = [f"• linha número {i}: R$ 45,90" for i in range(200)]
    out = fit("\n".join(lines), "whatsapp")
    assert len(out) < WHATSAPP_LIMIT and out.endswith("\n…")
    assert all(line in lines for line in out.split("\n")[:-1])


def test_whatsapp_cuts_one_giant_line_at_a_word() -> None:
    out = fit("palavra " * 400, "whatsapp")
    assert len(out) < WHATSAPP_LIMIT and out.endswith("palavra…")


def test_sms_is_transliterated_only_when_needed() -> None:
    assert fit("Café 4,50 € ¿ok?", "sms") == "Café 4,50 € ¿ok?"
    assert fit("Você já usou 80% 👍", "sms") == "Voce ja usou 80%"


@pytest.mark.parametrize("text", ["ação " * 200, "a" * 400, "€ " * 300, "uma frase curta. " * 30])
def test_sms_stays_within_two_segments_cut_at_a_word(text: str) -> None:
    out = fit(text, "sms")
    assert is_gsm7(out) and segments(out) <= SMS_MAX_SEGMENTS
    assert out.endswith("...")
    if " " in text:
        assert out[:-3] in text.replace("ç", "c").replace("ã", "a") and not out[:-3].endswith(" ")


@pytest.mark.parametrize(("lang", "locale"), [("pt", "pt_BR"), ("es", "es_MX"), ("en", "en_US")])
def test_an_abbreviated_day_at_the_end_of_a_sentence_has_one_full_stop(lang: str, locale: str) -> None:
    from datetime import date

    from bot.replies import replies
    from domain.money import Money

    text = replies().render(
        "expense_recorded_no_merchant",
        lang,
        locale,
        amount=Money.of("12.50", "USD"),
        category="x",
        day=date(2026, 11, 20),
    )
    assert ".." not in text and text.endswith(".")
