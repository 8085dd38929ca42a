"""The language-neutral schema of locales/: same files and keys in every language; tables mirror them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlu.data import locales_dir
from nlu.normalize import fold
from nlu.types import CATEGORIES, INTENTS, LANGUAGES
from tests.locales.tables import TABLES, load_cases

MIN_EXAMPLES_PER_INTENT = 60
MIN_TABLE_CASES_PER_LANGUAGE = 200


def _files(lang: str) -> dict[str, dict]:
    return {
        path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((locales_dir() / lang).glob("*.yaml"))
    }


def test_every_language_has_the_same_files_and_top_level_keys() -> None:
    reference = _files("en")
    assert {
        "intents.yaml",
        "keywords.yaml",
        "numbers.yaml",
        "currencies.yaml",
        "dates.yaml",
        "categories.yaml",
        "conversation.yaml",
    } <= set(reference)
    for lang in LANGUAGES:
        files = _files(lang)
        assert set(files) == set(reference), lang
        for name, data in files.items():
            assert data["language"] == lang, f"{lang}/{name}"
            assert set(data) == set(reference[name]), f"{lang}/{name} keys differ from en/{name}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intent_examples_cover_every_intent(lang: str) -> None:
    intents = _files(lang)["intents.yaml"]["intents"]
    assert set(intents) == set(INTENTS)
    for intent, examples in intents.items():
        assert all(isinstance(e, str) and e.strip() for e in examples), intent
        assert len(examples) >= MIN_EXAMPLES_PER_INTENT, f"{lang}/{intent}: {len(examples)} examples"
        folded = [fold(e) for e in examples]
        assert len(set(folded)) == len(folded), f"{lang}/{intent} has duplicate examples"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_keywords_are_folded_and_name_real_intents(lang: str) -> None:
    keywords = _files(lang)["keywords.yaml"]
    assert keywords["markers"] and all(fold(w) == w for w in keywords["markers"])
    assert set(keywords["cues"]) <= set(INTENTS) and set(keywords["exact"]) <= set(INTENTS)
    for group in ("cues", "exact"):
        for intent, phrases in keywords[group].items():
            unfolded = [p for p in phrases if fold(str(p)) != str(p)]
            assert not unfolded, f"{lang}/keywords.yaml {group}.{intent} not folded: {unfolded}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_category_lexicon_has_every_category(lang: str) -> None:
    assert set(CATEGORIES) <= set(_files(lang)["categories.yaml"]["categories"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tables_mirror_the_intents_and_are_kept_apart_from_training(lang: str) -> None:
    tables = {path.stem for path in (TABLES / lang).glob("*.yaml")}
    # One table per intent, plus tables named for a pattern ("dates_years.yaml") that test any one intent.
    assert set(INTENTS) <= tables, f"tests/locales/{lang}/ must have one table per intent"
    cases = load_cases((lang,))
    assert len(cases) >= MIN_TABLE_CASES_PER_LANGUAGE
    for case in cases:
        stem = Path(case.file).stem
        assert case.language == lang and case.intent in INTENTS, case.file
        assert stem == case.intent or stem not in INTENTS, case.file
    training = {fold(e) for examples in _files(lang)["intents.yaml"]["intents"].values() for e in examples}
    # Emoji-only answers ("👍🏽") fold like typed ones ("ok"): only sentences with letters count.
    worded = [case for case in cases if any(ch.isalpha() for ch in case.text)]
    leaked = [case.text for case in worded if fold(case.text) in training]
    assert not leaked, f"test sentences also used for training: {leaked[:5]}"
