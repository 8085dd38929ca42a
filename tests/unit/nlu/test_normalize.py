"""Normalization folds case, accents, emoji and repeats, and maps every character back to the original."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlu.normalize import fold, normalize


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Gastei R$ 45,90 no Pão de Açúcar", "gastei r$ 45,90 no pao de acucar"),
        ("¿Cuánto gasté?", "¿cuanto gaste?"),
        ("  almoço   32  ", "almoco 32"),
        ("siiiiim", "siim"),
        ("cafe 🎉🎉 4.50", "cafe 4.50"),
        ("tab\tand\nnewline", "tab and newline"),
        ("👍", "ok"),
        ("👎🏻", "no"),
        ("€45 £12 ¥100", "€45 £12 ¥100"),
        ("", ""),
    ],
)
def test_folding(text: str, folded: str) -> None:
    assert normalize(text).text == folded


@pytest.mark.parametrize(
    ("text", "piece", "original"),
    [
        ("Gastei no Pão de Açúcar ontem", "pao de acucar", "Pão de Açúcar"),
        ("  Paguei   na  Padaria do Zé!!", "padaria do ze", "Padaria do Zé"),
        ("siiiim, R$ 45,90", "r$ 45,90", "R$ 45,90"),
        ("😀 Starbucks", "starbucks", "Starbucks"),
    ],
)
def test_spans_map_back_to_what_was_typed(text: str, piece: str, original: str) -> None:
    norm = normalize(text)
    start = norm.text.index(piece)
    assert norm.original_span(start, start + len(piece)) == original


@given(st.text())
def test_offsets_always_point_into_the_original(text: str) -> None:
    norm = normalize(text)
    assert len(norm.offsets) == len(norm.text) + 1
    assert norm.offsets[-1] == len(text)
    assert all(0 <= o < len(text) for o in norm.offsets[:-1])
    assert list(norm.offsets[:-1]) == sorted(norm.offsets[:-1])
    assert norm.text == norm.text.strip() and "  " not in norm.text


def test_fold_is_idempotent_for_data_words() -> None:
    for word in ["almoço", "você", "cuánto", "MÉDICO", "pão de açúcar"]:
        assert fold(fold(word)) == fold(word)
