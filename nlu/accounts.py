"""Accounts, transfers and loans in a message: which account pays or receives, a transfer's two sides, the
person money was lent to or got back from (locales/<lang>/accounts.yaml)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from nlu.data import load_lang
from nlu.normalize import Normalized, fold, normalize

_WORD = re.compile(r"[a-z0-9]+")
_CONNECTORS = frozenset({"do", "da", "de", "del", "from", "of", "at"})
"""Words between a kind of account and its name: "cartão do inter", "tarjeta de bbva", "card from chase"."""
MAX_PERSON_WORDS = 2


@dataclass(frozen=True, slots=True)
class AccountMention:
    """An account named in the message."""

    text: str
    """As typed ("cartão do Inter", "amex", "poupança")."""
    kind: str | None
    """"credit_card" / "cash" / "savings" / "checking" when a word of the phrase says it, else None."""
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Accounts:
    """What a message says about accounts and people."""

    account: AccountMention | None = None
    """The account that paid or received (a transfer's source)."""
    to_account: AccountMention | None = None
    """A transfer's destination."""
    person: str | None = None
    """Who money was lent to, paid back to, or got back from."""
    direction: str | None = None
    """"out" (lent, paid back) or "in" (got back, borrowed) when a loan is told."""
    withdrawal: bool = False
    """A cash withdrawal ("saqué del cajero"): the destination is cash."""
    card_bill: bool = False
    """Paying a credit card bill: the card is the destination."""

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [(m.start, m.end) for m in (self.account, self.to_account) if m is not None]


@dataclass(frozen=True, slots=True)
class _Lexicon:
    kinds: dict[tuple[str, ...], str]
    brands: frozenset[tuple[str, ...]]
    via: frozenset[tuple[str, ...]]
    to: frozenset[tuple[str, ...]]
    origin: frozenset[tuple[str, ...]]
    withdrawal: frozenset[tuple[str, ...]]
    card_bill: frozenset[tuple[str, ...]]
    debt_out: frozenset[tuple[str, ...]]
    debt_in: frozenset[tuple[str, ...]]
    not_person: frozenset[str]
    cash_word: str
    longest: int
    answers: dict[str, frozenset[str]]
    starts: frozenset[str]
    """First words of every kind and bank phrase: only there can an account phrase begin."""
    cue_index: dict[str, dict[str, tuple[tuple[str, ...], ...]]]
    """Cue group ("withdrawal", "card_bill", "debt_in", "debt_out") -> first word -> its phrases, longest
    first: a message is scanned once per group, and only at words that start a phrase."""


def _phrases(items: object) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(fold(str(item)).split()) for item in (items or ()))  # type: ignore[attr-defined]


@cache
def lexicon(lang: str) -> _Lexicon:
    data = load_lang(lang, "accounts")
    kinds = {tuple(fold(str(w)).split()): kind for kind, words in data["kinds"].items() for w in words}
    groups = [
        kinds,
        data["brands"],
        data["via"],
        data["to"],
        data["from"],
        data["withdrawal"],
        data["card_bill"],
    ]
    longest = max(len(p) for group in groups for p in _phrases(group))
    return _Lexicon(
        kinds=kinds,
        brands=_phrases(data["brands"]),
        via=_phrases(data["via"]) | {("my",), ("meu",), ("minha",), ("mi",)},
        to=_phrases(data["to"]),
        origin=_phrases(data["from"]),
        withdrawal=_phrases(data["withdrawal"]),
        card_bill=_phrases(data["card_bill"]),
        debt_out=_phrases(data["debt_out"]),
        debt_in=_phrases(data["debt_in"]),
        not_person=frozenset(fold(str(w)) for w in data["not_person"]),
        cash_word=str(data["kinds"]["cash"][0]),
        longest=max(longest, 4),
        answers={d: frozenset(fold(str(w)) for w in data["answer_" + d]) for d in ("out", "in")},
        starts=frozenset(p[0] for p in (*kinds, *_phrases(data["brands"])) if p),
        cue_index={group: _index(_phrases(data[group])) for group in CUE_GROUPS},
    )


CUE_GROUPS = ("withdrawal", "card_bill", "debt_in", "debt_out")


def _index(phrases: frozenset[tuple[str, ...]]) -> dict[str, tuple[tuple[str, ...], ...]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        if phrase:
            index.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(sorted(found, key=len, reverse=True)) for first, found in index.items()}


@cache
def kind_words(lang: str) -> frozenset[str]:
    """Words that say a kind of account and are no bank's name ("cartao", "savings"; not "amex")."""
    lex = lexicon(lang)
    brands = {brand[0] for brand in lex.brands if len(brand) == 1}
    return frozenset(word for phrase in lex.kinds for word in phrase) - brands - {"de", "do", "da"}


def kind_of(text: str, lang: str) -> str | None:
    """The kind of account a name says ("cartão do inter" -> credit_card, "poupança" -> savings) or None."""
    words = tuple(_WORD.findall(fold(text)))
    kinds = lexicon(lang).kinds
    for length in range(len(words), 0, -1):
        for start in range(len(words) - length + 1):
            kind = kinds.get(words[start : start + length])
            if kind is not None:
                return kind
    return None


def find_accounts(norm: Normalized, lang: str, exclude: Sequence[tuple[int, int]] = ()) -> Reading:
    """The accounts, and for a loan the person and direction, named in the message; `exclude` holds spans
    already claimed (amounts, dates). An account is named after a word like "on", "com o", "del" so that a
    wallet bought or a bill ("conta de luz") is not taken for one."""
    lex = lexicon(lang)
    words = [
        (m.group(), m.start(), m.end())
        for m in _WORD.finditer(norm.text)
        if not any(a < m.end() and m.start() < b for a, b in exclude)
    ]
    tokens = [w for w, _, _ in words]
    found: list[tuple[AccountMention, str]] = []  # (mention, role: "to" / "from" / "via")
    i = 0
    while i < len(tokens):
        match = _account_at(tokens, i, lex) if tokens[i] in lex.starts else None
        before = None if match is None else _role(tokens, i, lex)
        if match is None or before is None:
            i += 1
            continue
        end, kind = match
        start_char, end_char = words[i][1], words[end - 1][2]
        found.append(
            (AccountMention(norm.original_span(start_char, end_char), kind, start_char, end_char), before)
        )
        i = end
    cues = {group: _cue(tokens, lex.cue_index[group]) for group in CUE_GROUPS}
    return Reading(norm, lex, words, tuple(found), cues)


@dataclass(frozen=True, slots=True)
class Reading:
    """The account phrases of a message, found before its intent is known (so the merchant search leaves
    them alone); `for_intent` then gives each its role."""

    norm: Normalized
    lex: _Lexicon
    words: list[tuple[str, int, int]]
    found: tuple[tuple[AccountMention, str], ...]
    cues: dict[str, tuple[int, int] | None]
    """Cue group -> the (start, end) token span of its first phrase in the message, None when absent."""

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [(m.start, m.end) for m, _ in self.found]

    def for_intent(self, intent: str) -> Accounts:
        return _assign(self, intent)

    @property
    def tells_loan(self) -> bool:
        """A word says which way a loan's money went ("lent", "me devolveu")."""
        return self.cues["debt_in"] is not None or self.cues["debt_out"] is not None

    @property
    def tells_transfer(self) -> bool:
        """An account, a cash withdrawal or a card bill is named: what a transfer needs."""
        if self.cues["withdrawal"] is not None or self.cues["card_bill"] is not None:
            return True
        return bool(self.found)

    def without(self, span: tuple[int, int]) -> Reading:
        """The reading with the account phrases overlapping `span` left out (a merchant's name)."""
        kept = tuple((m, r) for m, r in self.found if not (m.start < span[1] and span[0] < m.end))
        return Reading(self.norm, self.lex, self.words, kept, self.cues)


def _assign(reading: Reading, intent: str) -> Accounts:
    lex, words, found, norm = reading.lex, reading.words, reading.found, reading.norm
    withdrawal = reading.cues["withdrawal"] is not None
    card_bill = reading.cues["card_bill"] is not None
    account = to_account = None
    if intent == "transfer":
        to_account = next((m for m, role in found if role == "to"), None)
        account = next((m for m, role in found if role == "from"), None)
        if card_bill and to_account is None:
            # Paying a card's bill moves money into the card, whatever word comes before it ("a fatura do
            # cartão", "my credit card bill"); a card named without one ("pagué la tarjeta") is found too.
            cards = [m for m, _ in found if m.kind == "credit_card"]
            to_account = cards[0] if cards else next((m for m, role in found if role != "from"), None)
            if to_account is None:
                to_account = _anywhere(words, norm, lex, [(m.start, m.end) for m, _ in found])
            if to_account is None and len(found) == 1:
                to_account = found[0][0]  # "a fatura do nubank": the bill's card, not where money comes from
            if account is to_account:
                account = next((m for m, role in found if m is not to_account and role != "to"), None)
        for mention, _ in found:
            if mention is account or mention is to_account:
                continue
            if account is None:
                account = mention
            elif to_account is None:
                to_account = mention
    elif found:
        account = found[0][0]

    person = direction = None
    if intent == "debt":
        inward = reading.cues["debt_in"]
        outward = None if inward is not None else reading.cues["debt_out"]
        cue = inward or outward
        direction = "in" if inward is not None else "out" if outward is not None else None
        person = _person(words, norm, lex, cue)
    return Accounts(
        account=account,
        to_account=to_account,
        person=person,
        direction=direction,
        withdrawal=withdrawal and intent == "transfer",
        card_bill=card_bill and intent == "transfer",
    )


def _account_at(tokens: list[str], i: int, lex: _Lexicon) -> tuple[int, str | None] | None:
    """(end, kind) of the account phrase starting at token i: a kind of account, a bank or wallet, or a kind
    followed by its name ("cartão do inter", "amex card")."""
    best: tuple[int, str | None] | None = None
    for length in range(min(lex.longest, len(tokens) - i), 0, -1):
        phrase = tuple(tokens[i : i + length])
        if phrase in lex.kinds:
            best = (i + length, lex.kinds[phrase])
            break
        if phrase in lex.brands:
            best = (i + length, lex.kinds.get(phrase))
            break
    if best is None:
        return None
    end, kind = best
    # A kind then a bank's name ("cartão do inter", "tarjeta bbva"), or a bank then a kind ("amex card").
    rest = end + 1 if end < len(tokens) and tokens[end] in _CONNECTORS else end
    for length in range(min(3, len(tokens) - rest), 0, -1):
        phrase = tuple(tokens[rest : rest + length])
        if kind is not None and phrase in lex.brands:
            return rest + length, kind
        if phrase in lex.kinds and (kind is None or kind == lex.kinds[phrase]):
            return rest + length if rest == end else end, lex.kinds[phrase]
    return end, kind


def _anywhere(
    words: list[tuple[str, int, int]], norm: Normalized, lex: _Lexicon, taken: list[tuple[int, int]]
) -> AccountMention | None:
    """The first account phrase in the message outside `taken`, whatever precedes it."""
    tokens = [w for w, _, _ in words]
    for i in range(len(tokens)):
        if tokens[i] not in lex.starts or any(a <= words[i][1] < b for a, b in taken):
            continue
        match = _account_at(tokens, i, lex)
        if match is not None:
            end, kind = match
            start_char, end_char = words[i][1], words[end - 1][2]
            return AccountMention(norm.original_span(start_char, end_char), kind, start_char, end_char)
    return None


def _role(tokens: list[str], i: int, lex: _Lexicon) -> str | None:
    """ "to", "from" or "via" by the words just before token i; None when none of them is there."""
    for length in range(min(3, i), 0, -1):
        phrase = tuple(tokens[i - length : i])
        if phrase in lex.to:
            return "to"
        if phrase in lex.origin:
            return "from"
        if phrase in lex.via:
            return "via"
    return None


def _cue(tokens: list[str], index: dict[str, tuple[tuple[str, ...], ...]]) -> tuple[int, int] | None:
    """The first (start, end) of any indexed phrase in tokens, the longest at a position."""
    for start, token in enumerate(tokens):
        for phrase in index.get(token, ()):
            if tuple(tokens[start : start + len(phrase)]) == phrase:
                return start, start + len(phrase)
    return None


def _person(
    words: list[tuple[str, int, int]], norm: Normalized, lex: _Lexicon, cue: tuple[int, int] | None
) -> str | None:
    """The first run of name-like words, nearest after the cue ("lent mike 20", "le presté 500 a juan"),
    else before it ("o joão me devolveu 50"), shown as typed with a capital."""
    if cue is None:
        return None
    start, end = cue

    def name_like(k: int) -> bool:
        word = words[k][0]
        return not word.isdigit() and not any(ch.isdigit() for ch in word) and word not in lex.not_person

    after = [k for k in range(end, len(words)) if name_like(k)]
    before = [k for k in range(start - 1, -1, -1) if name_like(k)]
    picked = after[:1] or before[:1]
    if not picked:
        return None
    k = picked[0]
    run = [k]
    while len(run) < MAX_PERSON_WORDS and run[-1] + 1 < len(words) and name_like(run[-1] + 1):
        if run[-1] + 1 >= start and run[-1] + 1 < end:
            break
        run.append(run[-1] + 1)
    text = norm.original_span(words[run[0]][1], words[run[-1]][2])
    return " ".join(part[:1].upper() + part[1:] for part in text.split())


def _near(typed: str, word: str) -> bool:
    """Equal, or one typo apart in a word of 5+ letters ("poupansa", "nubnak" is two: not)."""
    if typed == word:
        return True
    if min(len(typed), len(word)) < 5 or abs(len(typed) - len(word)) > 1:
        return False
    previous = list(range(len(word) + 1))
    for i, a in enumerate(typed, 1):
        current = [i]
        for j, b in enumerate(word, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    swapped = any(typed[:k] + typed[k + 1] + typed[k] + typed[k + 2 :] == word for k in range(len(typed) - 1))
    return previous[-1] <= 1 or swapped


def person_answer(text: str, lang: str) -> str | None:
    """The name in a short answer to "who was it?" ("pro Caio", "a juan", "my friend Sarah"): its words
    that are no function word, at most two, with capitals; None when there is none or a number."""
    lex = lexicon(lang)
    norm = normalize(text)
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(norm.text)]
    if not words or len(words) > 5 or any(w.isdigit() for w, _, _ in words):
        return None
    function = lex.not_person | {p[0] for p in lex.to | lex.via if len(p) == 1}
    kept = [(s, e) for w, s, e in words if w not in function]
    if not kept or len(kept) > MAX_PERSON_WORDS:
        return None
    shown = norm.original_span(kept[0][0], kept[-1][1])
    return " ".join(part[:1].upper() + part[1:] for part in shown.split())


def named_in(text: str, lang: str, names: Sequence[str]) -> list[tuple[str, str]]:
    """The user's own account names found in `text` (folded, whole words), in order of appearance, each with
    its role by the word before it: "to", "from", "via", or "" when none ("uber 20 viagem")."""
    lex = lexicon(lang)
    tokens = _WORD.findall(fold(text))
    found: list[tuple[int, str, str]] = []
    for name in names:
        words = _WORD.findall(fold(name))
        if not words:
            continue
        for i in range(len(tokens) - len(words) + 1):
            if all(_near(t, w) for t, w in zip(tokens[i : i + len(words)], words, strict=True)):
                found.append((i, name, _role(tokens, i, lex) or ""))
                break
    return [(name, role) for _, name, role in sorted(found)]


__all__ = [
    "AccountMention",
    "Accounts",
    "find_accounts",
    "kind_of",
    "kind_words",
    "lexicon",
    "named_in",
    "person_answer",
]
