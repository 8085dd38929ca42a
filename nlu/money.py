"""Amounts of money in a chat message: local digit formats, number words, signs, ISO codes, currency names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from nlu import data
from nlu.normalize import Normalized, fold
from nlu.numbers import (
    NUM,
    PUNCT,
    SYM,
    WORD,
    NumberWords,
    Token,
    Tokenizer,
    gap,
    not_an_amount,
    number_words,
    parse_digits,
    read_scales,
    read_words,
    said_cents,
    space_groups,
    unit_end,
)
from nlu.types import LANGUAGES, MoneyMention

__all__ = [
    "currency_words",
    "family",
    "find_amounts",
    "primary_amount",
    "resolve_currency",
    "unresolved_amounts",
    "upper_codes",
]

_DIGIT_RANGE = re.compile(r"[0-9] ?[-–] ?\S{0,3} ?[0-9]")
_MAX = Decimal(10) ** 15  # beyond this a "number" is an id or a phone number, not money
_SIGNS = frozenset("-+−")
_END = frozenset(".,!?;:)]")
_STRIP = ".,!?;:()\"'"
_AFTER = re.compile(r" ?([^\W\d_]+)")
# Runs that are clock times, dates or phone numbers as a whole: 10:30, 8h30, 3/11/2025, 2025-11-03,
# 24/7, +55 11 98765-4321, (11) 98765-4321, 98765-4321, 555-1234.
_BLOCKED = re.compile(
    # Each alternative starts where a digit run starts, else a long run of digits backtracks quadratically.
    r"(?<![0-9])(?:[0-9]+[:h][0-9]{2}(?![0-9])|[0-9]{1,4}(?:/[0-9]{1,4})+|[0-9]{1,4}(?:-[0-9]{1,4}){2,}"
    r"|[0-9]{3,5}-[0-9]{4}(?![0-9]))"
    r"|\+[0-9]{1,3}(?:[ .-]?\(?[0-9]{1,5}\)?){2,}|\([0-9]{2,3}\) ?[0-9]{4,5}-?[0-9]{4}"
)


@dataclass(frozen=True, slots=True)
class _Signs:
    """Language-neutral markers from currency_symbols.yaml."""

    tokenize: Tokenizer
    symbols: dict[str, str]
    prefixes: dict[str, str]
    """Letter markers that may come before the digits: abbreviations ("bs", "kr") and ISO codes."""
    upper_codes: dict[str, str]
    families: dict[str, tuple[str, frozenset[str]]]
    letters: dict[str, str]
    """Capital letters that are a currency right before a number, for that currency's users ("Q 50")."""


@cache
def _signs() -> _Signs:
    raw = data.load("currency_symbols.yaml")
    signs = {fold(str(k)): str(v) for k, v in raw["symbols"].items()}
    # Letter-only signs ("元") come out of the tokenizer as words: they are looked up with the abbreviations.
    symbols = {k: v for k, v in signs.items() if not k.isalpha()}
    prefixes = {k: v for k, v in signs.items() if k.isalpha()}
    prefixes.update({fold(str(k)): str(v) for k, v in raw["abbreviations"].items()})
    prefixes.update({str(code).lower(): str(code).upper() for code in raw["codes"]})
    families = {
        str(name): (str(spec["default"]), frozenset(str(c) for c in spec["members"]))
        for name, spec in raw["families"].items()
    }
    return _Signs(
        tokenize=Tokenizer(symbols),
        symbols=symbols,
        prefixes=prefixes,
        upper_codes={str(code).lower(): str(code).upper() for code in raw["upper_codes"]},
        families=families,
        letters={str(k).lower(): str(v).upper() for k, v in (raw.get("letter_signs") or {}).items()},
    )


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """One language's money words: numbers.yaml, currencies.yaml and the neutral markers, folded."""

    nums: NumberWords
    names: dict[str, str]
    """Currency names and phrases, ISO codes and abbreviations -> marker."""
    first_words: frozenset[str]
    longest: int
    weak_names: frozenset[str]
    weak_before: frozenset[str]
    typos: dict[str, frozenset[str]]
    """One-letter typo variants of the common currency names -> markers (see _typo)."""
    vague: _VagueWords


@dataclass(frozen=True, slots=True)
class _VagueWords:
    """One language's words for amounts said but not exactly (numbers.yaml), folded."""

    range_words: frozenset[str]
    """Words between two numbers making a choice or a range: "or", "ou", "-"."""
    with_currency: frozenset[str]
    """Range words only with a currency written ("20 to 30 bucks"; "change 20 to 25" is an edit)."""
    pairs: dict[str, frozenset[str]]
    """Opening word -> the words joining the two numbers after it: "between" -> {"and"}."""
    after_verb: frozenset[str]
    """Opening words of pairs that are a range only after a spending verb ("spent from 30 to 40")."""
    verbs: frozenset[str]
    """Spending verbs (not budget words) that make such a pair a range: "spent", "gastei"."""
    phrases: dict[str, str]
    """Phrase -> kind: "quantifier", "loose" (a quantifier that also means "about": "uns", "unos"),
    "unit" ("hundreds", "miles"), "noun" ("trocados", "cash"), "alone" ("a fortune")."""
    joiners: frozenset[str]
    """Words between a vague unit and its currency: "hundreds of dollars", "miles de pesos"."""
    longest: int
    triggers: frozenset[str]
    """Every first word of the above, to skip the search in most messages."""


def _vague_words(lang: str, approx: frozenset[str]) -> _VagueWords:
    raw = data.load_lang(lang, "numbers")

    def folded(key: str) -> list[str]:
        return [fold(str(w)) for w in raw.get(key) or ()]

    phrases: dict[str, str] = {}
    for kind, key in (("noun", "vague_nouns"), ("unit", "vague_units"), ("alone", "vague_phrases")):
        phrases.update(dict.fromkeys(folded(key), kind))
    for word in folded("vague_quantifiers"):
        phrases[word] = "loose" if word in approx else "quantifier"
    pairs: dict[str, set[str]] = {}
    after_verb = raw.get("range_pairs_after_verb") or {}
    for opening, joining in [*(raw.get("range_pairs") or {}).items(), *after_verb.items()]:
        pairs.setdefault(fold(str(opening)), set()).update(fold(str(w)) for w in joining)
    with_currency = frozenset(folded("range_words_with_currency"))
    words = frozenset(folded("range_words")) | with_currency
    return _VagueWords(
        range_words=words,
        with_currency=with_currency,
        pairs={k: frozenset(v) for k, v in pairs.items()},
        after_verb=frozenset(fold(str(k)) for k in after_verb),
        verbs=frozenset(folded("range_verbs")),
        joiners=frozenset(folded("vague_joiners")),
        phrases=phrases,
        longest=max((p.count(" ") + 1 for p in phrases), default=1),
        triggers=frozenset(p.split(" ")[0] for p in phrases) | set(pairs) | {w for w in words if w.isalpha()},
    )


@cache
def _lexicon(lang: str) -> _Lexicon:
    cur = data.load_lang(lang, "currencies")
    names = dict(_signs().prefixes)
    for marker, phrases in cur["names"].items():
        names.update({fold(str(p)): str(marker) for p in phrases})
    nums = number_words(lang)
    return _Lexicon(
        vague=_vague_words(lang, nums.approx),
        nums=nums,
        names=names,
        first_words=frozenset(name.split(" ")[0] for name in names),
        longest=max(name.count(" ") + 1 for name in names),
        weak_names=frozenset(fold(str(w)) for w in cur.get("weak_names") or ()),
        weak_before=frozenset(fold(str(w)) for w in cur.get("weak_before") or ()),
        typos=_typo_table(names, {str(m) for m in cur.get("typo_tolerant") or ()}),
    )


def _typo_table(names: dict[str, str], markers: set[str]) -> dict[str, frozenset[str]]:
    """Deletion variants (symmetric delete) of the long names of `markers`. Short names are left out because
    one edit away from them lie real words ("libros" is near "libras"); the first letter is kept for the same
    reason ("rounds" is not "pounds")."""
    table: dict[str, set[str]] = {}
    for name, marker in names.items():
        if marker in markers and len(name) >= 7 and name.isalpha():
            for variant in {name, *(name[:i] + name[i + 1 :] for i in range(1, len(name)))}:
                table.setdefault(variant, set()).add(marker)
    return {variant: frozenset(found) for variant, found in table.items()}


def _typo(word: str, table: dict[str, frozenset[str]]) -> str | None:
    """The marker of the one name `word` is a typo of ("dolraes" -> @dollar), None when none or several."""
    hits = set(table.get(word, ()))
    for i in range(1, len(word)):
        hits.update(table.get(word[:i] + word[i + 1 :], ()))
    return next(iter(hits)) if len(hits) == 1 else None


def find_amounts(
    norm: Normalized, lang: str, default_currency: str | None, exclude: Sequence[tuple[int, int]] = ()
) -> list[MoneyMention]:
    """Every amount in the message in the order written. A written currency (sign, ISO code or name) is
    resolved against `default_currency` ("$" and "pesos" take it when they can) and marks the mention
    explicit; a bare number has currency None. Numbers inside `exclude` spans (dates, counts), clock times,
    years, percentages, ordinals, phone numbers and measures ("2kg", "3x") are left out."""
    if not norm.text:
        return []
    scan = _Scan(norm, _lexicon(lang if lang in LANGUAGES else "en"), default_currency, exclude)
    return scan.run()


def unresolved_amounts(
    norm: Normalized, lang: str, exclude: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Spans of amounts said but not said exactly: a range or a choice ("20 or 30 bucks", "entre 20 e 30"),
    a vague quantity ("a couple hundred", "uns trocados"). Nothing inside them is an amount: the
    conversation asks how much."""
    if not norm.text:
        return []
    lex = _lexicon(lang if lang in LANGUAGES else "en")
    vague = lex.vague
    if vague.triggers.isdisjoint(norm.text.split()) and not _DIGIT_RANGE.search(norm.text):
        return []  # the common message: no word or dash that could open one
    return _Unresolved(norm, lex, None, exclude).unresolved()


def resolve_currency(mention: MoneyMention, default_currency: str | None) -> str | None:
    """The mention's currency: the written one (already resolved by find_amounts), else the user's."""
    if mention.currency:
        return mention.currency
    return default_currency.upper() if default_currency else None


def primary_amount(mentions: Sequence[MoneyMention], norm: Normalized, lang: str) -> MoneyMention | None:
    """The transaction's amount among several: not the corrected one ("15 not 50"), a written currency
    first, then a number after a price word ("2 coffees for 9.50", "2 pizzas de 45"), then the larger,
    then the earlier. A small whole number before a noun ("3 cervezas 450") counts things, never money."""
    nums = number_words(lang if lang in LANGUAGES else "en")
    text = norm.text
    best: MoneyMention | None = None
    best_key: tuple[bool, bool, bool, Decimal, int] | None = None
    for mention in mentions:
        if counts_things(mention, norm, lang):
            continue
        before = [w.strip(_STRIP) for w in text[max(0, mention.start - 40) : mention.start].split()[-3:]]
        priced = bool(before) and before[-1] in nums.price_prepositions
        amount = Decimal(0) if mention.explicit else mention.amount
        key = (not nums.negated(before), mention.explicit, priced, amount, -mention.start)
        if best_key is None or key > best_key:
            best, best_key = mention, key
    return best


def unit_total(
    mentions: Sequence[MoneyMention], price: MoneyMention | None, norm: Normalized, lang: str
) -> Decimal | None:
    """The total of "2 cafés a 4,50" / "3 beers at 6 each" (count times unit price), or None when the
    message names no count of things with a price each: a count before a noun, then the price after a unit
    word ("a", "at", "@", "cada") or followed by one ("6 each")."""
    if price is None:
        return None
    units = _unit_words(lang if lang in LANGUAGES else "en")
    before = norm.text[max(0, price.start - 12) : price.start].split()
    after = norm.text[price.end : price.end + 12].split()
    if not ((before and before[-1] in units) or (after and after[0].strip(_STRIP) in units)):
        return None
    counts = [m for m in mentions if m.end <= price.start and counts_things(m, norm, lang)]
    if not counts:
        return None
    return counts[-1].amount * price.amount


@cache
def _unit_words(lang: str) -> frozenset[str]:
    return frozenset(fold(str(w)) for w in data.load_lang(lang, "numbers").get("unit_price_words") or ())


def counts_things(mention: MoneyMention, norm: Normalized, lang: str) -> bool:
    """A small bare whole number before a noun ("3 cervezas", "2 coffees"): a count of things, not money."""
    if mention.explicit:
        return False
    after = _AFTER.match(norm.text, mention.end)
    if after is None:
        return False
    return number_words(lang if lang in LANGUAGES else "en").counts_things(mention.amount, after.group(1))


@lru_cache(maxsize=16)
def _tokens(text: str) -> list[Token]:
    """The message's tokens, kept for the next scan of the same message (unresolved_amounts, then
    find_amounts). Nothing changes a token list once made."""
    return _signs().tokenize(text)


@lru_cache(maxsize=16)
def _blocked(text: str) -> tuple[tuple[int, int], ...]:
    """Spans that are clock times, dates or phone numbers as a whole (see _BLOCKED)."""
    return tuple(
        match.span()
        for match in _BLOCKED.finditer(text)
        if not match.group().startswith("+") or sum(c.isdigit() for c in match.group()) >= 7
    )


def _ends(token: Token) -> bool:
    """Punctuation that closes a phrase: what follows a number is not its noun."""
    return token[0] == PUNCT and token[1] in _END


class _Scan:
    """One pass over a message's tokens, collecting mentions."""

    __slots__ = (
        "blocked",
        "digit_found",
        "hint",
        "last_end",
        "lex",
        "mentions",
        "norm",
        "nums",
        "signs",
        "spoken",
        "tokens",
    )

    def __init__(
        self, norm: Normalized, lex: _Lexicon, hint: str | None, exclude: Sequence[tuple[int, int]]
    ) -> None:
        self.norm, self.lex, self.nums, self.signs = norm, lex, lex.nums, _signs()
        self.hint = hint.upper() if hint else None
        self.tokens: list[Token] = _tokens(norm.text)
        self.blocked: list[tuple[int, int]] = [(s, e) for s, e in exclude]
        self.blocked += _blocked(norm.text)
        self.mentions: list[MoneyMention] = []
        self.spoken: list[tuple[Decimal, int, int]] = []
        self.digit_found = False
        self.last_end = 0  # a sign already read as part of an amount is not the prefix of the next one

    def run(self) -> list[MoneyMention]:
        tokens, starts = self.tokens, self.nums.starts
        i = 0
        while i < len(tokens):
            if tokens[i][0] == NUM:
                i = self._digits(i)
            elif tokens[i][0] == WORD and tokens[i][1] in self.nums.slang_amounts:
                i = self._slang(i)
            elif tokens[i][0] == WORD and starts(tokens[i][1]):
                i = self._spoken(i)
            else:
                i += 1
        if self.spoken and not self.digit_found:
            self._loose_words()
        return self.mentions

    def _is_blocked(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.blocked)

    def _add(self, amount: Decimal, currency: str | None, start: int, end: int, explicit: bool) -> None:
        if amount <= 0 or amount >= _MAX:
            return
        if amount == amount.to_integral_value():
            amount = amount.quantize(Decimal(1))
        text = self.norm.original_span(start, end)
        self.mentions.append(MoneyMention(amount, currency, text, start, end, explicit))
        self.last_end = end

    def _resolve(self, marker: str) -> str:
        if not marker.startswith("@"):
            return marker
        default, members = self.signs.families[marker[1:]]
        return self.hint if self.hint in members else default

    def _digits(self, i: int) -> int:
        """Reads the digit run at tokens[i] with its currency, scale and cents; returns the next index."""
        tokens, nums = self.tokens, self.nums
        _, run, start, end = tokens[i]
        j = i + 1
        value = parse_digits(run)
        if not value or self._is_blocked(start, end):
            return j
        pre = self._prefix(i)
        glued_to = tokens[i - 1] if i and gap(tokens, i) == 0 else None
        if pre is None and glued_to and (glued_to[0] == WORD or glued_to[1] == "#"):
            return j  # part of a code or a name: "ap302", "x2", "#123"
        grouped = space_groups(tokens, i)
        if grouped and (pre or self._currency_at(grouped[1], False)):
            value, j = grouped  # "R$ 1 500": spaces group thousands only next to a currency
        weak = glued = False
        suffix = tokens[j][1] if j < len(tokens) and gap(tokens, j) == 0 else ""
        if suffix in nums.glued_scales:
            weak = suffix in nums.weak_glued and value == value.to_integral_value()
            value *= nums.glued_scales[suffix]
            glued, j = True, j + 1
        elif suffix in nums.ordinals or suffix in nums.units:
            return j + 1  # "5th", "2kg", "3x", "80%", "8am"
        value, j, spaced = read_scales(tokens, j, value, nums)
        scaled = glued or spaced
        post = self._currency_at(j, scaled)
        if post and not post[0]:
            return post[1]  # a weight: "2 libras de carne"
        marker = post[0] if post else pre[0] if pre else None
        if marker is None:
            if weak:
                return j  # "5m": metres or minutes
            cents = None if scaled else self._bare_cents(j, value)
            if cents:  # "50 cents", "99 centavos", "10c"
                last, currency = cents
                self._add(value.scaleb(-2), currency, start, tokens[last - 1][3], currency is not None)
                return last
            if self._letter_unit(j):
                return j + 1  # "10 C", "25C": a temperature; "5p" with no pounds in play: pence or pages
            unit = unit_end(tokens, j, self.norm.text, nums)
            if unit or not_an_amount(tokens, i, run, value, self.norm.text, nums):
                return unit or j
            if self._counted_choice(j, value):
                return j  # "2 or 3 coffees": a count said loosely, no amount
            after = tokens[j][1] if j < len(tokens) and tokens[j][0] == WORD and gap(tokens, j) <= 1 else ""
            # A count ("2 pizzas") leaves spelled-out prices in play: "2 pizzas por dezoito e noventa".
            self.digit_found = self.digit_found or not (after and nums.counts_things(value, after))
            self._add(value, None, start, tokens[j - 1][3], False)
            return j
        currency = self._resolve(marker)
        value, last = self._cents(post[1] if post else j, value, currency, named=self._named(post))
        self.digit_found = True
        self._add(value, currency, pre[1] if pre else start, tokens[last - 1][3], True)
        return last

    def _counted_choice(self, j: int, value: Decimal) -> bool:
        """Whether the bare number before tokens[j] opens a choice of counts: "2 or 3 coffees", "2-3
        cervezas" (the second number, before its noun, is a count of its own)."""
        tokens, n = self.tokens, len(self.tokens)
        if not (j + 2 < n and tokens[j][1] in self.lex.vague.range_words and tokens[j + 1][0] == NUM):
            return False
        if gap(tokens, j) > 1 or gap(tokens, j + 1) > 1 or gap(tokens, j + 2) > 1 or tokens[j + 2][0] != WORD:
            return False
        second = parse_digits(tokens[j + 1][1])
        return (
            second is not None
            and self.nums.counts_things(value, "s")
            and self.nums.counts_things(second, tokens[j + 2][1])
        )

    def _named(self, post: tuple[str, int] | None) -> bool:
        """The currency after the number was a word ("20 dollars"), which may be followed by bare cents
        ("20 dollars 43"); after a sign or a code ("20 $ 43", "20 USD 43") a second number is its own."""
        if post is None:
            return False
        kind, word = self.tokens[post[1] - 1][:2]
        return kind == WORD and word not in self.signs.prefixes

    def _slang(self, i: int) -> int:
        """A noun that is an amount by itself ("a fiver", "a tenner"): a bare amount in the user's currency,
        taken like a digit amount (the article before it is part of it)."""
        tokens = self.tokens
        _, word, start, end = tokens[i]
        if self._is_blocked(start, end):
            return i + 1
        if i and tokens[i - 1][1] in self.nums.articles and gap(tokens, i) == 1:
            start = tokens[i - 1][2]
        self.digit_found = True
        self._add(Decimal(self.nums.slang_amounts[word]), None, start, end, False)
        return i + 1

    def _spoken(self, i: int) -> int:
        """Reads number words at tokens[i]: an amount with a currency; else kept for _loose_words."""
        tokens = self.tokens
        words = read_words(tokens, i, self.nums)
        if words is None:
            return i + 1
        start, value, j = tokens[i][2], words.value, words.end
        if self._is_blocked(start, tokens[j - 1][3]):
            return j
        post = self._currency_at(j, words.scaled)
        if post is None and not words.article_only:
            value, j = said_cents(tokens, j, value, self.nums)
            post = self._currency_at(j, False) if j > words.end else None
        if post and not post[0]:
            return post[1]
        if post and words.article_only and self._sign_of_next(post[1]):
            post = None  # "a US$ 4.7 billion deal": the sign is the next number's, the article no amount
        pre = self._prefix(i)
        marker = post[0] if post else pre[0] if pre else None
        if marker is None:
            cents = None if words.scaled else self._bare_cents(j, value, spelled=True)
            if cents:  # "ten cents", "un centavo", "cincuenta centavos"
                last, currency = cents
                self._add(value.scaleb(-2), currency, start, tokens[last - 1][3], currency is not None)
                return last
            if not words.article_only:
                self.spoken.append((value, i, j))
            return j
        currency = self._resolve(marker)
        value, last = self._cents(post[1] if post else j, value, currency, named=self._named(post))
        self._add(value, currency, pre[1] if pre else start, tokens[last - 1][3], True)
        return last

    def _sign_of_next(self, k: int) -> bool:
        """The currency ending before tokens[k] is a sign or a code that a number right after it owns."""
        tokens = self.tokens
        if k >= len(tokens) or tokens[k][0] != NUM or gap(tokens, k) > 1:
            return False
        kind, word = tokens[k - 1][:2]
        return kind == SYM or word in self.signs.prefixes or word in self.signs.upper_codes

    def _loose_words(self) -> None:
        """Number words with no currency, in a message with no digit amount, count after a spend verb or a
        price word ("gastei cinquenta no mercado", "2 pizzas por quince"; not "bought two coffees") or
        standing alone ("cortei o cabelo, vinte e cinco"; not "dos cervezas", "cinco de mayo")."""
        tokens, nums, n = self.tokens, self.nums, len(self.tokens)
        for value, i, j in self.spoken:
            k = i - 1
            if k >= 0 and tokens[k][1] in nums.approx:
                k -= 1
            before = tokens[k] if k >= 0 else None
            nxt = tokens[j] if j < n else None
            if before and before[1] in nums.money_verbs:
                if nxt and nxt[0] == WORD and nxt[1] not in nums.function_words:
                    continue
            elif value < 2:
                continue
            elif before and before[1] not in nums.price_prepositions and not _ends(before):
                continue
            elif nxt and not _ends(nxt) and not nums.leaves_alone(nxt[1]):
                continue
            self._add(value, None, tokens[i][2], tokens[j - 1][3], False)
        self.mentions.sort(key=lambda m: m.start)

    def _prefix(self, i: int) -> tuple[str, int] | None:
        """A currency written before the number at tokens[i] ("R$ 45", "$-25", "USD 15", "Bs. 100"):
        (marker, start)."""
        tokens = self.tokens
        k = i - 1
        if k >= 0 and tokens[k][1] in _SIGNS and gap(tokens, i) == 0:
            k -= 1
        if k >= 1 and tokens[k][1] == "." and tokens[k - 1][0] == WORD and gap(tokens, k) == 0:
            k -= 1
        if k < 0 or gap(tokens, k + 1) > 1 or tokens[k][2] < self.last_end:
            return None
        kind, word, start, end = tokens[k]
        if kind == SYM:
            return self.signs.symbols[word], start
        if kind != WORD:
            return None
        if (
            k >= 2
            and len(word) == 1
            and tokens[k - 1][1] == "."
            and gap(tokens, k) == gap(tokens, k - 1) == 0
        ):
            compound = self.signs.prefixes.get(self.norm.text[tokens[k - 2][2] : end])
            if compound:  # "Bs.S 100"
                return compound, tokens[k - 2][2]
        marker = self.signs.prefixes.get(word) or self._upper_code(word, start, end) or self._letter(k)
        return (marker, start) if marker else None

    def _letter(self, k: int) -> str | None:
        """A capital letter sign ("Q50", "L 200") before the number at tokens[k + 1], for a user whose
        currency it is, and not the end of a word run ("plan Q 50" still is; "IQ 50" is one word)."""
        _, word, start, end = self.tokens[k]
        code = self.signs.letters.get(word)
        if code is None or code != self.hint or self.norm.original_span(start, end) != word.upper():
            return None
        return code

    def _upper_code(self, word: str, start: int, end: int) -> str | None:
        code = self.signs.upper_codes.get(word)
        return code if code and self.norm.original_span(start, end) == code else None

    def _currency_at(self, k: int, after_scale: bool) -> tuple[str, int] | None:
        """A currency starting at tokens[k] right after a number: (marker, next index). The marker is ""
        when the word is a weight ("2 pounds of beef"): then the number is no amount at all."""
        tokens, lex = self.tokens, self.lex
        if k >= len(tokens) or gap(tokens, k) > 1:
            return None
        kind, word, start, end = tokens[k]
        if after_scale and word in self.nums.scale_joiners:
            return self._currency_at(k + 1, False)  # "2 milhoes de reais"
        if kind == SYM:
            glued_ahead = k + 1 < len(tokens) and tokens[k + 1][0] == NUM and gap(tokens, k + 1) == 0
            if glued_ahead and gap(tokens, k) == 1:
                return None  # "a $3 coffee": the sign is the next number's
            return self.signs.symbols[word], k + 1
        if kind != WORD:
            return None
        if word in lex.first_words:
            text = self.norm.text
            for length in range(min(lex.longest, len(tokens) - k), 0, -1):
                marker = lex.names.get(text[start : tokens[k + length - 1][3]])
                if marker:
                    nxt = k + length
                    if word in lex.weak_names and nxt < len(tokens) and tokens[nxt][1] in lex.weak_before:
                        return "", nxt
                    return marker, nxt
        found = self._upper_code(word, start, end)
        if found is None and len(word) >= 6 and word.isalpha():
            found = _typo(word, lex.typos)
        return (found, k + 1) if found else None

    def _cents_word(self, k: int, value: Decimal, currency: str | None) -> int | None:
        """The index after a cents word at tokens[k] ("cents", "centavos", "pence", "c"), right after the
        number `value` in `currency` (None when no currency is in play yet), else None."""
        tokens, nums = self.tokens, self.nums
        if k >= len(tokens) or gap(tokens, k) > 1:
            return None
        kind, word, start, end = tokens[k]
        if word in nums.cents_words:
            return k + 1
        if word not in nums.cents_letters or kind != WORD:
            return None
        # A letter is cents only in lower case after a whole number below 100, with nothing glued after it:
        # "10 C" is a temperature, "4,50 c/u" a price each.
        if self.norm.original_span(start, end) != word or not (value == value.to_integral_value() < 100):
            return None
        number = k - 1
        if number and tokens[number - 1][1] in nums.label_words and gap(tokens, number) <= 1:
            return None  # "room 4c", "seat 12c": a label
        if k + 1 < len(tokens) and gap(tokens, k + 1) == 0:
            return None
        fixed = nums.cents_currencies.get(word)
        return k + 1 if fixed is None or fixed == currency else None

    def _letter_unit(self, k: int) -> bool:
        """A cents letter at tokens[k] that was not read as cents, written so it names something else: in
        capitals ("10 C") or glued ("5p" without pounds in play). "4,50 c/u" is a price each."""
        tokens = self.tokens
        if k >= len(tokens) or tokens[k][1] not in self.nums.cents_letters or gap(tokens, k) > 1:
            return False
        if k + 1 < len(tokens) and gap(tokens, k + 1) == 0:
            return False
        _, word, start, end = tokens[k]
        return gap(tokens, k) == 0 or self.norm.original_span(start, end) != word

    def _bare_cents(self, k: int, value: Decimal, spelled: bool = False) -> tuple[int, str | None] | None:
        """Cents with no amount before them ("50 cents", "ten cents", "10c", "fifty pence"): (index after
        the cents word, currency). The currency is the one the cents word belongs to ("pence"), else the
        user's, else the language's cents_default. A letter ("10c", "5p") names no currency: the mention
        stays bare, so a larger amount in the message wins over it ("apt 4c, rent 1200")."""
        word = self.tokens[k][1] if k < len(self.tokens) else ""
        if spelled and word in self.nums.cents_letters:
            return None  # "ten c" is no way to write cents
        last = self._cents_word(k, value, self.hint)
        if last is None:
            return None
        if word in self.nums.cents_letters:
            return last, None
        return last, self.nums.cents_currencies.get(word) or self.hint or self.nums.cents_default

    def _cents(
        self, k: int, value: Decimal, currency: str | None, named: bool = False
    ) -> tuple[Decimal, int]:
        """Cents after the currency: "e 15 centavos", "and 50 cents", "con cincuenta centavos", "e 50",
        "and 43c"; after a currency word also two bare digits ending the phrase ("20 dollars 43")."""
        tokens, nums = self.tokens, self.nums
        n = len(tokens)
        if value != value.to_integral_value():
            return value, k  # "R$ 20,50 e 30": the cents are written already, 30 is an amount of its own
        joined = k < n and tokens[k][1] in nums.cents_joiners and gap(tokens, k) <= 1
        j = k + 1 if joined else k
        if j >= n or gap(tokens, j) > 1:
            return value, k
        kind, word = tokens[j][0], tokens[j][1]
        if joined and word in nums.halves:  # "dos pesos y medio", not "20 reais e meio quilo"
            return (value + Decimal("0.5"), j + 1) if nums.half_ends(tokens, j + 1) else (value, k)
        two_digits = False  # two digits, or spelled 10-99: cents after a currency word ("dollars forty five")
        if kind == NUM and word.isdigit() and len(word) <= 2:
            cents, j, two_digits = Decimal(word), j + 1, len(word) == 2
        elif kind == WORD and word in nums.values:
            words = read_words(tokens, j, nums)
            if words is None or words.article_only or words.value >= 100:
                return value, k
            cents, j, two_digits = words.value, words.end, words.value >= 10
        else:
            return value, k
        after = self._cents_word(j, cents, currency)
        if after:
            return value + cents.scaleb(-2), after
        # Bare cents only when nothing follows that could make them an amount of their own ("20 reais e 50").
        # Unjoined, only two digits or a spelled 10-99 right after a currency word, ending the phrase or
        # before a word naming nothing ("20 dollars 43", "twenty dollars fifty on lunch"; not "20 reais 15
        # dias").
        if joined or (named and two_digits):
            if j == n or _ends(tokens[j]) or nums.leaves_alone(tokens[j][1]):
                return value + cents.scaleb(-2), j
        return value, k


@dataclass(frozen=True, slots=True)
class _Number:
    """A number read for a range: its value, its tokens [start, end), and whether it ended on a scale."""

    value: Decimal
    start: int
    end: int
    digits: bool
    scaled: bool


class _Unresolved(_Scan):
    """The scan for amounts said but not exactly (see unresolved_amounts)."""

    __slots__ = ()

    def unresolved(self) -> list[tuple[int, int]]:
        tokens, vague, nums, prefixes = self.tokens, self.lex.vague, self.nums, self.signs.prefixes
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(tokens):
            kind, word = tokens[i][:2]
            # Only a number, a sign or an opening word starts a range; only a listed word a vague amount.
            opens = kind != WORD or word in vague.pairs or word in prefixes or nums.starts(word)
            found = (self._range(i) if opens else None) or (
                self._vague(i) if word in vague.triggers else None
            )
            if found:
                spans.append((tokens[found[0]][2], tokens[found[1] - 1][3]))
                i = found[1]
            else:
                i += 1
        return spans

    def _number(self, i: int) -> _Number | None:
        """A number at tokens[i], a currency sign or code before it allowed ("$20", "R$ 30", "USD 40")."""
        tokens, nums, n = self.tokens, self.nums, len(self.tokens)
        first = i
        if i + 1 < n and tokens[i + 1][0] == NUM and gap(tokens, i + 1) <= 1:
            kind, word = tokens[i][:2]
            if kind == SYM or word in self.signs.prefixes:
                i += 1
        if i >= n:
            return None
        kind, word, start, end = tokens[i]
        if kind == NUM:
            value = parse_digits(word)
            if not value or self._is_blocked(start, end):
                return None
            j = i + 1
            if j < n and gap(tokens, j) == 0 and tokens[j][1] in nums.glued_scales:
                value, j = value * nums.glued_scales[tokens[j][1]], j + 1
            value, j, scaled = read_scales(tokens, j, value, nums)
            return _Number(value, first, j, True, scaled)
        if first == i and kind == WORD and nums.starts(word):
            words = read_words(tokens, i, nums)
            if words is None or words.article_only or self._is_blocked(start, tokens[words.end - 1][3]):
                return None
            return _Number(words.value, i, words.end, False, words.scaled)
        return None

    def _range(self, i: int) -> tuple[int, int] | None:
        """A range or a choice from tokens[i]: "between 40 and 50", "entre 20 y 30 pesos", "20 or 30
        bucks", "20-30 reais": (first token, token after). The second number must be the larger, and what
        follows it must not be a thing counted ("2 or 3 coffees")."""
        tokens, vague, n = self.tokens, self.lex.vague, len(self.tokens)
        word = tokens[i][1]
        joining = vague.pairs.get(word)
        if joining is not None and word in vague.after_verb:
            if not (i and tokens[i - 1][1] in vague.verbs and gap(tokens, i) <= 1):
                joining = None  # "change it from 20 to 25": a change, not a range
        first = self._number(i + 1 if joining else i)
        if first is None:
            return None
        after = first.end
        named = self._currency_at(after, first.scaled)
        if named and named[0]:
            after = named[1]  # "20 reais ou 30", "20 bucks or 30 bucks"
        if after + 1 >= n or gap(tokens, after) > 1:
            return None
        sep = tokens[after]
        if joining is not None:
            if sep[1] not in joining:
                return None
        elif sep[1] not in vague.range_words or (sep[0] == PUNCT and not first.digits):
            return None
        second = self._number(after + 1)
        if second is None or gap(tokens, second.start) > 1 or not first.value < second.value:
            return None
        if first.digits != second.digits:
            return None  # "the couch one to 400": "one" is a pronoun; a range is written one way
        if not joining and not first.digits and first.value == 1:
            return None  # "change that one to twenty"
        if first.digits and second.digits and 1900 <= first.value < second.value <= 2100:
            return None  # "2020-2025": years
        end = self._tail(second.end, second.scaled)
        if end is None:
            return None
        written = self._signed(first.start) or after > first.end or self._named_before(end)
        if sep[1] in vague.with_currency and not written:
            return None  # "change 20 to 25"
        start = i
        if not joining and i and tokens[i - 1][1] in self.nums.approx and gap(tokens, i) <= 1:
            start = i - 1  # "uns 20 ou 30"
        return start, end

    def _signed(self, k: int) -> bool:
        """A number written with a sign or a code before it at tokens[k] ("$20", "USD 20")."""
        return self.tokens[k][0] != NUM

    def _named_before(self, end: int) -> bool:
        """A currency closes the range ending before tokens[end] ("20 to 30 bucks")."""
        last = self.tokens[end - 1]
        return last[0] == SYM or (last[0] == WORD and last[1] in self.lex.names)

    def _vague(self, i: int) -> tuple[int, int] | None:
        """A vague quantity from tokens[i]: "a couple hundred", "uns trocados", "hundreds of dollars", "a
        fortune": (first token, token after)."""
        tokens, vague, n = self.tokens, self.lex.vague, len(self.tokens)
        if tokens[i][0] != WORD or tokens[i][1] not in vague.triggers:
            return None
        for length in range(min(vague.longest, n - i), 0, -1):
            kind = vague.phrases.get(self.norm.text[tokens[i][2] : tokens[i + length - 1][3]])
            if kind is None:
                continue
            k = i + length
            if kind == "alone":
                return i, k
            if kind == "unit":
                if i and tokens[i - 1][0] in (NUM, SYM):
                    continue  # "2 cientos": a number said badly, not a vague one
                end = self._tail(k, True)
            else:
                end = self._target(k, kind == "quantifier")
            if end is not None:
                return i, end
        return None

    def _target(self, k: int, scales: bool) -> int | None:
        """What a quantifier applies to at tokens[k]: a currency, a vague noun or unit, or (for a
        quantifier that does not also mean "about") scale words; the index after it and its tail."""
        tokens, nums, n = self.tokens, self.nums, len(self.tokens)
        if k >= n or tokens[k][0] != WORD:
            return None
        if tokens[k][1] in self.lex.weak_names:
            return None  # "lost some pounds"
        currency = self._currency_at(k, False)
        if currency:
            return self._tail(currency[1], False) if currency[0] else None
        vague = self.lex.vague
        for length in range(min(vague.longest, n - k), 0, -1):
            kind = vague.phrases.get(self.norm.text[tokens[k][2] : tokens[k + length - 1][3]])
            if kind in ("noun", "unit"):
                return self._tail(k + length, True)
        if not scales:
            return None
        j = k
        while (
            j < n and tokens[j][0] == WORD and (tokens[j][1] in nums.multipliers or nums.scale_at(tokens, j))
        ):
            j += 1
        return self._tail(j, True) if j > k else None

    def _tail(self, k: int, scaled: bool) -> int | None:
        """The end of a range or a vague amount whose number part ends before tokens[k]: after a currency
        there ("20 or 30 bucks", "thousands of dollars"), else k when the phrase ends there or a function word
        follows; None when a noun follows (the numbers count things: "2 or 3 coffees", "2-3 kg")."""
        tokens, nums = self.tokens, self.nums
        if k >= len(tokens):
            return k
        kind, word = tokens[k][:2]
        if kind == SYM:
            return k + 1
        if unit_end(tokens, k, self.norm.text, nums):
            return None  # "15-20%", "20-30 min"
        if kind == PUNCT:
            return k
        currency = self._currency_at(k, scaled)
        if currency is None and scaled and word in self.lex.vague.joiners:
            currency = self._currency_at(k + 1, False)
        if currency:
            return currency[1] if currency[0] else None
        if word in nums.cents_words:
            return k + 1
        if kind == WORD and word in nums.function_words and word not in nums.units:
            return k
        return None


def currency_words(lang: str) -> dict[str, str]:
    """Folded currency names, abbreviations and ISO codes of `lang` -> marker (ISO code or "@family")."""
    return _lexicon(lang if lang in LANGUAGES else "en").names


def upper_codes() -> dict[str, str]:
    """ISO codes that are also words ("all", "try"): currencies only when written in capitals."""
    return _signs().upper_codes


def family(marker: str) -> tuple[str, frozenset[str]]:
    """(default, members) of a "@family" marker ("@peso" -> MXN, {MXN, ARS, COP, ...})."""
    return _signs().families[marker.lstrip("@")]
