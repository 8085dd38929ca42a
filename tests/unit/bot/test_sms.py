"""GSM-7 detection, segment counting and transliteration for SMS replies."""

from __future__ import annotations

import pytest

from bot.sms import is_gsm7, segments, to_gsm7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, $12.50 @ café", True),
        ("¿Cuánto?", False),  # á is not in GSM-7
        ("¿Señor? ¡Hola! Ç é ü ñ Ø Å ß", True),
        ("100 € [ok] {x} ~ | ^ \\", True),
        ("gastei 45,90 no almoço", False),
        ("ã", False),
        ("👍", False),
        ("“quoted”", False),
        ("\x1b", False),
    ],
)
def test_is_gsm7(text: str, expected: bool) -> None:
    assert is_gsm7(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # 160 septets
        ("€" + "a" * 159, 2),  # 161 septets
        ("a" * 152 + "€" + "a" * 153, 3),  # the escape pair does not split, so it spills over
        ("ã", 1),
        ("ã" * 70, 1),
        ("ã" * 71, 2),
        ("ã" * 134, 2),
        ("ã" * 135, 3),
        ("a" * 159 + "ã", 3),  # one ã turns 160 characters into UCS-2
    ],
)
def test_segments(text: str, expected: int) -> None:
    assert segments(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("almoço não", "almoco nao"),
        ("Ação Çé", "Acao Çé"),
        ("¿Cuánto gasté? ¡Listo! señor pingüino", "¿Cuanto gasté? ¡Listo! señor pingüino"),
        ("“ok” ‘sim’ – e — fim…", "\"ok\" 'sim' - e - fim..."),
        ("feito 👍🏽 pronto ✅", "feito pronto"),
        ("R$\u00a045,90 • 80\u202f%", "R$ 45,90 - 80 %"),
        ("Olá\n• café", "Ola\n- café"),
        ("100 €", "100 €"),
    ],
)
def test_to_gsm7(text: str, expected: str) -> None:
    out = to_gsm7(text)
    assert out == expected
    assert is_gsm7(out)


def test_a_single_accent_forces_ucs2_until_transliterated() -> None:
    text = "a" * 150 + " não"
    assert not is_gsm7(text) and segments(text) == 3
    assert is_gsm7(to_gsm7(text)) and segments(to_gsm7(text)) == 1
