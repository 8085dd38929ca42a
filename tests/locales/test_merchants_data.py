"""The merchant list and the category lexicons: shape, coverage and the mistakes data files tend to have."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from nlu.data import load, load_lang
from nlu.merchants import index, phrase_keys
from nlu.normalize import fold
from nlu.types import CATEGORIES, LANGUAGES

COUNTRIES = {"US", "GB", "MX", "ES", "AR", "CO", "BR", "PT"}
MIN_MERCHANTS = 300
MIN_PER_COUNTRY = 25
CUE_KEYS = {
    "before",
    "drop",
    "articles",
    "inside",
    "places",
    "generic",
    "stop",
    "weak_before",
    "name_needs_article",
}


def merchants() -> list[dict[str, Any]]:
    return load("merchants.yaml")["merchants"]


def lexicon(lang: str) -> dict[str, Any]:
    return load_lang(lang, "categories")


def strings(value: Any) -> list[Any]:
    """Every leaf of a YAML tree that is not a string: `no`, `on`, `yes` unquoted turn into booleans."""
    if isinstance(value, dict):
        return [bad for v in value.values() for bad in strings(v)]
    if isinstance(value, list):
        return [bad for v in value for bad in strings(v)]
    return [] if isinstance(value, str) else [value]


def test_there_are_enough_merchants_with_valid_fields() -> None:
    entries = merchants()
    assert len(entries) >= MIN_MERCHANTS
    for entry in entries:
        assert set(entry) <= {"name", "category", "countries", "aliases", "weak", "bare_name"}, entry
        assert isinstance(entry["name"], str) and entry["name"].strip(), entry
        assert entry["category"] in CATEGORIES, entry
        assert entry["countries"] and set(entry["countries"]) <= COUNTRIES, entry
        assert not strings(entry.get("aliases") or []) and not strings(entry.get("weak") or []), entry
    names = Counter(entry["name"] for entry in entries)
    assert not [name for name, count in names.items() if count > 1]


def test_every_country_has_its_everyday_merchants() -> None:
    counts = Counter(country for entry in merchants() for country in entry["countries"])
    thin = {country: counts[country] for country in COUNTRIES if counts[country] < MIN_PER_COUNTRY}
    assert not thin


def test_aliases_are_folded_and_belong_to_one_merchant() -> None:
    owner: dict[str, str] = {}
    for entry in merchants():
        for alias in [*(entry.get("aliases") or []), *(entry.get("weak") or [])]:
            assert fold(alias) == alias, f"{entry['name']}: {alias!r} is not folded"
            assert owner.setdefault(alias, entry["name"]) == entry["name"], (
                f"{alias!r}: {owner[alias]} and {entry['name']}"
            )
    assert index().conflicts == []


def test_no_strong_alias_is_an_ordinary_category_word() -> None:
    """A generic word ("mercado", "farmacia") is a category, never a merchant: the alias must be weak."""
    words = {lang: _category_of(lang) for lang in LANGUAGES}
    clashes = []
    for entry in merchants():
        bare = [fold(entry["name"])] if entry.get("bare_name", True) else []
        for alias in [*bare, *(entry.get("aliases") or [])]:
            if phrase_keys(alias) in {phrase_keys(w) for w in entry.get("weak") or []}:
                continue
            for lang in LANGUAGES:
                category = words[lang].get(phrase_keys(alias))
                if category is not None and category != entry["category"]:
                    clashes.append(f"{lang}: {alias!r} is {category}, {entry['name']} is {entry['category']}")
    assert not clashes


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lexicon_has_every_category_and_only_strings(lang: str) -> None:
    data = lexicon(lang)
    assert data["language"] == lang
    assert set(data["categories"]) == set(CATEGORIES)
    assert all(data["categories"][category] for category in CATEGORIES)
    assert not strings({k: v for k, v in data.items() if k != "merchant_cues"})
    cues = data["merchant_cues"]
    assert set(cues) == CUE_KEYS
    assert not strings({k: v for k, v in cues.items() if k != "name_needs_article"})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lexicon_words_are_folded(lang: str) -> None:
    data = lexicon(lang)
    words = [w for ws in data["categories"].values() for w in ws] + list(data["ambiguous"]) + data["neutral"]
    cues = [w for ws in data["merchant_cues"].values() if isinstance(ws, list) for w in ws]
    words += data["negations"] + cues
    assert not [w for w in words if fold(w) != w]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_word_in_two_categories_unless_ambiguous(lang: str) -> None:
    data = lexicon(lang)
    seen: dict[tuple[str, ...], set[str]] = {}
    for category, words in data["categories"].items():
        for word in words:
            seen.setdefault(phrase_keys(word), set()).add(category)
    ambiguous = {phrase_keys(word) for word in data["ambiguous"]}
    twice = {" ".join(k): sorted(c) for k, c in seen.items() if len(c) > 1 and k not in ambiguous}
    assert not twice


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ambiguous_words_name_real_categories(lang: str) -> None:
    for word, readings in lexicon(lang)["ambiguous"].items():
        assert readings["default"] in CATEGORIES, word
        for category, cues in readings.items():
            assert category == "default" or (category in CATEGORIES and cues), (word, category)


def _category_of(lang: str) -> dict[tuple[str, ...], str]:
    return {
        phrase_keys(word): category
        for category, words in lexicon(lang)["categories"].items()
        for word in words
    }
