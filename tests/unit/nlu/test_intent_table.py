"""The intent model runs from an exported table: cues match as spaCy's PhraseMatcher did; no spaCy loads."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from nlu import intents
from nlu.normalize import fold
from nlu.train import intent_examples
from nlu.types import LANGUAGES

ROOT = Path(__file__).resolve().parents[3]


def _spacy_cues(model: intents.Model) -> Callable[[list[str]], dict[str, float]]:
    """The cue bonus as it was computed with spaCy's PhraseMatcher (FORMAT 2): the reference."""
    import spacy
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

    nlp = spacy.blank(model.lang)
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    for phrase, intent in model.cues.items():
        matcher.add(f"{intent}|{len(phrase)}", [Doc(nlp.vocab, words=list(phrase))])

    def cues(words: list[str]) -> dict[str, float]:
        taken: set[int] = set()
        bonus: dict[str, float] = {}
        matches = matcher(Doc(nlp.vocab, words=words)) if words else []
        for match_id, start, end in sorted(matches, key=lambda m: (m[1] - m[2], m[1])):
            if not taken.intersection(range(start, end)):
                taken.update(range(start, end))
                intent = nlp.vocab.strings[match_id].split("|")[0]
                extra = intents.CUE_PER_WORD * (end - start - 1)
                bonus[intent] = bonus.get(intent, 0.0) + intents.CUE_BONUS + extra
        return bonus

    return cues


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cues_match_as_spacys_phrase_matcher(lang: str) -> None:
    model = intents._model(lang)
    texts = [[*a, *b] for a, b in itertools.pairwise(model.cues)]  # overlapping and adjacent cues
    texts += [intents.prepare(fold(t), lang) for ex in intent_examples(lang).values() for t in ex]
    assert len(texts) > 500
    reference = _spacy_cues(model)
    for words in texts:
        assert intents._cues(model, words) == reference(words), words


def test_parsing_loads_no_spacy() -> None:
    """spaCy is for training: importing it took ~2.5 s of a cold start."""
    code = "import sys, nlu; nlu.warm(); print(sorted({m.split('.')[0] for m in sys.modules}))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "'spacy'" not in run.stdout and "'thinc'" not in run.stdout
