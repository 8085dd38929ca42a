"""find_category: the known merchant's default, the words people use, context, income and negation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.categories import find_category
from nlu.merchants import MerchantMatch, find_merchant
from nlu.normalize import normalize
from nlu.types import CATEGORIES
from tests.unit.nlu.test_merchants import claimed


def category(text: str, lang: str, intent: str | None = "add_expense", *dates: str) -> str | None:
    """As the pipeline calls it: the merchant first, its span then claimed along with amounts and dates."""
    norm = normalize(text)
    spans = claimed(norm.text, *dates)
    found = find_merchant(norm, lang, exclude=spans)
    if found is not None:
        spans.append((found.start, found.end))
    return find_category(norm, lang, found, intent, exclude=spans)


FROM_MERCHANT = [
    ("starbucks 5.50", "en", "dining"),
    ("amazon 23.99 phone case", "en", "shopping"),
    ("walmart 58 groceries", "en", "groceries"),
    ("netflix me cobró 20", "es", "subscriptions"),
    ("pemex 600 de gasolina para la camioneta", "es", "transport"),
    ("le metí 100 de saldo a mi telcel", "es", "utilities"),
    ("rappi 42.000 de sushi", "es", "dining"),
    ("pão de açúcar 214,90", "pt", "groceries"),
    ("comprei um sapato na Renner, 229", "pt", "shopping"),
    ("galp 55 euros de gasóleo", "pt", "transport"),
]


@pytest.mark.parametrize(("text", "lang", "expected"), FROM_MERCHANT)
def test_known_merchant_gives_its_category(text: str, lang: str, expected: str) -> None:
    assert category(text, lang) == expected


FROM_WORDS = [
    ("en", "add_expense", "groceries at the supermarket 73.49", "groceries"),
    ("en", "add_expense", "dropped forty bucks on a cab", "transport"),
    ("en", "add_expense", "electric bill came to 96.12", "utilities"),
    ("en", "add_expense", "textbooks for my online course 85", "education"),
    ("en", "add_expense", "nail salon 55", "personal_care"),
    ("en", "add_expense", "paid the mortgage 1,234.56", "housing"),
    ("en", "add_expense", "spent 1,200 on a flight and hotel", "travel"),
    ("en", "add_expense", "movie tickets for two, 32", "entertainment"),
    ("en", "add_expense", "gym membership 29.99", "health"),
    ("en", "set_budget", "make my subscriptions budget 45 per month", "subscriptions"),
    ("en", "spending_summary", "how much on food this month", "dining"),
    ("es", "add_expense", "puse 4.200 de nafta", "transport"),
    ("es", "add_expense", "ya le transferí 1.800.000 pesos del arriendo al dueño", "housing"),
    ("es", "add_expense", "1,5 mil en la verdulería", "groceries"),
    ("es", "add_expense", "el día 5 pagué la colegiatura, 4800", "education"),
    ("es", "add_expense", "el miércoles pasado fui a la peluquería, 180", "personal_care"),
    ("es", "add_expense", "pagué 3000 de expensas", "housing"),
    ("es", "add_expense", "2k en zapatos para el niño", "shopping"),
    ("es", "set_budget", "presupuesto de 300 para comida al mes", "dining"),
    ("pt", "add_expense", "fiz a feira hoje, deu 62", "groceries"),
    ("pt", "add_expense", "gastei trinta reais no almoço", "dining"),
    ("pt", "add_expense", "paguei a conta de energia 243,18", "utilities"),
    ("pt", "add_expense", "talho 23,40", "groceries"),
    ("pt", "add_expense", "pequeno almoço na pastelaria 3,80 €", "dining"),
    ("pt", "add_expense", "autocarro e metro hoje 3,20", "transport"),
    ("pt", "add_expense", "cortei o cabelo, vinte e cinco", "personal_care"),
    ("pt", "add_expense", "aula de violão 150", "education"),
    ("pt", "add_expense", "mil reais na passagem pra Recife", "travel"),
    ("pt", "spending_summary", "quanto gastei com lazer esse mês", "entertainment"),
]


@pytest.mark.parametrize(("lang", "intent", "text", "expected"), FROM_WORDS)
def test_category_words(lang: str, intent: str, text: str, expected: str) -> None:
    assert category(text, lang, intent) == expected


CONTEXT = [
    # the longest phrase wins, then the earliest word
    ("en", "usd 15 for a phone case", "shopping"),
    ("en", "car insurance 134", "transport"),
    ("en", "phone bill 80", "utilities"),
    ("es", "pagué el corte de luz", "utilities"),
    ("pt", "café da manhã na padaria 12", "dining"),
    ("pt", "taxi 37 até a rodoviária", "transport"),
    # ambiguous words read by the rest of the message
    ("en", "dropped $40 on gas", "transport"),
    ("en", "gas bill 60", "utilities"),
    ("en", "paid gas and electric 120", "utilities"),
    ("en", "new phone 900", "shopping"),
    ("en", "book a flight 300", "travel"),
    ("es", "pagué el gas 300", "utilities"),
    ("es", "gas para el carro 500", "transport"),
    ("es", "boleto de avión 4000", "travel"),
    ("pt", "celular 80", "utilities"),
    ("pt", "comprei um celular novo 1200", "shopping"),
    ("pt", "passagem de ônibus 4,40", "transport"),
    ("pt", "paguei a renda, 750 euros", "housing"),
    # words that contain a category word but say none
    ("pt", "segunda feira gastei 20", None),
    ("es", "está super caro, 90", None),
    # a negated word only when nothing else is said
    ("es", "no fue en el súper, fue en la farmacia", "health"),
    ("es", "la categoría es transporte, no comida", "transport"),
    ("en", "not groceries, it was for the gym", "health"),
    # words outside an unknown merchant's name say what was bought; its own words come next
    ("pt", "almoço na padaria do Zé 25", "dining"),
    ("pt", "padaria do Zé 14,50", "groceries"),
    ("en", "i spent $14.80 at joe's diner", "dining"),
    ("es", "gasté 60 en la tiendita de doña rosa", "groceries"),
    # nothing said
    ("en", "spent 40 yesterday", None),
    ("pt", "paguei 50", None),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CONTEXT)
def test_context(lang: str, text: str, expected: str | None) -> None:
    assert category(text, lang) == expected


INCOME = [
    ("en", "add_income", "my paycheck came in today, 2,340.55", "salary"),
    ("en", "add_income", "sold my old guitar for 320", "other_income"),
    ("en", "add_income", "tax refund of 1,234.56 deposited", "other_income"),
    ("en", "add_income", "received 200 euros from my brother", "other_income"),
    ("en", "add_income", "landlord returned my deposit 1,100", "other_income"),
    ("en", "add_income", "amazon refunded me 18.99", "other_income"),
    ("es", "add_income", "hoy me depositaron mi quincena de 8700", "salary"),
    ("es", "add_income", "cobré la nómina: 1.950 €", "salary"),
    ("es", "add_income", "gané 2k dando clases de guitarra", "other_income"),
    ("es", "add_income", "el día 5 cobré el alquiler del local, 650 €", "other_income"),
    ("pt", "add_income", "recebi o ordenado, 1.250 €", "salary"),
    ("pt", "add_income", "entrou 2,5 mil de freela", "other_income"),
    ("pt", "add_income", "recebi as férias 3.800", "salary"),
    ("pt", "add_income", "hoje me pagaram 300 da Uber", "other_income"),
    # income words do not make an expense income, and queries may ask about either
    ("pt", "add_expense", "gastei o salário todo no mercado", "groceries"),
    ("en", "add_expense", "bonus dinner 80", "dining"),
    ("en", "set_budget", "budget for my salary 3000", None),
    ("en", "list_transactions", "show my salary deposits", "salary"),
    ("pt", None, "quanto recebi de freela esse mês", "other_income"),
]


@pytest.mark.parametrize(("lang", "intent", "text", "expected"), INCOME)
def test_income(lang: str, intent: str | None, text: str, expected: str | None) -> None:
    assert category(text, lang, intent) == expected


def test_unknown_merchant_span_claimed_by_the_pipeline_is_still_read() -> None:
    norm = normalize("padaria do Zé 14,50")
    shop = MerchantMatch("padaria do Zé", False, None, 0, 13, 50.0)
    assert find_category(norm, "pt", shop, "add_expense", exclude=[(0, 13), (14, 19)]) == "groceries"


def test_words_of_a_known_name_are_not_read() -> None:
    norm = normalize("pizza hut 40")
    hut = MerchantMatch("Pizza Hut", True, "dining", 0, 9, 100.0)
    assert find_category(norm, "en", hut, "add_income", exclude=[(0, 9), (10, 12)]) == "other_income"


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=80),
    lang=st.sampled_from(["en", "es", "pt", "xx"]),
    intent=st.sampled_from([None, "add_expense", "add_income", "spending_summary", "greeting"]),
    spans=st.lists(st.tuples(st.integers(-5, 90), st.integers(-5, 90)), max_size=4),
)
def test_never_raises(text: str, lang: str, intent: str | None, spans: list[tuple[int, int]]) -> None:
    norm = normalize(text)
    found = find_merchant(norm, lang, exclude=spans)
    result = find_category(norm, lang, found, intent, exclude=spans)
    assert result is None or result in CATEGORIES
