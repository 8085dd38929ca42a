"""The NLU and the domain may not import each other, so the vocabulary they share is checked to agree here."""

from __future__ import annotations

from domain import model
from nlu import types


def test_categories_agree() -> None:
    assert types.CATEGORIES == model.CATEGORIES


def test_languages_agree() -> None:
    assert types.LANGUAGES == tuple(language.value for language in model.Language)
