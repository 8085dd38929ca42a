"""Intent classification: whole-message forms, cue phrases, a trained linear model, extractor features."""

from __future__ import annotations

import gzip
import itertools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from nlu.data import load
from nlu.normalize import Normalized, fold
from nlu.types import CLASSIFIED_INTENTS

MODELS_DIR = Path(__file__).resolve().parent / "models"

# Bag of unigrams and bigrams, no vectors: fast, and better than trigrams or the CNN ensemble in
# cross-validation on our examples. 2**15 buckets with two hashes per n-gram keep collisions rare.
TEXTCAT_CONFIG: dict[str, Any] = {
    "threshold": 0.0,
    "model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
              "no_output_layer": False, "length": 2**15},
}  # fmt: skip

NUMBER = "0"
"""Every number becomes this one token, so "uber 23" and "uber 7.50" teach the classifier the same thing."""
UNSEEN = "_"
"""Words the classifier never saw: they carry no weight, and mapping them to one token keeps spaCy's string
store from growing with every new word of a long-running process."""
NOT_WORDS = frozenset({NUMBER, "?", "$", "€", "£", "¥"})
"""Tokens that say nothing about the intent alone: a message of only these is "nothing known"."""
STEMS = 4
"""Words longer than this also give their first STEMS letters ("gast~"), so "gastamos" meets "gastei"."""
INCOME_CATEGORIES = ("salary", "other_income")
_NAMES = frozenset({"~mer", "~exp", "~day"})
"""Concepts a bare expense is made of besides its amount: "pao de acucar 214,90 anteontem"."""
# Numbers (with separators, "2k"), words, and the few symbols that carry intent: currency signs, "?" and "¿".
_TOKEN = re.compile(r"\d+(?:[.,:/-]\d+)*(?:k\b)?|[^\W\d_]+|[$€£¥?¿]")
_DOUBLE = re.compile(r"([a-z])\1")
_MAX_TOKENS = 120  # a 10,000-character message is classified on its beginning; nobody types more in chat

# Evidence in log-odds, added to the classifier's tempered log-probabilities. Tuned on out-of-fold predictions
# (`python -m nlu.train --cv 5`) and kept round, so they do not fit one table.
TEMPERATURE = 0.7
"""Below 1 flattens the classifier, whose probabilities are sharper than its accuracy on new phrasings."""
CUE_BONUS = 3.0
"""A cue phrase of the intent was found; longer cues are more specific and add CUE_PER_WORD per extra word."""
CUE_PER_WORD = 1.0
FUZZY_BONUS = 3.0
"""A short message one typo away from an exact form ("thnaks", "helo there", "graicas")."""
UNSEEN_WORDS = 3.0
"""Times the share of words never seen in training, added to unknown: "how old are you" is mostly new."""
EXACT_CONFIDENCE = 0.97
"""The whole message is one of the intent's exact forms ("oi", "sim", "menu")."""
FEATURES: dict[str, dict[str, float]] = {
    # An amount makes money-moving intents likelier and chit-chat unlikelier.
    "amount": {
        "add_expense": 1.0, "add_income": 1.0, "set_budget": 1.0, "edit_last": 0.5,
        "greeting": -1.5, "affirm": -1.5, "deny": -1.5, "help": -1.5, "undo": -1.5, "unknown": -2.0,
        "list_categories": -1.5, "change_setting": -1.5, "delete_budget": -1.5,
        # Recurring payments and goals: listing, stopping and asking take no amount.
        "list_recurring": -1.5, "cancel_recurring": -1.5, "goal_status": -1.5,
        # Households: joining, leaving and listing move no money; a split does.
        "split_expense": 1.0, "household_join": -1.5, "household_leave": -1.5, "household_remove": -1.5,
        "household_members": -1.5, "household_invite": -1.0, "owe_balance": -1.0,
    },
    # Without one, recording or budgeting needs a follow-up question: possible, but less likely.
    "no_amount": {"add_expense": -1.0, "add_income": -1.5, "set_budget": -1.5},
    # A question ("how much", "cuanto", "em que", "?", "¿") asks about money; it does not move any.
    "question": {"add_expense": -1.5, "add_income": -1.5, "split_expense": -1.5},
    # "I spent / paid / bought", not asked and with no period: telling a purchase, not asking for a total
    # ("gaste en uber" records; "gaste en uber este mes?" and "cuanto gaste en uber" ask).
    "told_spending": {"spending_summary": -1.0, "list_transactions": -0.5},
    # A period ("this month") asks about the past; a day ("yesterday") dates a transaction.
    "period": {"budget_status": 0.4, "add_expense": -0.3, "add_income": -0.3},
    # A day named makes a bare yes/no unlikely; with a negation it is a correction ("yesterday, not today").
    "date": {
        "add_expense": 0.5, "add_income": 0.5, "edit_last": 0.5, "affirm": -1.5, "deny": -1.5,
        # ... and names an earlier transaction ("borra el de amazon de ayer"), not a payment to stop.
        "cancel_recurring": -1.5,
    },
    # A number and only names: merchants, things bought, words never seen ("wawa 12", "padaria do ze 8").
    # A search names places too, but never with a bare amount ("search uber" has none).
    "amount_and_names": {
        "add_expense": 2.5, "search": -1.5, "income_summary": -1.5, "overview": -1.5,
        # ... never a goal's money or a recurring payment: those say so in words ("todo mes", "meta").
        "add_recurring": -1.5, "set_goal": -1.5, "goal_contribution": -1.5, "goal_withdrawal": -1.5,
    },
    # Nothing recognised at all: unknown, with a confidence low enough that the bot asks.
    "nothing_known": {"unknown": 1.5},
    # No word that removes anything ("delete", "borra", "apaga"): "food budget" asks about it, not deletes.
    "no_removal": {"delete_budget": -3.0},
    # A removal word: "apaga o do spotify" deletes (or stops) something, it does not look for it.
    "removal": {"search": -2.0},
    # No budget named ("apaga o do mercado", "borra el de tacos"): deleting a budget is out of the question;
    # an earlier transaction is meant (undo by reference).
    "no_budget_word": {"delete_budget": -4.0},
    # A change asked for ("muda o do sofá pra 400", "change the uber to 25"): the amount is the new value of
    # an earlier entry, not a new expense.
    "change_word": {"add_expense": -1.5, "add_income": -1.5, "edit_last": 0.5},
}  # fmt: skip


class ModelMissingError(RuntimeError):
    """The trained artefact is not in nlu/models/: it is built at build time, never silently at run time."""


@dataclass(frozen=True, slots=True)
class Model:
    """Everything classify() needs for one language, built once per process."""

    lang: str
    labels: tuple[str, ...]
    known: frozenset[str]
    """Every token the classifier was trained on; a message of none of them gets no opinion from it."""
    rows: dict[str | tuple[str, str], int]
    """Unigram or bigram of the training data -> its row of `weights`."""
    weights: np.ndarray
    """The classifier's weight per n-gram and label, read out of the spaCy model (see nlu.train.export)."""
    bias: np.ndarray
    exact: dict[str, str]
    """Whole-message form -> intent; also keyed by the form with doubled letters collapsed ("yess")."""
    exact_keys: tuple[str, ...]
    cues: dict[tuple[str, ...], str]
    """Cue phrase (prepared words) -> intent."""
    cue_longest: int
    cue_starts: dict[str, tuple[int, ...]] = field(init=False)
    """First word of a cue -> the lengths of the cues it starts (so matching tries only those)."""

    def __post_init__(self) -> None:
        lengths: dict[str, set[int]] = {}
        for phrase in self.cues:
            if phrase:
                lengths.setdefault(phrase[0], set()).add(len(phrase))
        object.__setattr__(self, "cue_starts", {w: tuple(sorted(ls)) for w, ls in lengths.items()})


# ---------------------------------------------------------------- tokens


def tokens_of(folded: str) -> list[str]:
    """Folded text -> tokens: words, one NUMBER per number, currency signs and "?" (also for "¿")."""
    out = []
    for match in _TOKEN.finditer(folded):
        token = match.group()
        out.append(NUMBER if token[0].isdigit() else "?" if token == "¿" else token)
        if len(out) >= _MAX_TOKENS:
            break
    return out


def _data(relative: str) -> dict[str, Any]:
    """A YAML file of locales/ as a mapping ({} while it does not exist yet)."""
    try:
        data = load(relative)
    except FileNotFoundError:
        return {}
    return data if isinstance(data, dict) else {}


def keywords(lang: str) -> dict[str, Any]:
    """locales/<lang>/keywords.yaml."""
    return _data(f"{lang}/keywords.yaml")


@cache
def _abbreviations(lang: str) -> dict[str, tuple[str, ...]]:
    table = keywords(lang).get("abbreviations") or {}
    return {str(short): tuple(str(full).split()) for short, full in table.items()}


def expand_abbreviations(tokens: list[str], lang: str) -> list[str]:
    """Chat shorthand spelled out from keywords.yaml `abbreviations`: ["vc", "tb"] -> ["voce", "tambem"]."""
    table = _abbreviations(lang)
    out: list[str] = []
    for token in tokens:
        full = table.get(token)
        if full is None:
            out.append(token)
        else:
            out.extend(full)
    return out


def prepare(folded: str, lang: str) -> list[str]:
    """The words that cues and exact forms are matched on: tokens with chat shorthand spelled out."""
    return expand_abbreviations(tokens_of(folded), lang)


def features(words: list[str], lang: str) -> list[str]:
    """What the classifier sees: the words; then one token per kind of thing the lexicons of locales/ know in
    them (an income or expense category word, a merchant, a currency, a day, a number word), so an unseen
    "pension 900" or "walgreens 12" looks like the examples; then the stems of the longer words."""
    return _with_stems(words, _concepts(words, lang)[0])


def _with_stems(words: list[str], concepts: list[str]) -> list[str]:
    return words + concepts + [w[:STEMS] + "~" for w in words if len(w) > STEMS + 1 and w.isalpha()]


def _concepts(words: list[str], lang: str) -> tuple[list[str], dict[int, str]]:
    """Concept tokens found in `words` (longest phrase first), and word position -> the concept there."""
    table, longest, firsts = _lexicon(lang)
    found: list[str] = []
    covered: dict[int, str] = {}
    n = len(words)
    i = 0
    while i < n:
        if words[i] not in firsts:
            i += 1
            continue
        for length in range(min(longest, n - i), 0, -1):
            concept = table.get(tuple(words[i : i + length]))
            if concept is not None:
                if concept not in found:
                    found.append(concept)
                covered.update(dict.fromkeys(range(i, i + length), concept))
                i += length
                break
        else:
            i += 1
    return found, covered


def _cover_merchant(tokens: list[str], name: list[str], concepts: list[str], covered: dict[int, str]) -> None:
    """Mark the words of a merchant the finder matched as the merchant concept, where nothing else was."""
    n, size = len(tokens), len(name)
    for i in range(n - size + 1):
        if size and tokens[i : i + size] == name and all(j not in covered for j in range(i, i + size)):
            covered.update(dict.fromkeys(range(i, i + size), "~mer"))
            if "~mer" not in concepts:
                concepts.append("~mer")
            return


@cache
def _lexicon(lang: str) -> tuple[dict[tuple[str, ...], str], int, frozenset[str]]:
    """Phrase (as words) -> concept token, from categories, currencies, dates, number words and merchants."""
    table: dict[tuple[str, ...], str] = {}

    def add(phrase: object, concept: str) -> None:
        words = tuple(prepare(fold(str(phrase)), lang))
        # A name made of digits ("99", the ride app) would turn every number into a merchant.
        if len(words) <= 4 and not set(words) <= NOT_WORDS:
            table.setdefault(words, concept)

    for category, phrases in (_data(f"{lang}/categories.yaml").get("categories") or {}).items():
        for phrase in phrases or ():
            add(phrase, "~inc" if category in INCOME_CATEGORIES else "~exp")
    for phrases in (_data(f"{lang}/currencies.yaml").get("names") or {}).values():
        for phrase in phrases or ():
            add(phrase, "~cur")
    dates = _data(f"{lang}/dates.yaml")
    for group in ("relative_days", "weekdays"):  # "anteontem" is rare in examples, "ontem" is not
        for phrases in (dates.get(group) or {}).values():
            for phrase in phrases if isinstance(phrases, list) else ():
                add(phrase, "~day")
    for word, value in (_data(f"{lang}/numbers.yaml").get("words") or {}).items():
        if isinstance(value, int) and value >= 2:  # not "um", "un", "one": articles as often as numbers
            add(word, NUMBER)
    for merchant in _data("merchants.yaml").get("merchants") or ():
        if isinstance(merchant, dict):
            weak = set(merchant.get("weak") or ())
            for alias in [*(merchant.get("aliases") or ()), fold(str(merchant.get("name") or ""))]:
                if alias and alias not in weak:
                    add(alias, "~mer")
    return table, max((len(k) for k in table), default=1), frozenset(k[0] for k in table)


def _key(tokens: list[str]) -> str:
    return " ".join(t for t in tokens if t != "?")


def asks(words: list[str], lang: str) -> bool:
    """Whether `words` (prepared tokens) are a question: a "?" or "¿", or a question word or phrase of
    keywords.yaml `questions` ("how much", "cuanto", "em que")."""
    return "?" in words or _contains(words, lang, "questions")


def tells_spending(words: list[str], lang: str) -> bool:
    """Whether `words` say the writer spent (keywords.yaml `told_spending`: "spent", "gaste", "paguei")."""
    return _contains(words, lang, "told_spending")


def says(folded: str, lang: str, key: str) -> bool:
    """Whether a folded message holds a phrase of a keywords.yaml word list ("removal_words")."""
    return _contains(prepare(folded, lang), lang, key)


def _contains(words: list[str], lang: str, key: str) -> bool:
    # Only at words that start a phrase of the list, and only that phrase's lengths: every message is
    # checked against several lists, and trying every span at every word was a tenth of the NLU's time.
    phrases, starts = _phrases(lang, key)
    n = len(words)
    for i, word in enumerate(words):
        for length in starts.get(word, ()):
            if i + length <= n and tuple(words[i : i + length]) in phrases:
                return True
    return False


@cache
def _phrases(lang: str, key: str) -> tuple[frozenset[tuple[str, ...]], dict[str, tuple[int, ...]]]:
    """A keywords.yaml word list as prepared word tuples, and first word -> the lengths of its phrases."""
    phrases = {tuple(prepare(fold(str(p)), lang)) for p in keywords(lang).get(key) or ()}
    phrases.discard(())
    starts: dict[str, set[int]] = {}
    for phrase in phrases:
        starts.setdefault(phrase[0], set()).add(len(phrase))
    return frozenset(phrases), {word: tuple(sorted(lengths)) for word, lengths in starts.items()}


# ---------------------------------------------------------------- the model


WEIGHTS = "weights.f32.gz"
"""The classifier as a table: its bias, then one row per n-gram of meta.json `ngrams` (little-endian
float32, gzip). Read out of the spaCy model at training time (nlu.train.export), so parsing needs no spaCy."""


@cache
def _model(lang: str) -> Model:
    folder = MODELS_DIR / lang
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        table = np.frombuffer(gzip.decompress((folder / WEIGHTS).read_bytes()), dtype="<f4")
        table = table.reshape(len(meta["ngrams"]) + 1, len(meta["labels"]))
    except (OSError, ValueError, KeyError) as exc:
        raise ModelMissingError(
            f"the {lang!r} intent model in {folder} is missing or unreadable ({exc}); run `make nlu-model`"
        ) from exc
    return assemble(lang, meta["labels"], meta["known"], meta["ngrams"], table[1:], table[0])


def vocabulary(lang: str) -> frozenset[str]:
    """Every word the classifier of `lang` was trained on, and every cue word."""
    return _model(lang).known


def cue_phrases(lang: str) -> dict[tuple[str, ...], str]:
    """keywords.yaml `cues` as prepared words -> intent (a phrase under two intents: the first one's)."""
    cues: dict[tuple[str, ...], str] = {}
    for intent, phrases in (keywords(lang).get("cues") or {}).items():
        for phrase in phrases or ():
            words = tuple(prepare(str(phrase), lang))
            if words:
                cues.setdefault(words, intent)
    return cues


def known_tokens(lang: str, trained: Iterable[str]) -> frozenset[str]:
    """The tokens the classifier was trained on plus every cue word (so a cue still matches after UNSEEN
    replaced the new words), less NOT_WORDS."""
    known = set(trained)
    for words in cue_phrases(lang):
        known.update(words)
    return frozenset(known - NOT_WORDS)


def assemble(
    lang: str,
    labels: Iterable[str],
    known: Iterable[str],
    ngrams: Iterable[str],
    weights: np.ndarray,
    bias: np.ndarray,
) -> Model:
    """A Model from the classifier's table (its n-grams, "a" or "a b", with their weight rows, and its bias)
    plus the exact forms and cues of keywords.yaml."""
    exact: dict[str, str] = {}
    for intent, forms in (keywords(lang).get("exact") or {}).items():
        for form in forms or ():
            key = _key(prepare(str(form), lang))
            exact.setdefault(key, intent)
            exact.setdefault(_DOUBLE.sub(r"\1", key), intent)
    exact.pop("", None)
    cues = cue_phrases(lang)
    rows: dict[str | tuple[str, str], int] = {}
    for i, ngram in enumerate(ngrams):
        pair = ngram.split(" ")
        rows[(pair[0], pair[1]) if len(pair) == 2 else ngram] = i
    return Model(
        lang=lang, labels=tuple(labels), known=known_tokens(lang, known), rows=rows, weights=weights,
        bias=bias, exact=exact, exact_keys=tuple(exact), cues=cues,
        cue_longest=max(map(len, cues), default=0),
    )  # fmt: skip


# ---------------------------------------------------------------- scoring


def classify(
    norm: Normalized,
    lang: str,
    *,
    has_amount: bool = False,
    has_period: bool = False,
    has_date: bool = False,
    merchant: str | None = None,
) -> list[tuple[str, float]]:
    """Every intent of the contract with a score (summing to 1), best first. A top score under
    nlu.types.LOW_CONFIDENCE means the evidence was weak or split: the conversation should ask. `merchant`:
    the words (folded) of a merchant found in the message, which count as a merchant even when the shipped
    lexicon does not know them (a tenant's own: "zezinho 12" is an expense like "starbucks 12")."""
    return score(
        _model(lang),
        norm.text,
        has_amount=has_amount,
        has_period=has_period,
        has_date=has_date,
        merchant=merchant,
    )


def score(
    model: Model,
    folded: str,
    *,
    has_amount: bool = False,
    has_period: bool = False,
    has_date: bool = False,
    merchant: str | None = None,
) -> list[tuple[str, float]]:
    """classify() with an explicit model (cross-validation scores models trained in memory)."""
    tokens = prepare(folded, model.lang)
    key = _key(tokens)
    # Layer 1: the whole message is an exact form.
    exact = model.exact.get(key) or model.exact.get(_DOUBLE.sub(r"\1", key))
    if exact is not None:
        return _certain(exact)
    # Layers 2-4: cues, the classifier and the extractor features, added up in log-odds.
    concepts, covered = _concepts(tokens, model.lang)
    if merchant:
        _cover_merchant(tokens, prepare(fold(merchant), model.lang), concepts, covered)
    seen = [t if t in model.known or t in NOT_WORDS else UNSEEN for t in _with_stems(tokens, concepts)]
    known = any(t != UNSEEN and t not in NOT_WORDS for t in seen)
    # Cues are matched on the words alone (the first len(tokens) of `seen`); every cue word is known.
    cues = _cues(model, seen[: len(tokens)])
    if known or cues:
        logits = _classifier(model, seen)
    else:
        logits = dict.fromkeys(CLASSIFIED_INTENTS, 0.0)  # the classifier would only echo its class priors
    for intent, bonus in cues.items():
        logits[intent] += bonus
    fuzzy = _fuzzy_exact(model, key) if len(tokens) <= 3 else None
    if fuzzy is not None:
        logits[fuzzy] += FUZZY_BONUS
    words = sum(t.isalpha() for t in tokens)
    names = (
        bool(words)
        and not cues
        and all(covered.get(i) in _NAMES or t not in model.known for i, t in enumerate(tokens) if t.isalpha())
    )
    question = asks(tokens, model.lang)
    told = not question and not has_period and tells_spending(tokens, model.lang)
    active = _active(has_amount, has_period, has_date, known or bool(cues), names, question, told)
    if not _contains(tokens, model.lang, "removal_words"):
        active.append("no_removal")
    else:
        active.append("removal")
    if not _contains(tokens, model.lang, "budget_words"):
        active.append("no_budget_word")
    if _contains(tokens, model.lang, "change_words"):
        active.append("change_word")
    for feature in active:
        for intent, weight in FEATURES[feature].items():
            logits[intent] += weight
    if words and known and not cues:
        # Merchants, categories and currency words of the lexicons are not new, even if no example had them.
        new = sum(t.isalpha() and t not in model.known and i not in covered for i, t in enumerate(tokens))
        logits["unknown"] += UNSEEN_WORDS * new / words
    return _distribution(logits)


def _classifier(model: Model, seen: list[str]) -> dict[str, float]:
    """The classifier's tempered log-probabilities, from its exported n-gram weights."""
    rows = model.rows
    hits = [rows[t] for t in seen if t in rows]
    hits += [rows[p] for p in itertools.pairwise(seen) if p in rows]
    scores = (model.bias + model.weights[hits].sum(axis=0) if hits else model.bias).tolist()
    top = max(scores)
    norm = top + math.log(sum(math.exp(s - top) for s in scores))
    # Floor at log(1e-6): one label's near-zero probability must not veto cue or feature evidence.
    return {label: TEMPERATURE * max(s - norm, -13.8) for label, s in zip(model.labels, scores, strict=True)}


def _active(
    has_amount: bool,
    has_period: bool,
    has_date: bool,
    understood: bool,
    names: bool,
    question: bool,
    told: bool = False,
) -> list[str]:
    active = ["amount" if has_amount else "no_amount"]
    if question:
        active.append("question")
    if told:
        active.append("told_spending")
    if has_period:
        active.append("period")
    if has_date:
        active.append("date")
    if has_amount and names:
        active.append("amount_and_names")
    if not understood and not has_amount:
        active.append("nothing_known")
    return active


def _fuzzy_exact(model: Model, key: str) -> str | None:
    """The intent of the exact form within one typo of `key` (a swap of two letters is one; two typos for
    long keys); None for keys too short to tell a typo from another word."""
    if len(key) < 4:
        return None
    cutoff = 2 if len(key) >= 9 else 1
    found = process.extractOne(key, model.exact_keys, scorer=OSA.distance, score_cutoff=cutoff)
    return None if found is None else model.exact[found[0]]


def _cues(model: Model, words: list[str]) -> dict[str, float]:
    """Bonus per intent from cue phrases: longest matches first, overlapping shorter ones dropped."""
    n = len(words)
    starts = model.cue_starts
    # Every occurrence of every cue, overlaps included (as spaCy's PhraseMatcher on ORTH found them); only
    # at words that start a cue, with that cue's lengths.
    matches = [
        (start, start + length, model.cues[phrase])
        for start, word in enumerate(words)
        for length in starts.get(word, ())
        if start + length <= n and (phrase := tuple(words[start : start + length])) in model.cues
    ]
    matches.sort(key=lambda m: (m[0] - m[1], m[0]))
    taken: set[int] = set()
    bonus: dict[str, float] = {}
    for start, end, intent in matches:
        if taken.intersection(range(start, end)):
            continue
        taken.update(range(start, end))
        bonus[intent] = bonus.get(intent, 0.0) + CUE_BONUS + CUE_PER_WORD * (end - start - 1)
    return bonus


def _distribution(logits: dict[str, float]) -> list[tuple[str, float]]:
    top = max(logits.values())
    exps = {intent: math.exp(value - top) for intent, value in logits.items()}
    total = sum(exps.values())
    return sorted(
        ((intent, exps[intent] / total) for intent in CLASSIFIED_INTENTS), key=lambda pair: -pair[1]
    )


def _certain(intent: str) -> list[tuple[str, float]]:
    rest = (1.0 - EXACT_CONFIDENCE) / (len(CLASSIFIED_INTENTS) - 1)
    return [(intent, EXACT_CONFIDENCE)] + [(other, rest) for other in CLASSIFIED_INTENTS if other != intent]
