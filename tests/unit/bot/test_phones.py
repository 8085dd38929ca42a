"""Phone numbers in chat messages: written the national way, made international with the writer's country."""

from __future__ import annotations

import pytest

from bot.conversation.phones import find_phone, region_of


@pytest.mark.parametrize(
    ("text", "home", "expected"),
    [
        ("add my wife +55 11 91234-5678", "+5511900000000", "+5511912345678"),
        ("convida o João 11 91234-5678", "+5511900000000", "+5511912345678"),
        ("convida o João (21) 99876-5432", "+5511900000000", "+5521998765432"),
        ("agrega a mi roomie 55 1234 5678", "+525511112222", "+525512345678"),
        ("invite tom (415) 555-0134", "+14155550100", "+14155550134"),
        ("agrega a sofi +52 55 1234 5678", "+14155550100", "+525512345678"),
    ],
)
def test_a_number_is_read_in_the_writers_country_unless_it_says_its_own(
    text: str, home: str, expected: str
) -> None:
    assert find_phone(text, home) == expected


@pytest.mark.parametrize(
    "text", ["split 90 with tom", "paguei 120 do jantar em 05/12", "gastei 1.234,56", ""]
)
def test_amounts_days_and_words_are_not_numbers(text: str) -> None:
    assert find_phone(text, "+5511900000000") is None


def test_the_region_of_an_international_number() -> None:
    assert (region_of("+5511912345678"), region_of("+525512345678"), region_of("nonsense")) == (
        "BR",
        "MX",
        None,
    )
