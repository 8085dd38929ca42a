"""Merchants in a message: known ones by alias or typo, unknown ones by how people name a place."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from nlu.data import load, load_lang
from nlu.normalize import Normalized, fold
from nlu.types import LANGUAGES

if TYPE_CHECKING:
    from nlu.overlay import MerchantOverlay

log = logging.getLogger(__name__)

COUNTRY_LANGUAGE = {
    "US": "en",
    "GB": "en",
    "MX": "es",
    "ES": "es",
    "AR": "es",
    "CO": "es",
    "BR": "pt",
    "PT": "pt",
}

_WORD = re.compile(r"[^\W_]+(?:['’&][^\W_]+)*\+?|@")  # a trailing + is part of a name: "disney+"
_HARD_BREAK = re.compile(r"[,;:!?()\[\]{}\"|/]")
_MIN_FUZZY = 5  # shorter strings are too close to ordinary words ("oxo", "uber") to guess at
_SCORE_UNKNOWN = 50.0


@dataclass(frozen=True, slots=True)
class MerchantMatch:
    """A merchant named in the message."""

    name: str
    """The canonical name when known ("Starbucks"), else as the person wrote it ("padaria do Zé")."""
    known: bool
    category: str | None
    """The known merchant's default category; None for unknown ones."""
    start: int
    """Span in Normalized.text."""
    end: int
    score: float
    """0..100 match quality: 100 for an exact alias, the similarity for a typo, 50 for an unknown name."""
    own: bool = False
    """One of the tenant's own merchants (nlu.overlay); known, with the tenant's category."""


class Token(NamedTuple):
    """A word of the normalized text."""

    key: str
    """Folded word without apostrophes: "mcdonald's" -> "mcdonalds"."""
    start: int
    end: int
    free: bool
    """False when it overlaps an excluded span (an amount, a date)."""
    gap: int
    """What separates it from the previous word: 0 spaces, 1 a full stop, 2 other punctuation."""


def word_key(word: str) -> str:
    return word.replace("'", "").replace("’", "")


def phrase_keys(phrase: str) -> tuple[str, ...]:
    """The word keys of a folded phrase from the data files, the same way messages are cut."""
    return tuple(word_key(w) for w in _WORD.findall(phrase))


_new_token = tuple.__new__  # NamedTuple's own constructor is a Python function: this is the C one


def tokenize(text: str, spans: Sequence[tuple[int, int]] = ()) -> list[Token]:
    """The words of a normalized text, marked free or claimed by `spans`, with what separates them."""
    out: list[Token] = []
    previous = 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        between = text[previous:start]
        gap = 0 if between in ("", " ") else 2 if _HARD_BREAK.search(between) else 1 if "." in between else 0
        free = True
        for s, e in spans:
            if start < e and s < end:
                free = False
                break
        word = match.group()
        if "'" in word or "’" in word:
            word = word_key(word)
        out.append(_new_token(Token, (word, start, end, free, gap)))
        previous = end
    return out


def negated(tokens: Sequence[Token], phrases: dict[tuple[str, ...], int], reach: int = 4) -> list[bool]:
    """Which words fall under a negation ("not", "no fue en", "não"): up to `reach` words, within a clause."""
    flags = [False] * len(tokens)
    starts = {phrase[0] for phrase in phrases}
    for i, token in enumerate(tokens):
        if token.key not in starts:
            continue
        for size in sorted({len(p) for p in phrases if p[0] == token.key}, reverse=True):
            if tuple(t.key for t in tokens[i : i + size]) in phrases:
                j = i + size
                while j < len(tokens) and j < i + size + reach and tokens[j].gap == 0:
                    flags[j] = True
                    j += 1
                break
    return flags


@lru_cache(maxsize=256)
def analyze(
    text: str, spans: tuple[tuple[int, int], ...], lang: str
) -> tuple[tuple[Token, ...], tuple[bool, ...]]:
    """The words of a message and which are negated, kept for the next call: the pipeline asks for the
    merchant and then the category of the same text with the same claimed spans."""
    cues = index().cues.get(lang) or index().cues["en"]
    tokens = tokenize(text, spans)
    return tuple(tokens), tuple(negated(tokens, cues.negations))


def claimed_spans(exclude: Iterable[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    return tuple((int(s), int(e)) for s, e in exclude)


@dataclass(frozen=True, slots=True)
class Merchant:
    name: str
    category: str
    languages: frozenset[str]


class _Alias(NamedTuple):
    merchant: int
    weak: bool


@dataclass(frozen=True)
class Cues:
    """How one language introduces and shapes a merchant's name (categories.yaml `merchant_cues`)."""

    before: frozenset[str]
    drop: frozenset[str]
    articles: frozenset[str]
    inside: frozenset[str]
    places: frozenset[str]
    generic: frozenset[str]
    stop: frozenset[str]
    weak_before: frozenset[str]
    needs_article: bool
    category_words: frozenset[str]
    """Every word of the language's category phrases: a name needs a word that is none of these."""
    category_heads: frozenset[str]
    """One-word category phrases: a name does not start with one unless it is a kind of place."""
    negations: dict[tuple[str, ...], int]
    ends: frozenset[str]
    """Words that end a name: stop words and the words that introduce one."""
    plain: frozenset[str]
    """Words that are not a name of their own."""


@dataclass(frozen=True)
class Index:
    """Everything find_merchant needs, built once from the data files."""

    merchants: list[Merchant]
    exact: dict[tuple[str, ...], _Alias]
    joined: dict[str, _Alias]
    longest: int
    fuzzy: dict[str, list[str]]
    fuzzy_target: dict[str, int]
    blocked: frozenset[str]
    """Ordinary words of any language: never a typo of a merchant on their own."""
    function_words: frozenset[str]
    """Prepositions, articles, fillers: never the first or last word of a merchant's name."""
    cues: dict[str, Cues]
    conflicts: list[str]
    """Aliases claimed by two merchants (a data error the tests report); the first one keeps them."""


def _words(data: dict[str, Any], key: str) -> frozenset[str]:
    return frozenset(word_key(str(w)) for w in data.get(key) or ())


def _cues(lang: str) -> Cues:
    data = load_lang(lang, "categories")
    cues = data.get("merchant_cues") or {}
    phrases = [str(p) for words in (data.get("categories") or {}).values() for p in words or ()]
    phrases += [str(p) for p in data.get("ambiguous") or {}]
    keys = [phrase_keys(p) for p in phrases]
    words = {key: _words(cues, key) for key in ("before", "drop", "articles", "inside", "places", "stop")}
    generic = frozenset(k for p in cues.get("generic") or () for k in phrase_keys(str(p)))
    category_words = frozenset(w for k in keys for w in k)
    return Cues(
        **words,
        generic=generic,
        weak_before=_words(cues, "weak_before"),
        needs_article=bool(cues.get("name_needs_article")),
        category_words=category_words,
        category_heads=frozenset(k[0] for k in keys if len(k) == 1),
        negations={phrase_keys(str(p)): len(phrase_keys(str(p))) for p in data.get("negations") or ()},
        ends=words["stop"] | words["before"],
        plain=category_words.union(
            generic, *(words[k] for k in ("inside", "articles", "drop", "places", "stop"))
        ),
    )


@cache
def index() -> Index:
    """The merchant index, built on first use (tens of milliseconds) and kept for the process."""
    merchants: list[Merchant] = []
    exact: dict[tuple[str, ...], _Alias] = {}
    joined: dict[str, _Alias] = {}
    fuzzy_target: dict[str, int] = {}
    conflicts: list[str] = []

    def claim(table: dict[Any, _Alias], key: Any, alias: _Alias) -> None:
        owner = table.setdefault(key, alias).merchant
        if owner != alias.merchant:
            conflicts.append(f"{key!r}: {merchants[owner].name}, {merchants[alias.merchant].name}")

    for entry in load("merchants.yaml")["merchants"]:
        number = len(merchants)
        langs = frozenset(COUNTRY_LANGUAGE.get(str(c), "") for c in entry.get("countries") or ()) - {""}
        merchants.append(Merchant(str(entry["name"]), str(entry["category"]), langs))
        weak = [str(a) for a in entry.get("weak") or ()]
        strong = [str(a) for a in entry.get("aliases") or ()]
        name_keys = phrase_keys(fold(str(entry["name"])))
        if entry.get("bare_name", True) and name_keys not in {phrase_keys(w) for w in weak}:
            strong.append(fold(str(entry["name"])))  # "Disney+" is "disney", which is weak: not added
        for alias, is_weak in [(a, False) for a in strong] + [(a, True) for a in weak]:
            keys = phrase_keys(alias)
            if keys:
                claim(exact, keys, _Alias(number, is_weak))
            glued = "".join(keys)
            # An everyday word is never guessed at from a typo or a run-together spelling.
            if is_weak or len(glued) < _MIN_FUZZY:
                continue
            claim(joined, glued, _Alias(number, False))
            # In a fixed order: from a set, the order of the fuzzy choices (and so ties) varied by hash seed.
            for form in dict.fromkeys((" ".join(keys), glued)):
                if form[0].isalpha() and fuzzy_target.setdefault(form, number) != number:
                    fuzzy_target[form] = -1  # two merchants: a typo of it names neither
    fuzzy: dict[str, list[str]] = {}
    for form, number in fuzzy_target.items():
        if number >= 0:
            fuzzy.setdefault(form[0], []).append(form)
    cues = {lang: _cues(lang) for lang in LANGUAGES}
    function_words = frozenset().union(
        *(c.stop | c.before | c.inside | c.drop | c.articles | c.weak_before for c in cues.values())
    )
    blocked = function_words.union(*(c.category_words | c.generic | c.places for c in cues.values()))
    return Index(
        merchants,
        exact,
        joined,
        max(len(k) for k in exact),
        fuzzy,
        fuzzy_target,
        blocked,
        function_words,
        cues,
        conflicts,
    )


@cache
def number_words() -> frozenset[str]:
    """Numbers that are words of a merchant's alias ("99", the "7" of "7 eleven", the "21" of "forever 21"):
    only a bare amount made of these can be a merchant's name instead."""
    return frozenset(w for key in index().exact for w in key if w.isdigit())


def find_merchant(
    norm: Normalized,
    lang: str,
    exclude: Sequence[tuple[int, int]] = (),
    overlay: MerchantOverlay | None = None,
) -> MerchantMatch | None:
    """The merchant or payee named in the message, or None. `exclude` holds spans already claimed by amounts
    and dates. The tenant's own merchants (`overlay`) win, then known merchants over unknown names; a wrong
    merchant is worse than none."""
    idx = index()
    cues = idx.cues.get(lang) or idx.cues["en"]
    try:
        words, flags = analyze(norm.text, claimed_spans(exclude), lang)
        tokens, negs = list(words), list(flags)
        own = None if overlay is None else overlay.find(tokens, negs)
        if own is not None and not own[0]:
            return own[1]
        shipped = _shipped(tokens, negs, norm, idx, lang, cues)
        if shipped is not None and (own is None or not shipped[0]):
            return shipped[1]
        return None if own is None else own[1]
    except Exception:  # a bug must not cost the whole message; the rest of the parse still stands
        log.exception("find_merchant failed")
        return None


def _shipped(
    tokens: list[Token], negs: list[bool], norm: Normalized, idx: Index, lang: str, cues: Cues
) -> tuple[bool, MerchantMatch] | None:
    """(negated, match) from the shipped list, else an unknown name."""
    found = _known(tokens, negs, idx, lang, cues) or _typo(tokens, negs, idx)
    if found is not None and not found[0]:
        return found
    unknown = _unknown(tokens, negs, norm, cues)
    if unknown is not None and (found is None or not unknown[0]):
        return unknown
    return found


def _match(idx: Index, number: int, tokens: list[Token], i: int, j: int, score: float) -> MerchantMatch:
    merchant = idx.merchants[number]
    return MerchantMatch(merchant.name, True, merchant.category, tokens[i].start, tokens[j].end, score)


def _known(
    tokens: list[Token], negs: list[bool], idx: Index, lang: str, cues: Cues
) -> tuple[bool, MerchantMatch] | None:
    """Exact aliases and run-together spellings ("mercadolibre", "mc donalds"): the longest wins, then the
    earliest, and one outside a negation over one inside it."""
    best: tuple[tuple[bool, int, int], int, int, int] | None = None
    for i in range(len(tokens)):
        keys: list[str] = []
        for j in range(i, min(len(tokens), i + idx.longest)):
            token = tokens[j]
            # Digits may sit inside a claimed amount and still belong to a name ("um 99", "7 eleven").
            if (not token.free and not token.key.isdigit()) or (j > i and token.gap == 2):
                break
            keys.append(token.key)
            alias = idx.exact.get(tuple(keys))
            if alias is None and (j > i or len(keys[0]) >= _MIN_FUZZY):
                alias = idx.joined.get("".join(keys))
            if alias is None or all(k.isdigit() for k in keys):
                continue
            if alias.weak and not _weak_ok(tokens, i, j, idx.merchants[alias.merchant], lang, cues):
                continue
            rank = (not negs[i], tokens[j].end - tokens[i].start, -i)
            if best is None or rank > best[0]:
                best = (rank, alias.merchant, i, j)
    if best is None:
        return None
    rank, number, i, j = best
    return not rank[0], _match(idx, number, tokens, i, j, 100.0)


def _weak_ok(tokens: list[Token], i: int, j: int, merchant: Merchant, lang: str, cues: Cues) -> bool:
    """An everyday word names a merchant only in its countries' languages, right after a place word ("na
    vivo", "en el éxito"), or as the whole message with an amount ("claro 89,90")."""
    if lang not in merchant.languages:
        return False
    before = i - 1
    if before >= 0 and tokens[before].key in cues.articles and tokens[i].gap == 0:
        before -= 1  # "en el éxito": look past the article
    if before >= 0 and tokens[before].free and tokens[before].key in cues.weak_before:
        return tokens[before + 1].gap == 0
    rest = tokens[j + 1 :]
    if i == 0 and rest and not rest[0].free and rest[0].gap == 0:
        # "vivo 129,99 da conta do celular" yes; "oi 50 no mercado" names another place: "oi" is a greeting.
        return not any(t.free and t.key in cues.before for t in rest)
    return bool(j == len(tokens) - 1 and i > 0 and not any(t.free for t in tokens[:i]))


def _typo(tokens: list[Token], negs: list[bool], idx: Index) -> tuple[bool, MerchantMatch] | None:
    """Typos of known names ("starbuks", "carrefur", "mercado libr"): one to three words, not all of them
    ordinary words, against the aliases that start with the same letter."""
    best: tuple[tuple[bool, float, int], int, int, int] | None = None
    for i, first in enumerate(tokens):
        if not first.free or first.key in idx.function_words or not first.key[:1].isalpha():
            continue
        for j in range(i, min(len(tokens), i + 3)):
            last = tokens[j]
            if not last.free or (j > i and last.gap):
                break
            keys = [t.key for t in tokens[i : j + 1]]
            if last.key in idx.function_words or all(k in idx.blocked for k in keys):
                continue
            forms = [" ".join(keys), "".join(keys)] if j > i else [keys[0]]
            for form in forms:
                hit = _fuzzy(form)
                if hit is None:
                    continue
                rank = (not negs[i], hit[1], j - i)
                if best is None or rank > best[0]:
                    best = (rank, hit[0], i, j)
    if best is None:
        return None
    rank, number, i, j = best
    return not rank[0], _match(idx, number, tokens, i, j, rank[1])


@lru_cache(maxsize=50_000)
def _fuzzy(form: str) -> tuple[int, float] | None:
    """The merchant a typed form is a typo of, with the similarity 0..100. Only the typos fast typists make
    and ordinary words rarely look like: a dropped or doubled letter in a name of 7+ letters, two swapped
    letters, two edits in a long name. A swapped-in letter is not guessed: "costo" is not Costco."""
    idx = index()
    choices = idx.fuzzy.get(form[:1])
    if len(form) < _MIN_FUZZY or not choices:
        return None
    found = process.extractOne(form, choices, scorer=OSA.distance, score_cutoff=2 if len(form) >= 10 else 1)
    if found is None:
        return None
    choice, distance = found[0], int(found[1])
    if distance == 1:
        swapped = len(form) == len(choice) and sorted(form) == sorted(choice)
        dropped = abs(len(form) - len(choice)) == 1 and len(choice) >= 7 and not form.startswith(choice)
        if not (swapped or dropped):
            return None
    elif distance == 2 and fuzz.ratio(form, choice) <= 88:  # "mercado abre" is 88 from "mercado libre"
        return None
    return idx.fuzzy_target[choice], round(100.0 * (1 - distance / max(len(form), len(choice))), 1)


def _unknown(
    tokens: list[Token], negs: list[bool], norm: Normalized, cues: Cues
) -> tuple[bool, MerchantMatch] | None:
    """A name the data does not know: after a place word ("at joe's diner", "na padaria do Zé", "en la
    tiendita de doña Rosa") or a kind of place with its owner ("padaria do Zé 14,50"), kept as typed."""
    found: list[tuple[bool, int, int]] = []
    for i, token in enumerate(tokens):
        if not token.free:
            continue
        span: tuple[int, int] | None = None
        if token.key in cues.before:
            start = i + 1
            while start < len(tokens) and tokens[start].key in cues.drop and tokens[start].gap == 0:
                start += 1
            has_article = start < len(tokens) and tokens[start].key in cues.articles
            span = _collect(tokens, start, cues) if start < len(tokens) and tokens[start].gap == 0 else None
            if span and cues.needs_article and not has_article and tokens[span[0]].key not in cues.places:
                span = None  # "hotel en Londres" is a city; "en la tiendita", "en Panadería Rosita" are shops
        elif token.key in cues.places and i + 1 < len(tokens) and tokens[i + 1].key in cues.inside:
            article = i > 0 and tokens[i - 1].key in cues.articles and tokens[i - 1].free and token.gap == 0
            span = _collect(tokens, i - 1 if article else i, cues)
        if span and _is_name([t.key for t in tokens[span[0] : span[1] + 1]], cues):
            found.append((negs[span[0]], span[0], span[1]))
    if not found:
        return None
    neg, i, j = min(found, key=lambda f: (f[0], f[1]))
    name = norm.original_span(tokens[i].start, tokens[j].end)
    return neg, MerchantMatch(name, False, None, tokens[i].start, tokens[j].end, _SCORE_UNKNOWN)


def _collect(tokens: list[Token], start: int, cues: Cues) -> tuple[int, int] | None:
    """The words of a name from `start`: until a claimed span, punctuation, a stop word or six words."""
    end = start
    while end < len(tokens) and end - start < 6:
        token = tokens[end]
        if not token.free or (end > start and token.gap) or token.key in cues.ends:
            break
        if token.key[0].isdigit():
            break  # "at joe's 20 bucks": the amount is not part of the name
        if end > start and token.key in cues.drop and token.key not in cues.inside:
            break  # "multibanco a factura": an article after the first word starts another phrase
        end += 1
    while end > start and tokens[end - 1].key in cues.inside | cues.articles | cues.drop:
        end -= 1  # "padaria do" is not a name; the connector belongs to the next one
    if end == start or not tokens[start].key[:1].isalpha():
        return None
    return start, end - 1


def _is_name(keys: list[str], cues: Cues) -> bool:
    """A name has a word of its own ("Joe's", "Zé", "Rosa"), and does not start with what was bought."""
    words = [k for k in keys if k not in cues.articles] or keys
    if words[0] in cues.category_heads and words[0] not in cues.places:
        return False  # "en la cena de navidad", "no almoço com a Maria"
    return any(k not in cues.plain and not k.isdigit() for k in words)
