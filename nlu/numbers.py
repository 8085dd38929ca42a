"""Numbers as people type them: tokens, digit runs with any separators, and spelled-out number words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from nlu import data
from nlu.normalize import fold

# Token kinds: the tokenizer's groups (Match.lastindex), then currency signs made by merging.
NUM, WORD, PUNCT, SYM = 1, 2, 3, 4

Token = tuple[int, str, int, int]
"""(kind, text, start, end) over Normalized.text."""

_TOKEN = re.compile(r"([0-9]+(?:[.,'][0-9]+)*)|([^\W\d_]+)|(\S)")
_GROUP = re.compile(r"[.,']")
_THREE = re.compile(r"[0-9]{3}(?:[.,][0-9]{1,2})?")
_MAX_COUNT = 12  # counts of things are small: "58 groceries" is a price, "2 coffees" a count


class Tokenizer:
    """Splits folded text into digit runs (separators kept), words, single marks, and currency signs.
    Signs are merged from the plain tokens afterwards ("r" "$" -> "r$", "u" "$" "s" -> "u$s") because a
    pattern trying every sign at every position costs more than the rest of the scan."""

    __slots__ = ("_signs", "_trigger")

    def __init__(self, signs: Iterable[str]) -> None:
        self._signs = frozenset(signs)
        marks = {c for sign in self._signs for c in sign if not c.isalpha() and c != "."}
        self._trigger = re.compile("[" + re.escape("".join(sorted(marks))) + "]") if marks else None

    def __call__(self, text: str) -> list[Token]:
        tokens = [(m.lastindex or PUNCT, m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        if self._trigger is None or not self._trigger.search(text):
            return tokens
        out: list[Token] = []
        k = 0
        while k < len(tokens):
            found = self._sign_at(tokens, k, out) if tokens[k][0] == PUNCT else None
            if found is None:
                out.append(tokens[k])
                k += 1
                continue
            first, last, sign = found
            if first < k:
                out.pop()
            out.append((SYM, sign, tokens[first][2], tokens[last][3]))
            k = last + 1
        return out

    def _sign_at(self, tokens: list[Token], k: int, out: list[Token]) -> tuple[int, int, str] | None:
        """The longest sign around the mark tokens[k], glued to at most one word before and two tokens after:
        (first index, last index, sign)."""
        firsts = [k]
        if out and out[-1] is tokens[k - 1] and tokens[k - 1][0] == WORD and tokens[k - 1][3] == tokens[k][2]:
            firsts.insert(0, k - 1)
        best: tuple[int, int, str] | None = None
        for first in firsts:
            text, last = "".join(t[1] for t in tokens[first : k + 1]), k
            while True:
                if text in self._signs and (best is None or len(text) > len(best[2])):
                    best = (first, last, text)
                if last - k == 2 or last + 1 == len(tokens) or tokens[last + 1][2] != tokens[last][3]:
                    break
                last += 1
                text += tokens[last][1]
        return best


def parse_digits(run: str) -> Decimal | None:
    """The value of a digit run: "1.234,56", "1,234.56", "1.500" and "1,500" (= 1500 in every language: three
    digits after a single separator group thousands), "45,9", "1.800.000", "1'500", "1,23,456"; None when no
    reading fits ("3.11.2025")."""
    groups = _GROUP.split(run)
    if len(groups) == 1:
        return Decimal(run)
    head, tail = groups[0], groups[-1]
    last = run[len(run) - len(tail) - 1]
    marks = {c for c in run if c in ".,'"}
    if len(marks) == 1 and last != "'" and len(groups) == 2:
        if len(tail) == 3 and head != "0" and len(head) <= 3:
            return Decimal(head + tail)
        return Decimal(f"{head}.{tail}")
    if last == "'" or (len(marks) == 1 and len(groups) > 2):
        return Decimal("".join(groups)) if _grouped(groups) else None
    # Two kinds of mark: the last one, written once, is the decimal point.
    if run.count(last) != 1 or not _grouped(groups[:-1]):
        return None
    return Decimal("".join(groups[:-1]) + "." + tail)


def _grouped(groups: list[str]) -> bool:
    """Thousands groups: 1-3 digits then threes ("1.800.000"), or the Indian 1-2, twos, three ("1,23,456")."""
    head, rest = groups[0], groups[1:]
    if not rest:
        return True
    if 1 <= len(head) <= 3 and all(len(g) == 3 for g in rest):
        return True
    return 1 <= len(head) <= 2 and len(rest[-1]) == 3 and all(len(g) == 2 for g in rest[:-1])


@dataclass(frozen=True, slots=True)
class NumberWords:
    """One language's numbers.yaml, folded: number words and the words around numbers next to money."""

    values: Mapping[str, int]
    """Words below a thousand: "veinticinco" -> 25, "duzentos" -> 200."""
    multipliers: Mapping[str, int]
    """Words that multiply the group before them: "hundred"."""
    scales: Mapping[str, int]
    """thousand, mil, million, milhoes ..."""
    articles: frozenset[str]
    """"a", "un", "um": one, but only before a multiplier, a scale or a currency."""
    connectors: frozenset[str]
    """"and", "y", "e" between number words."""
    glued_scales: Mapping[str, int]
    """Suffixes glued to digits: 2k, 2mil, 1.2m."""
    weak_glued: frozenset[str]
    """Glued suffixes that are also units ("5m"): a scale only with a currency or a decimal part."""
    scale_joiners: frozenset[str]
    cents_words: frozenset[str]
    cents_joiners: frozenset[str]
    cents_default: str | None
    units: frozenset[str]
    ordinals: frozenset[str]
    time_before: frozenset[str]
    year_before: frozenset[str]
    function_words: frozenset[str]
    price_prepositions: frozenset[str]
    money_verbs: frozenset[str]
    approx: frozenset[str]
    negations: frozenset[str]
    """Words before the wrong value of a correction: "15 not 50", "80 en vez de 60"."""
    slang_scales: frozenset[str] = frozenset()
    """Slang scales ("lucas", "palos", "grand"): a scale only after a number or an article, never alone
    (Lucas is also a name)."""
    weak_scales: frozenset[str] = frozenset()
    """Slang scales that are also ordinary words ("palos", "grand"): see `scale_at`."""
    slang_amounts: Mapping[str, int] = field(default_factory=dict)
    """Nouns that are an amount by themselves: "fiver" -> 5, "tenner" -> 10."""
    money_words: frozenset[str] = frozenset()
    """First words of the currency names: after a weak scale they confirm it ("2 palos de pesos")."""
    cents_letters: frozenset[str] = frozenset()
    """One-letter cents marks ("10c", "5p"): cents only right after a whole number below 100, in lower case
    ("10 C" is a temperature), never before "/" ("4,50 c/u")."""
    cents_currencies: Mapping[str, str] = field(default_factory=dict)
    """Cents words that belong to one currency ("pence" -> GBP). A letter ("p") counts only when that
    currency is the one in play; a word fixes the currency."""
    label_words: frozenset[str] = frozenset()
    """Words before a number that make a letter after it part of a label ("room 4c"), not cents."""
    halves: frozenset[str] = frozenset()
    """"half", "medio", "meio": half a scale before it ("meio milhao") or after it ("un millon y medio")."""

    def scale_at(self, tokens: list[Token], j: int) -> bool:
        """Whether tokens[j], a scale word, is a scale here. A weak one ("palos", "grand") is only when the
        amount ends there or a currency or a function word follows: "2 palos en la moto", "3 grand for the
        car"; not "2 palos de golf" (a joiner then a noun) nor "2 grand pianos"."""
        word = tokens[j][1]
        if word not in self.scales:
            return False
        if word not in self.weak_scales:
            return True
        if j + 1 >= len(tokens) or tokens[j + 1][0] == PUNCT:
            return True
        nxt = tokens[j + 1][1]
        if tokens[j + 1][0] != WORD:
            return False
        if nxt in self.scale_joiners:
            return j + 2 < len(tokens) and tokens[j + 2][1] in self.money_words
        return nxt in self.money_words or nxt in self.function_words

    def starts(self, word: str) -> bool:
        scale = word in self.scales and word not in self.slang_scales
        return (
            word in self.values
            or scale
            or word in self.articles
            or word in self.multipliers
            or word in self.halves
        )

    def counts_things(self, amount: Decimal, word: str) -> bool:
        """A small whole number before a noun counts things: "2 coffees", "3 cervezas", "1 cafe". Nouns
        after counts above one are plural in all three languages; prepositions and fillers are no nouns."""
        return (
            amount == amount.to_integral_value()
            and 1 <= amount <= _MAX_COUNT
            and word not in self.function_words
            and word not in self.price_prepositions
            and (amount == 1 or word.endswith("s"))
        )

    def half_ends(self, tokens: list[Token], k: int) -> bool:
        """Whether a half word ends before tokens[k]: "y medio de pesos", "e meio.", "and a half dollars";
        not "e meio quilo", "y media docena" (half of something else)."""
        if k >= len(tokens) or tokens[k][0] != WORD:
            return True
        word = tokens[k][1]
        return word in self.function_words or word in self.money_words

    def leaves_alone(self, word: str) -> bool:
        """A word after a number that neither counts it nor prices it ("vinte e cinco no mercado")."""
        return word in self.function_words and word not in self.price_prepositions

    def negated(self, before: list[str]) -> bool:
        """The words before a number mark it as the wrong value: "not 50", "en vez de 60", "nao era 30"."""
        if not before:
            return False
        if any(" ".join(before[-size:]) in self.negations for size in (1, 2, 3)):
            return True
        return len(before) > 1 and before[-2] in self.negations and before[-1].isalpha()


@cache
def number_words(lang: str) -> NumberWords:
    raw = data.load_lang(lang, "numbers")

    def table(key: str) -> dict[str, int]:
        return {fold(str(k)): int(v) for k, v in (raw.get(key) or {}).items()}

    def words(key: str) -> frozenset[str]:
        return frozenset(filter(None, (fold(str(w)) for w in raw.get(key) or ())))

    default = raw.get("cents_default")
    return NumberWords(
        values=table("words"),
        multipliers=table("multipliers"),
        scales=table("scales"),
        glued_scales=table("glued_scales"),
        slang_amounts=table("slang_amounts"),
        cents_currencies={
            fold(str(k)): str(v).upper() for k, v in (raw.get("cents_currencies") or {}).items()
        },
        money_words=_money_words(lang),
        cents_default=str(default).upper() if default else None,
        **{key: words(key) for key in _WORD_LISTS},
    )


_WORD_LISTS = (
    "articles",
    "connectors",
    "weak_glued",
    "scale_joiners",
    "cents_words",
    "cents_joiners",
    "units",
    "ordinals",
    "time_before",
    "year_before",
    "function_words",
    "price_prepositions",
    "money_verbs",
    "approx",
    "negations",
    "weak_scales",
    "slang_scales",
    "cents_letters",
    "label_words",
    "halves",
)


def _money_words(lang: str) -> frozenset[str]:
    """First words of the currency names of `lang` ("pesos", "reais", "dollars")."""
    names = data.load_lang(lang, "currencies")["names"]
    words = (fold(str(p)).split(" ")[0] for phrases in names.values() for p in phrases if str(p).strip())
    return frozenset(words)


def gap(tokens: list[Token], k: int) -> int:
    """Characters between tokens[k - 1] and tokens[k]: 0 glued, 1 a space (whitespace is collapsed)."""
    return tokens[k][2] - tokens[k - 1][3]


def read_scales(tokens: list[Token], j: int, value: Decimal, words: NumberWords) -> tuple[Decimal, int, bool]:
    """Scale words after a number at tokens[j]: "2 mil", "75 million", "2,5 milhoes", "2 mil millones".
    Returns (value, next index, whether a scale was read)."""
    total, current, scaled, last = Decimal(0), value, False, 0
    while j < len(tokens) and tokens[j][0] == WORD and gap(tokens, j) <= 1 and words.scale_at(tokens, j):
        last = words.scales[tokens[j][1]]
        total, current, scaled = add_scale(total, current, last), Decimal(0), True
        j += 1
    if not scaled:
        return value, j, False
    half = and_a_half(tokens, j, words)
    if half:
        return total + current + Decimal(last) / 2, half, True
    return total + current, j, True


def and_a_half(tokens: list[Token], j: int, words: NumberWords) -> int | None:
    """ "y medio", "e meio", "and a half" at tokens[j]: the index after it, else None."""
    n = len(tokens)
    if not (
        j + 1 < n and tokens[j][1] in words.connectors and gap(tokens, j) <= 1 and gap(tokens, j + 1) <= 1
    ):
        return None
    k = j + 1
    if tokens[k][1] in words.articles and k + 1 < n and gap(tokens, k + 1) <= 1:
        k += 1
    return k + 1 if tokens[k][1] in words.halves and words.half_ends(tokens, k + 1) else None


def _half_of(tokens: list[Token], i: int, words: NumberWords) -> Spoken | None:
    """ "meio milhao", "medio millon", "half a million", "media luca": half of the scale after the word."""
    k, n = i + 1, len(tokens)
    if k < n and tokens[k][1] in words.articles and gap(tokens, k) <= 1:
        k += 1
    if k >= n or gap(tokens, k) > 1 or not words.scale_at(tokens, k):
        return None
    return Spoken(Decimal(words.scales[tokens[k][1]]) / 2, k + 1, article_only=False, scaled=True)


def space_groups(tokens: list[Token], i: int) -> tuple[Decimal, int] | None:
    """ "1 500" and "1 500 000,50" from tokens[i] on read as one number: (value, next index)."""
    run = tokens[i][1]
    if not (run.isdigit() and len(run) <= 3):
        return None
    k, digits = i + 1, run
    while k < len(tokens) and tokens[k][0] == NUM and gap(tokens, k) == 1 and _THREE.fullmatch(tokens[k][1]):
        digits += tokens[k][1]
        k += 1
        if not tokens[k - 1][1].isdigit():
            break
    value = parse_digits(digits) if k > i + 1 else None
    return (value, k) if value else None


def add_scale(total: Decimal, current: Decimal, scale: int) -> Decimal:
    """Fold one scale word into a running number: "dos millones" adds 2e6, while a smaller total is
    multiplied ("mil millones" = 1e9, "doscientos mil millones" = 2e11)."""
    if total and total < scale:
        return (total + current) * scale
    return total + (current or 1) * scale


@dataclass(frozen=True, slots=True)
class Spoken:
    """A run of number words read from tokens."""

    value: Decimal
    end: int
    """Index of the first token after the run."""
    article_only: bool
    """Just "a" / "un" / "um": one only when a currency follows."""
    scaled: bool
    """The run ended on a scale word ("dos millones"), so "de" may come before the currency."""


def read_words(tokens: list[Token], i: int, words: NumberWords) -> Spoken | None:
    """Number words from tokens[i]: "twenty-five", "one hundred and five", "doscientos treinta",
    "mil e quinhentos", "dos millones quinientos mil". Stops before a word that cannot continue the number
    ("cinco cinco" is two numbers, "treinta y" before a noun is thirty)."""
    if tokens[i][1] in words.halves:
        return _half_of(tokens, i, words)
    total = current = Decimal(0)
    last_scale = 0
    room = 999  # the largest value that can still be added to the current group ("twenty" leaves 9)
    k, n = i, len(tokens)
    used = 0
    article = scaled = False
    while k < n:
        kind, word, start, _ = tokens[k]
        if used and start - tokens[k - 1][3] > 1:
            break
        if used and not article and (word in words.connectors or (word == "-" and kind == PUNCT)):
            # A connector joins only when a number that fits comes right after it.
            if k + 1 < n and words.values.get(tokens[k + 1][1], 1000) <= room:
                k += 1
                continue
            break
        if word in words.articles and not used:
            current, article = Decimal(1), True
            room = 0
        elif not article and _fits(words.values.get(word), room, used):
            value = words.values[word]
            current += value
            room = _room_after(value)
        elif word in words.multipliers and current < 100:
            current = (current or Decimal(1)) * words.multipliers[word]
            room, article = 99, False
        elif word in words.scales and (used or word not in words.slang_scales) and words.scale_at(tokens, k):
            last_scale = words.scales[word]
            total = add_scale(total, current, last_scale)
            current, room, article = Decimal(0), 999, False
            scaled = True
            used += 1
            k += 1
            continue
        else:
            break
        scaled = False
        used += 1
        k += 1
    if not used:
        return None
    half = and_a_half(tokens, k, words) if scaled else None
    if half:
        return Spoken(total + current + Decimal(last_scale) / 2, half, article_only=False, scaled=True)
    return Spoken(total + current, k, article_only=article, scaled=scaled)


def _fits(value: int | None, room: int, used: int) -> bool:
    """A number word can join the group: small enough ("twenty" takes "five", not "ten"); zero only alone."""
    return value is not None and value <= room and (value > 0 or not used)


def _room_after(value: int) -> int:
    """What can still be added after a word: 99 after a hundred, 9 after a ten, nothing after 1-19 or 25."""
    if value >= 100 and value % 100 == 0:
        return 99
    if value % 10 == 0 and value % 100 >= 20:
        return 9
    return 0


def said_cents(tokens: list[Token], k: int, value: Decimal, words: NumberWords) -> tuple[Decimal, int]:
    """Cents said as a second number that cannot extend the first, from tokens[k]: "dezoito e noventa" =
    18.90, "doce con cincuenta" = 12.50 (while "vinte e cinco" is 25 and "cem e cinquenta" 150)."""
    if k + 1 < len(tokens) and tokens[k][1] in words.cents_joiners and tokens[k + 1][1] in words.values:
        if gap(tokens, k) <= 1 and gap(tokens, k + 1) <= 1:
            cents = read_words(tokens, k + 1, words)
            if cents and 10 <= cents.value < 100:
                return value + cents.value.scaleb(-2), cents.end
    return value, k


def unit_end(tokens: list[Token], j: int, text: str, words: NumberWords) -> int | None:
    """The index after a measure, a percentage or a count of times at tokens[j], right after a number
    ("2 kg", "80 %", "3 meses", "80 por ciento"), else None."""
    if j >= len(tokens) or gap(tokens, j) > 1:
        return None
    if tokens[j][1] in words.units:
        return j + 1
    two_words = j + 1 < len(tokens) and gap(tokens, j + 1) == 1
    return j + 2 if two_words and text[tokens[j][2] : tokens[j + 1][3]] in words.units else None


def not_an_amount(
    tokens: list[Token], i: int, run: str, value: Decimal, text: str, words: NumberWords
) -> bool:
    """The bare number at tokens[i] is a clock time ("a las 8"), a year ("em 2025") or a phone number."""
    if i and gap(tokens, i) == 1:
        before = tokens[i - 1][1]
        two_before = text[tokens[i - 2][2] : tokens[i - 1][3]] if i > 1 else ""
        whole = value == value.to_integral_value()
        if whole and value <= 24 and (before in words.time_before or two_before in words.time_before):
            return True
        if before in words.year_before and len(run) == 4 and run.isdigit() and 1900 <= value <= 2100:
            return True
    return run.isdigit() and len(run) >= 9  # typed without separators
