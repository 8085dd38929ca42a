"""The committed NLU artefacts (nlu/models/) were built from the current locales/ data: `make nlu-model`."""

from __future__ import annotations

import json

from nlu import train
from nlu.intents import MODELS_DIR
from nlu.types import CLASSIFIED_INTENTS, LANGUAGES, RULE_INTENTS


def test_the_trained_artefacts_match_the_training_data() -> None:
    changed = ", ".join(train.stale_sources()) or "the training settings in nlu/train.py"
    assert train.is_fresh(), (
        f"nlu/models/ was built from other data than locales/ now holds ({changed} changed): "
        "run make nlu-model and commit nlu/models/"
    )


def test_the_artefacts_stay_small() -> None:
    size = sum(path.stat().st_size for path in MODELS_DIR.rglob("*") if path.is_file())
    assert size < 5_000_000, f"nlu/models/ is {size / 1e6:.1f} MB"


def test_every_language_has_a_model_for_every_intent() -> None:
    """Every intent the classifier decides; the rule intents (chart) are read by their words, not trained."""
    for lang in LANGUAGES:
        meta = json.loads((MODELS_DIR / lang / "meta.json").read_text(encoding="utf-8"))
        assert meta["lang"] == lang and meta["format"] == train.FORMAT
        assert sorted(meta["labels"]) == sorted(CLASSIFIED_INTENTS)
        assert not RULE_INTENTS & set(meta["labels"])
