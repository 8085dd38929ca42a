"""Which of en / es / pt a message is in: word evidence and accents, with the user's language as a prior."""

from __future__ import annotations

import json
import math
import re
from functools import cache, lru_cache
from pathlib import Path

from nlu.data import load, load_lang
from nlu.normalize import Normalized, fold
from nlu.types import LANGUAGES

TABLE = Path(__file__).resolve().parent / "models" / "language.json"
Vector = tuple[float, float, float]
"""Evidence for (en, es, pt), in log-odds."""

HINT_PRIOR = 2.5
"""Log-odds head start of the hinted language: one very typical word ("gastei", "how") or two fairly typical
ones overcome it; a merchant and a number ("uber 23") or a shared word ("ok", "mes") do not."""
DEFAULT_PRIOR = 1.0
"""Without a hint, English gets this head start: a message with next to no evidence ("ok", "sup dude") is
more likely English than a coin toss between three languages."""
MARKER = 2.5
"""Weight of a keywords.yaml marker (split when two languages list the same word)."""
ABBREVIATION = 1.5
"""Chat shorthand is language-typical too: "vc" is Portuguese, "u" English, "xq" Spanish."""
WORD_CAP = 3.5
"""No single word decides more than this, however often it appeared in one language's examples."""
UNSEEN_CAP = 1.2
"""Spelling (trigrams, endings) of a word rare or unseen in the examples: a nudge, never alone a verdict."""

# Accents and punctuation only one of the languages writes; checked on the original, unfolded text.
_CHAR_CUES: tuple[tuple[str, Vector], ...] = (
    ("ñ", (0.0, 2.5, 0.0)), ("¿", (0.0, 2.5, 0.0)), ("¡", (0.0, 2.5, 0.0)),
    ("ã", (0.0, 0.0, 2.5)), ("õ", (0.0, 0.0, 2.5)), ("ç", (0.0, 0.0, 2.0)),
    ("ê", (0.0, 0.0, 1.5)), ("ô", (0.0, 0.0, 1.5)), ("â", (0.0, 0.0, 1.0)), ("à", (0.0, 0.0, 1.0)),
    ("á", (0.0, 1.0, 1.0)), ("é", (0.0, 1.0, 1.0)), ("í", (0.0, 1.0, 1.0)), ("ó", (0.0, 1.0, 1.0)),
    ("ú", (0.0, 1.0, 1.0)),
)  # fmt: skip
NO_NOUN = (0.0, -2.0, 2.0)
"""Portuguese "no" (in the) comes before a place or a thing ("no mercado"), Spanish "no" before a verb."""
# Folded spellings: "-cao/-coes" (-ção/-ções) and "nh", "lh" are Portuguese; "-cion(es)" and "ll" Spanish.
_SPELLING: tuple[tuple[re.Pattern[str], Vector], ...] = (
    (re.compile(r"(?:c|s)(?:ao|oes)$"), (0.0, -1.0, 2.0)),
    (re.compile(r"(?:c|s)ion(?:es)?$"), (-0.5, 2.0, -1.0)),
    (re.compile(r"[a-z](?:nh|lh)[aeiou]"), (-0.5, -1.0, 1.5)),
    (re.compile(r"[aeiou]ll[aeiou]"), (0.0, 1.0, -1.0)),
)
WEAK = 1.0
"""A word whose table weights all stay under this is too rare in the examples to speak for itself."""
_WORD = re.compile(r"[^\W\d_]+")
_MAX_WORDS = 60


def _centered(values: list[float], cap: float) -> Vector:
    mean = sum(values) / len(values)
    a, b, c = (max(-cap, min(cap, v - mean)) for v in values)
    return (a, b, c)


@cache
def _tables() -> tuple[
    dict[str, Vector], dict[str, Vector], dict[str, Vector], frozenset[str], frozenset[str]
]:
    """(words, bigrams, trigrams, merchant words, nouns): learned weights plus keywords.yaml markers."""
    try:
        learned = json.loads(TABLE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuntimeError(
            f"the language table {TABLE} is missing or unreadable ({exc}); run `make nlu-model`"
        ) from exc
    words: dict[str, list[float]] = {w: list(v) for w, v in learned["words"].items()}
    curated: dict[str, list[float]] = {}
    for index, lang in enumerate(LANGUAGES):
        try:
            keywords = load_lang(lang, "keywords") or {}
        except FileNotFoundError:
            keywords = {}
        for weight, entries in (
            (MARKER, keywords.get("markers") or ()),
            (ABBREVIATION, keywords.get("abbreviations") or {}),
        ):
            for entry in entries:
                vector = curated.setdefault(str(entry), [0.0, 0.0, 0.0])
                vector[index] = max(vector[index], weight)
    for word, vector in curated.items():
        base = words.get(word, [0.0, 0.0, 0.0])
        words[word] = [b + v for b, v in zip(base, _centered(vector, MARKER), strict=True)]
    neutral = _merchant_words()
    return (
        {w: _centered(v, WORD_CAP) for w, v in words.items() if w not in neutral or w in curated},
        {w: (v[0], v[1], v[2]) for w, v in learned["bigrams"].items()},
        {w: (v[0], v[1], v[2]) for w, v in learned["trigrams"].items()},
        neutral,
        neutral | _category_words(),
    )


def _merchant_words() -> frozenset[str]:
    """One-word merchant names: "uber" or "oxxo" say where the money went, not which language was typed."""
    try:
        merchants = load("merchants.yaml") or {}
    except (OSError, ValueError):
        return frozenset()
    names: set[str] = set()
    entries = merchants.get("merchants", merchants) if isinstance(merchants, dict) else merchants
    for entry in entries or ():
        if not isinstance(entry, dict):
            continue
        for name in [entry.get("name"), *(entry.get("aliases") or ())]:
            folded = fold(str(name or ""))
            if folded and " " not in folded:
                names.add(folded)
    return frozenset(names)


def _category_words() -> frozenset[str]:
    """One-word category terms of es and pt ("mercado", "farmacia"): things, never verbs."""
    words: set[str] = set()
    for lang in ("es", "pt"):
        try:
            categories = (load_lang(lang, "categories") or {}).get("categories") or {}
        except (OSError, ValueError):
            continue
        for phrases in categories.values():
            words.update(str(p) for p in phrases or () if " " not in str(p))
    return frozenset(words)


def _weak(vector: Vector | None) -> bool:
    return vector is None or max(abs(vector[0]), abs(vector[1]), abs(vector[2])) < WEAK


def _plus(a: Vector, b: Vector) -> Vector:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


@lru_cache(maxsize=20_000)
def _spelling(word: str) -> Vector:
    """Trigram evidence plus the endings and letter pairs only one language writes."""
    vector = _unseen(word)
    for pattern, cue in _SPELLING:
        if pattern.search(word):
            vector = _plus(vector, cue)
    return _centered(list(vector), UNSEEN_CAP)


@lru_cache(maxsize=20_000)
def _unseen(word: str) -> Vector:
    """Evidence of a word not in the table, from its character trigrams ("comprei" ends like "gastei")."""
    trigrams = _tables()[2]
    padded = f"^{word}$"
    total = [0.0, 0.0, 0.0]
    count = 0
    for i in range(len(padded) - 2):
        vector = trigrams.get(padded[i : i + 3])
        count += 1
        if vector is not None:
            total[0] += vector[0]
            total[1] += vector[1]
            total[2] += vector[2]
    if count == 0:
        return (0.0, 0.0, 0.0)
    return _centered([t / count * 2 for t in total], UNSEEN_CAP)


def language_scores(norm: Normalized) -> list[float]:
    """Evidence per language (LANGUAGES order) in log-odds, before the hint."""
    words_table, bigrams, _, neutral, nouns = _tables()
    scores = [0.0, 0.0, 0.0]
    previous = ""
    for count, match in enumerate(_WORD.finditer(norm.text)):
        if count >= _MAX_WORDS:
            break
        word = match.group()
        vector = words_table.get(word)
        if word not in neutral and len(word) >= 3 and word.isascii() and _weak(vector):
            # A word seen rarely or never: its spelling speaks ("transacoes", "instrucciones").
            # Capped so one rare word never outweighs the hint by itself.
            spelling = _spelling(word)
            vector = spelling if vector is None else _centered(list(_plus(vector, spelling)), UNSEEN_CAP)
        if vector is not None:
            scores[0] += vector[0]
            scores[1] += vector[1]
            scores[2] += vector[2]
        if previous == "no" and word in nouns:
            vector = NO_NOUN
            scores[0] += vector[0]
            scores[1] += vector[1]
            scores[2] += vector[2]
        pair = bigrams.get(f"{previous} {word}")
        if pair is not None:
            scores[0] += pair[0]
            scores[1] += pair[1]
            scores[2] += pair[2]
        previous = word
    original = norm.original
    for char, cue in _CHAR_CUES:
        if char in original or char.upper() in original:
            scores[0] += cue[0]
            scores[1] += cue[1]
            scores[2] += cue[2]
    return scores


def detect_language(norm: Normalized, hint: str | None) -> tuple[str, float]:
    """The message's language and a 0..1 confidence. The hint (the user's stored language) stands unless the
    words clearly belong to another language; without a hint the best score wins, English by default."""
    scores = language_scores(norm)
    if hint in LANGUAGES:
        scores[LANGUAGES.index(hint)] += HINT_PRIOR
    else:
        scores[0] += DEFAULT_PRIOR
    best = max(range(len(LANGUAGES)), key=lambda i: (scores[i], -i))
    top = scores[best]
    total = sum(math.exp(s - top) for s in scores)
    return LANGUAGES[best], 1.0 / total
