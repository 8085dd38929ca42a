"""Amounts of money in a chat message: local digit formats, number words, signs, ISO codes, currency names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

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


@cache
def _lexicon(lang: str) -> _Lexicon:
    cur = data.load_lang(lang, "currencies")
    names = dict(_signs().prefixes)
    for marker, phrases in cur["names"].items():
        names.update({fold(str(p)): str(marker) for p in phrases})
    return _Lexicon(
        nums=number_words(lang),
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
    conversation asks how much. (Filled by the money patterns of issue 13.)"""
    return []


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
        self.tokens: list[Token] = self.signs.tokenize(norm.text)
        self.blocked: list[tuple[int, int]] = [(s, e) for s, e in exclude]
        for match in _BLOCKED.finditer(norm.text):
            if not match.group().startswith("+") or sum(c.isdigit() for c in match.group()) >= 7:
                self.blocked.append(match.span())
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
            cents = self._cents_word(j)
            if cents and not scaled:  # "50 cents", "99 centavos"
                currency = self.hint or nums.cents_default
                self._add(value.scaleb(-2), currency, start, tokens[cents - 1][3], currency is not None)
                return cents
            unit = unit_end(tokens, j, self.norm.text, nums)
            if unit or not_an_amount(tokens, i, run, value, self.norm.text, nums):
                return unit or j
            after = tokens[j][1] if j < len(tokens) and tokens[j][0] == WORD and gap(tokens, j) <= 1 else ""
            # A count ("2 pizzas") leaves spelled-out prices in play: "2 pizzas por dezoito e noventa".
            self.digit_found = self.digit_found or not (after and nums.counts_things(value, after))
            self._add(value, None, start, tokens[j - 1][3], False)
            return j
        value, last = self._cents(post[1] if post else j, value)
        self.digit_found = True
        self._add(value, self._resolve(marker), pre[1] if pre else start, tokens[last - 1][3], True)
        return last

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
        pre = self._prefix(i)
        marker = post[0] if post else pre[0] if pre else None
        if marker is None:
            if not words.article_only:
                self.spoken.append((value, i, j))
            return j
        value, last = self._cents(post[1] if post else j, value)
        self._add(value, self._resolve(marker), pre[1] if pre else start, tokens[last - 1][3], True)
        return last

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
        marker = self.signs.prefixes.get(word) or self._upper_code(word, start, end)
        return (marker, start) if marker else None

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

    def _cents_word(self, k: int) -> int | None:
        if k < len(self.tokens) and gap(self.tokens, k) <= 1 and self.tokens[k][1] in self.nums.cents_words:
            return k + 1
        return None

    def _cents(self, k: int, value: Decimal) -> tuple[Decimal, int]:
        """Cents after the currency: "e 15 centavos", "and 50 cents", "con cincuenta centavos", "e 50"."""
        tokens, nums = self.tokens, self.nums
        n = len(tokens)
        joined = k < n and tokens[k][1] in nums.cents_joiners and gap(tokens, k) <= 1
        j = k + 1 if joined else k
        if j >= n or gap(tokens, j) > 1:
            return value, k
        kind, word = tokens[j][0], tokens[j][1]
        if kind == NUM and word.isdigit() and len(word) <= 2:
            cents, j = Decimal(word), j + 1
        elif kind == WORD and word in nums.values:
            words = read_words(tokens, j, nums)
            if words is None or words.article_only or words.value >= 100:
                return value, k
            cents, j = words.value, words.end
        else:
            return value, k
        after = self._cents_word(j)
        if after:
            return value + cents.scaleb(-2), after
        # Bare cents only when nothing follows that could make them an amount of their own ("20 reais e 50").
        if joined and (j == n or _ends(tokens[j]) or nums.leaves_alone(tokens[j][1])):
            return value + cents.scaleb(-2), j
        return value, k


def currency_words(lang: str) -> dict[str, str]:
    """Folded currency names, abbreviations and ISO codes of `lang` -> marker (ISO code or "@family")."""
    return _lexicon(lang if lang in LANGUAGES else "en").names


def upper_codes() -> dict[str, str]:
    """ISO codes that are also words ("all", "try"): currencies only when written in capitals."""
    return _signs().upper_codes


def family(marker: str) -> tuple[str, frozenset[str]]:
    """(default, members) of a "@family" marker ("@peso" -> MXN, {MXN, ARS, COP, ...})."""
    return _signs().families[marker.lstrip("@")]
