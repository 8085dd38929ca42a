"""Builds nlu/models/ from the data in locales/: `python -m nlu.train`, which `make nlu-model` runs."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import math
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from nlu.data import load_lang, locales_dir
from nlu.intents import (
    MODELS_DIR,
    NOT_WORDS,
    STEMS,
    TEXTCAT_CONFIG,
    WEIGHTS,
    Model,
    assemble,
    features,
    keywords,
    known_tokens,
    prepare,
    score,
)
from nlu.language import TABLE, WORD_CAP, detect_language
from nlu.normalize import Normalized, fold, normalize
from nlu.types import CLASSIFIED_INTENTS, INTENTS, LANGUAGES, LOW_CONFIDENCE

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import TextCategorizer

FORMAT = 3
"""Bump when the artefact layout or the classifier's tokens (nlu.intents.features) change: it is part of the
fingerprint, so artefacts built the old way read as stale."""
SEED = 7
EPOCHS = 20
LEARN_RATE = 0.005
BATCH = 16
FINGERPRINT = MODELS_DIR / "fingerprint.json"
SOURCES = ("intents", "keywords", "categories", "currencies", "dates", "numbers")
"""Per language: examples, keywords, and the lexicons whose concept tokens the classifier learns."""
_WORD = re.compile(r"[^\W\d_]+")

Examples = list[tuple[list[str], str]]
Show = Callable[[str], None] | None


# ---------------------------------------------------------------- freshness


def source_files() -> list[Path]:
    """The data the artefacts are trained from, in a fixed order."""
    root = locales_dir()
    files = [root / lang / f"{name}.yaml" for lang in LANGUAGES for name in SOURCES]
    return [*files, root / "merchants.yaml"]


def source_digests() -> dict[str, str]:
    """sha256 per training file, keyed by its path under locales/."""
    root = locales_dir()
    digests = {}
    for path in source_files():
        content = path.read_bytes() if path.is_file() else b""
        digests[path.relative_to(root).as_posix()] = hashlib.sha256(content).hexdigest()
    return digests


def fingerprint() -> str:
    """sha256 of the training data and of the settings that shape the artefacts."""
    settings = {"format": FORMAT, "seed": SEED, "epochs": EPOCHS, "learn_rate": LEARN_RATE, "batch": BATCH,
                "stems": STEMS, "textcat": TEXTCAT_CONFIG, "sources": source_digests()}  # fmt: skip
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def _built() -> dict[str, Any]:
    try:
        record = json.loads(FINGERPRINT.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def stale_sources() -> list[str]:
    """The training files that changed since the artefacts were built (names for the error message)."""
    built = _built().get("sources") or {}
    return [name for name, digest in source_digests().items() if built.get(name) != digest]


def is_fresh() -> bool:
    """True when every artefact exists and was built from the current data and settings."""
    names = ("meta.json", WEIGHTS)
    artefacts = [TABLE] + [MODELS_DIR / lang / name for lang in LANGUAGES for name in names]
    return _built().get("sha256") == fingerprint() and all(path.is_file() for path in artefacts)


# ---------------------------------------------------------------- data


def intent_examples(lang: str, intents: tuple[str, ...] = CLASSIFIED_INTENTS) -> dict[str, list[str]]:
    """intents.yaml as {intent: [example, ...]} (non-empty strings): by default the classifier's intents
    only, which are what the models learn from; the rule intents' examples are checked with the rest."""
    try:
        table = (load_lang(lang, "intents") or {}).get("intents") or {}
    except FileNotFoundError:
        table = {}
    return {intent: [str(e) for e in table.get(intent) or () if str(e).strip()] for intent in intents}


def keyword_examples(lang: str) -> list[tuple[str, str]]:
    """Exact forms and cue phrases are examples too: they teach the classifier the words they are made of."""
    pairs: list[tuple[str, str]] = []
    for group in ("exact", "cues"):
        for intent, phrases in (keywords(lang).get(group) or {}).items():
            if intent in CLASSIFIED_INTENTS:
                pairs.extend((str(p), intent) for p in phrases or ())
    return pairs


def examples_for(lang: str, texts: list[tuple[str, str]]) -> Examples:
    """(text, intent) -> (classifier tokens, intent), deduplicated, empty ones dropped."""
    seen: set[tuple[tuple[str, ...], str]] = set()
    out: Examples = []
    for text, intent in texts:
        tokens = features(prepare(fold(text), lang), lang)
        if tokens and (tuple(tokens), intent) not in seen:
            seen.add((tuple(tokens), intent))
            out.append((tokens, intent))
    return out


def data_problems(lang: str) -> list[str]:
    """What the data writers should fix: a message under two intents, examples without words, thin intents."""
    problems = []
    owner: dict[tuple[str, ...], tuple[str, str]] = {}
    texts = [(t, i, "intents.yaml") for i, ex in intent_examples(lang, INTENTS).items() for t in ex]
    texts += [(t, i, "keywords.yaml") for t, i in keyword_examples(lang)]
    for text, intent, where in texts:
        key = tuple(prepare(fold(text), lang))
        first = owner.setdefault(key, (intent, where))
        if not key:
            problems.append(f"{lang}/{where}: {text!r} ({intent}) has no words")
        elif first[0] != intent:
            problems.append(f"{lang}/{where}: {text!r} is {intent}, but {first[0]} in {first[1]}")
    for intent, examples in intent_examples(lang, INTENTS).items():
        if len(examples) < 60:
            problems.append(f"{lang}/intents.yaml: {intent} has {len(examples)} examples (60 wanted)")
    return problems


# ---------------------------------------------------------------- training


def train_textcat(lang: str, examples: Examples) -> tuple[Any, Any]:
    """A blank pipeline with a trained exclusive-class textcat. Deterministic: fixed seed, fixed order."""
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example
    from thinc.api import Adam

    spacy.util.fix_random_seed(SEED)
    nlp = spacy.blank(lang)
    textcat = cast("TextCategorizer", nlp.add_pipe("textcat", config=TEXTCAT_CONFIG))
    for intent in CLASSIFIED_INTENTS:
        textcat.add_label(intent)
    batch = [
        Example.from_dict(
            Doc(nlp.vocab, words=tokens), {"cats": {i: float(i == intent) for i in CLASSIFIED_INTENTS}}
        )
        for tokens, intent in examples
    ]
    optimizer = nlp.initialize(lambda: batch, sgd=Adam(LEARN_RATE))
    order = random.Random(SEED)
    for _ in range(EPOCHS):
        order.shuffle(batch)
        for start in range(0, len(batch), BATCH):
            nlp.update(batch[start : start + BATCH], sgd=optimizer, drop=0.0)
    return nlp, textcat


def known_words(examples: Examples) -> list[str]:
    return sorted({t for tokens, _ in examples for t in tokens if t not in NOT_WORDS})


def word_pairs(examples: Examples) -> list[str]:
    """Every bigram of the examples ("spent 0"): the classifier's weights are read out for these."""
    return sorted({f"{a} {b}" for tokens, _ in examples for a, b in itertools.pairwise(tokens)})


Table = tuple[list[str], np.ndarray, np.ndarray]
"""The classifier as nlu.intents.assemble takes it: n-grams ("a" or "a b"), a weight row each, the bias."""


def export(lang: str, nlp: Language, textcat: TextCategorizer, examples: Examples) -> Table:
    """The bag-of-n-grams classifier is linear before its softmax: probe it once with one-token and two-token
    docs to read each training n-gram's weights, so scoring a message is a few dict lookups and one sum,
    with no spaCy at run time (n-grams never seen in training weigh nothing either way, apart from hash
    collisions). Unigrams are every known token (cue words included) and NOT_WORDS; bigrams those of the
    examples made of two of them."""
    from spacy.tokens import Doc

    unigrams = sorted(known_tokens(lang, known_words(examples)) | NOT_WORDS)
    linear = textcat.model.layers[0]
    bias = np.asarray(textcat.model.get_ref("output_layer").get_param("b"), dtype=np.float32).copy()
    rows = {u: i for i, u in enumerate(unigrams)}
    pairs = [(a, b) for a, b in (p.split(" ") for p in word_pairs(examples)) if a in rows and b in rows]
    docs = [Doc(nlp.vocab, words=[u]) for u in unigrams] + [Doc(nlp.vocab, words=list(p)) for p in pairs]
    out = np.asarray(linear.predict(docs), dtype=np.float32) - bias
    for i, (a, b) in enumerate(pairs, start=len(unigrams)):
        out[i] -= out[rows[a]] + out[rows[b]]
    return unigrams + [f"{a} {b}" for a, b in pairs], out, bias


def language_table() -> dict[str, dict[str, list[float]]]:
    """Naive-Bayes weights per word, word pair and spelling trigram, centred across languages (positive:
    typical of that language), from every language's intent examples."""
    words = {lang: Counter[str]() for lang in LANGUAGES}
    pairs = {lang: Counter[str]() for lang in LANGUAGES}
    trigrams = {lang: Counter[str]() for lang in LANGUAGES}
    for lang in LANGUAGES:
        for examples in intent_examples(lang).values():
            for text in examples:
                tokens = _WORD.findall(fold(text))
                words[lang].update(tokens)
                pairs[lang].update(f"{a} {b}" for a, b in itertools.pairwise(tokens))
        for word in words[lang]:  # spelling from distinct words, so "de" or "the" do not drown it
            padded = f"^{word}$"
            trigrams[lang].update(padded[i : i + 3] for i in range(len(padded) - 2))
    return {
        "words": _weights(words, smoothing=1.0, minimum=1, floor=0.1),
        "bigrams": _weights(pairs, smoothing=1.0, minimum=2, floor=0.5),
        "trigrams": _weights(trigrams, smoothing=0.5, minimum=2, floor=0.2),
    }


def _weights(counts: dict[str, Counter[str]], *, smoothing: float, minimum: int, floor: float) -> dict:
    keys = sorted(set().union(*counts.values()))
    totals = {lang: sum(c.values()) + smoothing * len(keys) for lang, c in counts.items()}
    out = {}
    for key in keys:
        if sum(c[key] for c in counts.values()) < minimum:
            continue
        logs = [math.log((counts[lang][key] + smoothing) / totals[lang]) for lang in LANGUAGES]
        mean = sum(logs) / len(logs)
        vector = [round(max(-WORD_CAP, min(WORD_CAP, v - mean)), 3) for v in logs]
        if max(abs(v) for v in vector) >= floor:
            out[key] = vector
    return out


def write_model(lang: str, nlp: Language, textcat: TextCategorizer, examples: Examples) -> int:
    """nlu/models/<lang>/: meta.json and the exported table (WEIGHTS); returns the table's size in bytes."""
    ngrams, rows, bias = export(lang, nlp, textcat, examples)
    folder = MODELS_DIR / lang
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "textcat.bin.gz").unlink(missing_ok=True)  # the spaCy model of FORMAT 2, read at run time
    weights = gzip.compress(np.vstack([bias, rows]).astype("<f4").tobytes(), compresslevel=9, mtime=0)
    (folder / WEIGHTS).write_bytes(weights)
    meta = {"lang": lang, "format": FORMAT, "labels": list(textcat.labels), "examples": len(examples),
            "known": known_words(examples), "ngrams": ngrams}  # fmt: skip
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=0) + "\n", "utf-8")
    return len(weights)


def build() -> dict[str, Any]:
    """Train every language and write nlu/models/; returns what was built."""
    report: dict[str, Any] = {}
    for lang in LANGUAGES:
        started = time.perf_counter()
        texts = [(t, i) for i, ex in intent_examples(lang).items() for t in ex] + keyword_examples(lang)
        examples = examples_for(lang, texts)
        nlp, textcat = train_textcat(lang, examples)
        size = write_model(lang, nlp, textcat, examples)
        report[lang] = {"examples": len(examples), "kB": size // 1024,
                        "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
    TABLE.write_text(json.dumps(language_table(), ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
    record = {"sha256": fingerprint(), "format": FORMAT, "sources": source_digests()}
    FINGERPRINT.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return report


# ---------------------------------------------------------------- evaluation (never trains on the tables)


def extractor_flags(norm: Normalized, lang: str) -> dict[str, bool]:
    """has_amount / has_period / has_date as the pipeline computes them; a regex stand-in if the extractors
    fail, so cross-validation still runs."""
    try:
        from nlu.dates import find_when
        from nlu.money import find_amounts, primary_amount

        when = find_when(norm, lang, date(2026, 11, 18))
        mentions = find_amounts(norm, lang, None, exclude=when.spans)
        return {
            "has_amount": primary_amount(mentions, norm, lang) is not None,
            "has_period": when.period is not None and when.day is None,
            "has_date": when.day is not None,
        }
    except Exception:
        return {"has_amount": bool(re.search(r"\d", norm.text)), "has_period": False, "has_date": False}


def evaluate(model: Model, cases: list[tuple[str, str]], show: Show = None) -> Counter[str]:
    """Counts of right / wrong answers, and of those with a low confidence."""
    counts: Counter[str] = Counter()
    for text, intent in cases:
        norm = normalize(text)
        flags = extractor_flags(norm, model.lang)
        guess, confidence = score(
            model,
            norm.text,
            has_amount=flags["has_amount"],
            has_period=flags["has_period"],
            has_date=flags["has_date"],
        )[0]
        outcome = "right" if guess == intent else "wrong"
        counts[outcome] += 1
        counts[f"low_{outcome}"] += confidence < LOW_CONFIDENCE
        if outcome == "wrong" and show:
            show(f"  {model.lang} {intent:>17} -> {guess:<17} {confidence:.2f} {text!r}")
    return counts


def summary(counts: Counter[str]) -> dict[str, Any]:
    n = counts["right"] + counts["wrong"]
    return {"n": n, "accuracy": round(counts["right"] / max(n, 1), 3),
            "low_when_right": round(counts["low_right"] / max(counts["right"], 1), 3),
            "low_when_wrong": round(counts["low_wrong"] / max(counts["wrong"], 1), 3)}  # fmt: skip


def cross_validate(lang: str, folds: int, show: Show = None) -> dict[str, Any]:
    """Hold out every folds-th example of each intent in turn, train on the rest (plus keywords), score it."""
    counts: Counter[str] = Counter()
    for fold_index in range(folds):
        train: list[tuple[str, str]] = []
        held: list[tuple[str, str]] = []
        for intent, texts in intent_examples(lang).items():
            shuffled = texts[:]
            random.Random(f"{SEED}{lang}{intent}").shuffle(shuffled)
            for position, text in enumerate(shuffled):
                (held if position % folds == fold_index else train).append((text, intent))
        examples = examples_for(lang, train + keyword_examples(lang))
        nlp, textcat = train_textcat(lang, examples)
        model = assemble(lang, textcat.labels, known_words(examples), *export(lang, nlp, textcat, examples))
        counts += evaluate(model, held, show)
    return summary(counts)


def table_cases(lang: str) -> list[tuple[str, str, str | None]]:
    """(text, intent, lang hint) from tests/locales/<lang>/*.yaml."""
    import yaml

    cases = []
    for path in sorted((locales_dir().parent / "tests" / "locales" / lang).glob("*.yaml")):
        table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for case in table.get("cases") or ():
            cases.append((str(case["text"]), str(table.get("intent")), case.get("lang", table.get("lang"))))
    return cases


def score_tables(show: Show = None) -> None:
    """Intent accuracy with the built models, and language accuracy with no hint and with the table's."""
    from nlu.intents import _model

    for lang in LANGUAGES:
        cases = table_cases(lang)
        intents = summary(evaluate(_model(lang), [(t, i) for t, i, _ in cases], show))
        no_hint = sum(detect_language(normalize(t), None)[0] == lang for t, _, _ in cases)
        own_hint = sum(detect_language(normalize(t), lang)[0] == lang for t, _, _ in cases)
        for text, _, _ in cases:
            if show and detect_language(normalize(text), None)[0] != lang:
                show(f"  {lang} language without a hint: {detect_language(normalize(text), None)} {text!r}")
        n = max(len(cases), 1)
        report = {**intents, "lang_no_hint": round(no_hint / n, 3), "lang_own_hint": round(own_hint / n, 3)}
        print(lang, json.dumps(report), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlu.train", description=__doc__)
    parser.add_argument("--force", action="store_true", help="retrain even when the artefacts are fresh")
    parser.add_argument("--check", action="store_true", help="exit 1 when the artefacts are stale")
    parser.add_argument("--cv", type=int, metavar="FOLDS", help="cross-validate instead (5 holds out 20%%)")
    parser.add_argument("--tables", action="store_true", help="score tests/locales with the built models")
    parser.add_argument("--errors", action="store_true", help="with --cv or --tables: print every miss")
    args = parser.parse_args(argv)
    show = print if args.errors else None
    if args.check:
        fresh = is_fresh()
        changed = ", ".join(stale_sources()) or "settings"
        print("nlu models are up to date" if fresh else f"nlu models are stale ({changed}): make nlu-model")
        return 0 if fresh else 1
    if args.cv:
        for lang in LANGUAGES:
            print(lang, json.dumps(cross_validate(lang, args.cv, show)), flush=True)
        return 0
    if args.tables:
        score_tables(show)
        return 0
    for lang in LANGUAGES:
        for problem in data_problems(lang):
            print("data:", problem, file=sys.stderr)
    if is_fresh() and not args.force:
        print("nlu models are up to date")
        return 0
    started = time.perf_counter()
    report = build()
    print("built nlu/models:", json.dumps(report), f"in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
