"""Households in a message: an invite's phone, the person or people named, a split's shares, whether a thing
is the household's (locales/<lang>/households.yaml)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz.distance import OSA

from nlu.data import load_lang
from nlu.intents import says, vocabulary
from nlu.normalize import Normalized, fold

HOUSEHOLD_INTENTS = frozenset(
    {
        "household_invite",
        "household_join",
        "household_leave",
        "household_remove",
        "household_members",
        "owe_balance",
        "settle_up",
    }
)
"""Intents about the household itself: they carry no merchant and no category."""
PERSON_INTENTS = frozenset({"household_invite", "household_remove", "owe_balance", "settle_up"})
"""Intents whose message may name one person."""
MAX_PERSON_WORDS = 2
MAX_SHARES = 20
"""More ways than this is no split among people but a number of something else."""
TYPO_LENGTH = 5
"""Listed words this long also count with one typo."""
MIN_PHONE_DIGITS = 8
MAX_PHONE_DIGITS = 15
"""E.164's longest number."""

# A phone as written: "+55 11 91234-5678", "(11) 91234-5678", "+52 55 1234 5678", "11 91234.5678"; a run
# followed by a decimal part ("1.234.567,89") is an amount.
_PHONE = re.compile(r"(?<![\w.,])(\+\s?)?(\(?\d[\d\s().\-]{6,}\d)(?![\w,]|[.,]\d)")
_WORD = re.compile(r"[a-z0-9&']+")


@dataclass(frozen=True, slots=True)
class Phone:
    """A phone number written in the message."""

    number: str
    """ "+" and digits when written with "+" ("+5511912345678"), else the digits ("11987654321")."""
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Split:
    """How an expense is shared out."""

    people: tuple[str, ...]
    shares: int | None
    spans: tuple[tuple[int, int], ...]
    """Where the number of shares was said: never the amount."""


class Phrases(tuple[tuple[str, ...], ...]):
    """Phrases of words, longest first, indexed by their first word: every message is checked against a
    dozen lists, and scanning each list at each word cost more than the rest of the household reading."""

    first: dict[str, tuple[tuple[str, ...], ...]]
    """First word -> the phrases that start with it, longest first."""
    long_words: frozenset[str]
    """The one-word phrases long enough to be matched with a typo (TYPO_LENGTH)."""


@dataclass(frozen=True, slots=True)
class _Data:
    shared: Phrases
    not_shared: Phrases
    split_words: Phrases
    half_words: Phrases
    share_before: Phrases
    share_after: frozenset[str]
    number_words: dict[str, int]
    people_before: Phrases
    conjunctions: frozenset[str]
    member_words: frozenset[str]
    settle_words: Phrases
    owe_words: Phrases
    me_words: frozenset[str]
    possessives: frozenset[str]
    relations: frozenset[str]
    not_person: frozenset[str]
    split_before_number: frozenset[str]
    invite_words: Phrases
    invite_weak: Phrases
    house_words: Phrases
    join_words: Phrases
    leave_words: Phrases
    remove_words: Phrases
    members_words: Phrases
    phone_words: Phrases


def _phrases(items: object) -> Phrases:
    found = {tuple(_WORD.findall(fold(str(item)))) for item in (items or ())}  # type: ignore[attr-defined]
    phrases = Phrases(sorted((p for p in found if p), key=len, reverse=True))
    first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        first.setdefault(phrase[0], []).append(phrase)
    phrases.first = {word: tuple(starting) for word, starting in first.items()}
    phrases.long_words = frozenset(p[0] for p in phrases if len(p) == 1 and len(p[0]) >= TYPO_LENGTH)
    return phrases


def _words(items: object) -> frozenset[str]:
    return frozenset(word for phrase in _phrases(items) for word in phrase)


@cache
def _data(lang: str) -> _Data:
    raw = load_lang(lang, "households")
    return _Data(
        shared=_phrases(raw["shared"]),
        not_shared=_phrases(raw["not_shared"]),
        split_words=_phrases(raw["split_words"]),
        half_words=_phrases(raw["half_words"]),
        share_before=_phrases(raw["share_before"]),
        share_after=_words(raw["share_after"]),
        number_words={fold(str(k)): int(v) for k, v in raw["number_words"].items()},
        people_before=_phrases(raw["people_before"]),
        conjunctions=_words(raw["conjunctions"]),
        member_words=_words(raw["member_words"]),
        settle_words=_phrases(raw["settle_words"]),
        owe_words=_phrases(raw["owe_words"]),
        me_words=_words(raw["me_words"]),
        possessives=_words(raw["possessives"]),
        relations=frozenset(" ".join(p) for p in _phrases(raw["relations"])),
        not_person=_words(raw["not_person"]),
        split_before_number=_words(raw["split_before_number"]),
        invite_words=_phrases(raw["invite_words"]),
        invite_weak=_phrases(raw["invite_weak"]),
        house_words=_phrases(raw["house_words"]),
        join_words=_phrases(raw["join_words"]),
        leave_words=_phrases(raw["leave_words"]),
        remove_words=_phrases(raw["remove_words"]),
        members_words=_phrases(raw["members_words"]),
        phone_words=_phrases(raw["phone_words"]),
    )


def normalize_phone(written: str) -> str | None:
    """ "+55 11 91234-5678" -> "+5511912345678"; without "+", the digits ("(11) 98765-4321" ->
    "11987654321"): which country they are in is the chat's to say (the user's own). None when there are too
    few or too many digits for a phone."""
    digits = re.sub(r"\D", "", written)
    if len(digits) < MIN_PHONE_DIGITS or len(digits) > MAX_PHONE_DIGITS:
        return None
    return ("+" + digits) if written.lstrip().startswith("+") else digits


def find_phones(norm: Normalized, lang: str | None = None) -> list[Phone]:
    """Phone numbers in a message that invites someone (no invite word, no phone: "spent 99999999999 at the
    mall" is an amount). A run of digits is one only when it cannot be an amount or a date: a "+" before it,
    groups a phone is written in ("91234-5678", "(11) 1234 5678", "11 91234.5678"), or a word saying it is a
    number ("number is 14155550111"); groups of three after the first ("1 500 000") are thousands. `lang`
    None reads the English words."""
    if not says_invite(norm, lang or "en"):
        return []
    found = []
    for m in _PHONE.finditer(norm.text):
        plus, body = m.group(1), m.group(2).rstrip(" -(.")
        if body.count("(") != body.count(")"):
            body = body.lstrip("(")
        groups = re.findall(r"\d+", body)
        if plus is None:
            thousands = len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3
            dated = bool(re.fullmatch(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}", body))
            grouped = len(groups) > 1 and not thousands and not dated
            if not (grouped or _named_phone(norm, m.start(2), lang or "en")):
                continue
        number = normalize_phone(("+" if plus else "") + body)
        if number is None:
            continue
        start = m.start(1) if plus else m.start(2)
        found.append(Phone(number, start, m.start(2) + len(body)))
    return found


def _named_phone(norm: Normalized, start: int, lang: str) -> bool:
    """The words just before `start` say a phone number follows ("his number is", "zap")."""
    before = _WORD.findall(norm.text[:start])[-3:]
    return any(tuple(before[-len(p) :]) == p for p in _data(lang).phone_words if len(p) <= len(before))


def _tokens(norm: Normalized, exclude: Sequence[tuple[int, int]]) -> list[tuple[str, int, int]]:
    words = _word_spans(norm.text)
    if not exclude:
        return list(words)
    return [(w, start, end) for w, start, end in words if not any(a < end and start < b for a, b in exclude)]


@lru_cache(maxsize=64)
def _word_spans(text: str) -> tuple[tuple[str, int, int], ...]:
    """The words of a message with their spans: one message is read a dozen ways, tokenised once."""
    return tuple((m.group(), m.start(), m.end()) for m in _WORD.finditer(text))


def _at(tokens: Sequence[str], i: int, phrases: Phrases) -> int:
    """The length of the longest phrase starting at token i (phrases come longest first), 0 when none."""
    for phrase in phrases.first.get(tokens[i], ()):
        if tuple(tokens[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _says(tokens: Sequence[str], phrases: Phrases) -> bool:
    first = phrases.first
    if first.keys().isdisjoint(tokens):  # most lists share no word with most messages: one set test
        return False
    return any(token in first and _at(tokens, i, phrases) for i, token in enumerate(tokens))


def says_split(norm: Normalized, lang: str) -> bool:
    """A word that shares an expense out ("split", "dividido", "a medias", "rachei")."""
    return _says([w for w, _, _ in _tokens(norm, ())], _data(lang).split_words)


def says_settle(norm: Normalized, lang: str) -> bool:
    """A word that settles up ("settled", "acertamos", "estamos a mano")."""
    return _says([w for w, _, _ in _tokens(norm, ())], _data(lang).settle_words)


def says_owe(norm: Normalized, lang: str) -> bool:
    """A word of owing ("owes", "debo", "deve")."""
    return _says([w for w, _, _ in _tokens(norm, ())], _data(lang).owe_words)


def says_invite(norm: Normalized, lang: str) -> bool:
    """A word that invites or adds someone ("invite", "agrega", "convida"), or a weaker one ("put", "mete",
    "coloca") with a household word ("put my husband in the household")."""
    data = _data(lang)
    tokens = _words_of(norm)
    if _said(tokens, data.invite_words, lang):
        return True
    return _said(tokens, data.invite_weak, lang) and _said(tokens, data.house_words, lang)


def unsaid(norm: Normalized, lang: str, said: Household) -> frozenset[str]:
    """The household readings the message gives no ground for, as transfers and loans need their words
    (nlu/pipeline.py `_without_unsaid`): a split needs a split word or "between 3"; an invite, an invite word
    and someone to invite (a person or a phone); settling up and owing, their words; joining, leaving,
    removing and asking who is in, theirs. Without them "gasto", "pagué el uber" or "pix 40 joao" are read
    as the other intents would read them."""
    data = _data(lang)
    tokens = _words_of(norm)
    grounds = {
        "split_expense": _said(tokens, data.split_words, lang)
        or _said(tokens, data.half_words, lang)
        or _split_between(tokens, data),
        "household_invite": says_invite(norm, lang)
        and bool(said.phones or find_person(norm, lang, said.blank) is not None),
        "settle_up": _said(tokens, data.settle_words, lang),
        "owe_balance": _said(tokens, data.owe_words, lang),
        "household_join": _said(tokens, data.join_words, lang),
        "household_leave": _said(tokens, data.leave_words, lang),
        "household_remove": _said(tokens, data.remove_words, lang),
        "household_members": _said(tokens, data.members_words, lang)
        or _said(tokens, data.house_words, lang)
        or any(t in data.member_words for t in tokens),
    }
    return frozenset(intent for intent, grounded in grounds.items() if not grounded)


def _words_of(norm: Normalized) -> list[str]:
    return [w for w, _, _ in _tokens(norm, ())]


def _said(tokens: Sequence[str], phrases: Phrases, lang: str) -> bool:
    """A phrase of `phrases` is in `tokens`; a one-word phrase of 5+ letters also with one typo ("setle",
    "acertamo") in a word the classifier never saw: a word it knows is itself ("saldo" is no "saldé")."""
    if _says(tokens, phrases):
        return True
    long_words = phrases.long_words
    return bool(long_words) and any(_near_listed(t, long_words) for t in _unknown(tuple(tokens), lang))


@lru_cache(maxsize=64)
def _unknown(tokens: tuple[str, ...], lang: str) -> tuple[str, ...]:
    """The words that may be a listed word with a typo: long enough, letters only, never seen in training."""
    known = vocabulary(lang)
    return tuple(t for t in tokens if len(t) >= TYPO_LENGTH - 1 and t.isalpha() and t not in known)


def _split_between(tokens: Sequence[str], data: _Data) -> bool:
    """ "between 3", "entre tres": a number of ways after a word that shares out."""
    return any(
        t in data.split_before_number and (n := _number(after)) is not None and 2 <= n <= MAX_SHARES
        for t, after in itertools.pairwise(tokens)
    )


def shared_spans(norm: Normalized, lang: str) -> list[tuple[int, int]]:
    """Where the message says a thing is the household's ("for the house", "da casa", "compartido"); phrases
    that only hold such words ("casa de cambio", "vinho da casa", "em casa") are left out."""
    data = _data(lang)
    words = _tokens(norm, ())
    tokens = [w for w, _, _ in words]
    blocked: list[tuple[int, int]] = []
    for i in range(len(tokens)):
        if length := _at(tokens, i, data.not_shared):
            blocked.append((i, i + length))
    found = []
    i = 0
    while i < len(tokens):
        length = _at(tokens, i, data.shared)
        if length and not any(a < i + length and i < b for a, b in blocked):
            found.append((words[i][1], words[i + length - 1][2]))
            i += length
        else:
            i += 1
    return found


def find_shares(
    norm: Normalized, lang: str, exclude: Sequence[tuple[int, int]] = ()
) -> tuple[int | None, list[tuple[int, int]]]:
    """(shares, spans): how many ways an expense is split when said ("en 3", "in three ways", "a medias" = 2)
    in a message that splits; the spans hold the number, which is then no amount."""
    data = _data(lang)
    if not says_split(norm, lang):
        return None, []
    words = _tokens(norm, exclude)
    tokens = [w for w, _, _ in words]
    for i in range(len(tokens)):
        before = _at(tokens, i, data.share_before)
        k = i + before
        value = _number(tokens[k]) if before and k < len(tokens) else None
        if value is None:
            value = _number(tokens[i]) if i + 1 < len(tokens) and tokens[i + 1] in data.share_after else None
            k = i
        if value is not None and 2 <= value <= MAX_SHARES:
            return value, [(words[k][1], words[k][2])]
    if _says(tokens, data.half_words):
        return 2, []
    return None, []


@cache
def _numbers(lang: str) -> dict[str, int]:
    return _data(lang).number_words


def _number(token: str) -> int | None:
    if token.isdigit() and len(token) <= 2:
        return int(token)
    for lang in ("en", "es", "pt"):
        if token in _numbers(lang):
            return _numbers(lang)[token]
    return None


def find_people(
    norm: Normalized, lang: str, exclude: Sequence[tuple[int, int]] = ()
) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
    """The people an expense is split with, after "with"/"com"/"con"/"entre" ("with ana and joe" ->
    ("Ana", "Joe"), "con mi roomie" -> ("roomie",)), and where they are written."""
    data = _data(lang)
    words = _tokens(norm, exclude)
    tokens = [w for w, _, _ in words]
    people: list[str] = []
    spans: list[tuple[int, int]] = []
    for i in range(len(tokens)):
        cue = _at(tokens, i, data.people_before)
        if not cue:
            continue
        k = i + cue
        while k < len(tokens):
            run, k = _name_at(words, k, data, norm)
            if run is None:
                break
            people.append(run[0])
            spans.append(run[1])
            if k < len(tokens) and tokens[k] in data.conjunctions:
                k += 1
                continue
            break
        if people:
            break
    return tuple(dict.fromkeys(people)), spans


def find_person(norm: Normalized, lang: str, exclude: Sequence[tuple[int, int]] = ()) -> str | None:
    """The one person a household message names ("invite tom" -> "Tom", "agrega a mi roomie" -> "roomie",
    "quanto a Ana me deve" -> "Ana"): the first run of words that are no verb or function word."""
    data = _data(lang)
    words = _tokens(norm, exclude)
    k = 0
    while k < len(words):
        run, after = _name_at(words, k, data, norm)
        if run is not None:
            return run[0]
        k = max(after, k + 1)
    return None


def names_me(norm: Normalized, lang: str) -> bool:
    """The message is about the user themselves ("remove me", "sácame", "me tira da casa")."""
    data = _data(lang)
    return any(w in data.me_words or w in ("sacame", "quitame", "removeme") for w, _, _ in _tokens(norm, ()))


def _function_word(word: str, data: _Data, first: bool = False) -> bool:
    """A word that is no name: listed, listed before an apostrophe ("we're", "i'm"), or, as the message's
    first word, a typo of a listed word of 5+ letters (the command: "invte", "agraga", "setle"). Elsewhere a
    near miss is a name ("renata" is no typo of "renta")."""
    stem = word.split("'")[0]
    if word in data.not_person or stem in data.not_person or word in data.possessives:
        return True
    return first and len(word) >= 5 and word not in data.relations and _near_listed(word, data.not_person)


def _near_listed(word: str, listed: frozenset[str]) -> bool:
    """One edit or swap from a listed word of 5+ letters: only words within a letter of its length can be."""
    by_length = _by_length(listed)
    size = len(word)
    return any(
        OSA.distance(word, other) <= 1
        for length in (size - 1, size, size + 1)
        for other in by_length.get(length, ())
    )


@cache
def _by_length(listed: frozenset[str]) -> dict[int, tuple[str, ...]]:
    """A list's words of 5+ letters by length (a frozenset keeps its hash, so this is looked up cheaply)."""
    found: dict[int, list[str]] = {}
    for word in listed:
        if len(word) >= TYPO_LENGTH:
            found.setdefault(len(word), []).append(word)
    return {length: tuple(words) for length, words in found.items()}


def _name_at(
    words: list[tuple[str, int, int]], k: int, data: _Data, norm: Normalized
) -> tuple[tuple[str, tuple[int, int]] | None, int]:
    """The name or relation starting at word k, skipping articles and possessives, and the word after it."""
    possessive = False
    while k < len(words) and _function_word(words[k][0], data, first=k == 0):
        if words[k][0] in data.possessives:
            possessive = True
        elif possessive:
            return None, k
        k += 1
    if k >= len(words) or not _name_like(words[k][0]):
        return None, k
    for length in (3, 2, 1):
        relation = " ".join(w for w, _, _ in words[k : k + length])
        if len(words[k : k + length]) == length and relation in data.relations:
            end = k + length
            return (
                norm.original_span(words[k][1], words[end - 1][2]).lower(),
                (words[k][1], words[end - 1][2]),
            ), end
    end = k + 1
    while (
        end < len(words)
        and end - k < MAX_PERSON_WORDS
        and not _function_word(words[end][0], data)
        and words[end][0] not in data.conjunctions
        and _name_like(words[end][0])
        and words[end][1] - words[end - 1][2] <= 1
        and norm.text[words[end - 1][2] : words[end][1]] in ("", " ")
    ):
        end += 1
    span = (words[k][1], words[end - 1][2])
    shown = re.sub(r"'s$", "", norm.original_span(*span))  # "tom's invite": Tom
    if possessive:
        return (shown.lower(), span), end
    return (" ".join(part[:1].upper() + part[1:] for part in shown.split()), span), end


def _name_like(word: str) -> bool:
    return len(word) > 1 and not any(ch.isdigit() for ch in word) and word != "&"


SHARED_INTENTS = frozenset(
    {
        "add_expense",
        "split_expense",
        "set_budget",
        "budget_status",
        "delete_budget",
        "spending_summary",
        "list_transactions",
        "search",
        "overview",
        "add_recurring",
        "list_recurring",
        "cancel_recurring",
        "set_goal",
        "goal_contribution",
        "goal_withdrawal",
        "goal_status",
    }
)
"""Intents whose subject may be the household's rather than the user's own (a budget, an expense, a
question about spending)."""


@dataclass(frozen=True, slots=True)
class Fields:
    """The household fields of a Parse for its intent."""

    person: str | None = None
    phone: str | None = None
    people: tuple[str, ...] = ()
    shares: int | None = None
    shared: bool = False


@dataclass(frozen=True, slots=True)
class Household:
    """What a message says about households, read before its intent is known."""

    phones: tuple[Phone, ...]
    shared: list[tuple[int, int]]
    shares: int | None
    share_spans: tuple[tuple[int, int], ...]
    people: tuple[str, ...]
    people_spans: list[tuple[int, int]]

    @property
    def blank(self) -> list[tuple[int, int]]:
        """Spans no amount or date is read in: phones and a split's number of shares."""
        return [(p.start, p.end) for p in self.phones] + list(self.share_spans)

    def inside(self, span: tuple[int, int]) -> bool:
        return any(a < span[1] and span[0] < b for a, b in self.shared)

    def inside_people(self, span: tuple[int, int]) -> bool:
        return any(a < span[1] and span[0] < b for a, b in self.people_spans)

    def unshared(self) -> Household:
        return Household(self.phones, [], self.shares, self.share_spans, self.people, self.people_spans)

    def for_intent(
        self, intent: str, norm: Normalized, lang: str, claimed: Sequence[tuple[int, int]]
    ) -> Fields:
        shared = bool(self.shared) and intent in SHARED_INTENTS
        if intent == "split_expense":
            return Fields(people=self.people, shares=self.shares, shared=shared)
        if intent in PERSON_INTENTS:
            phone = self.phones[0].number if intent == "household_invite" and self.phones else None
            return Fields(person=find_person(norm, lang, [*claimed, *self.blank]), phone=phone)
        return Fields(shared=shared)


def read_household(norm: Normalized, lang: str) -> Household:
    phones = tuple(find_phones(norm, lang))
    taken = [(p.start, p.end) for p in phones]
    shares, spans = find_shares(norm, lang, taken)
    people, people_spans = find_people(norm, lang, taken + spans)
    return Household(phones, shared_spans(norm, lang), shares, tuple(spans), people, people_spans)


MIN_SECOND = 0.02
"""A reading the classifier scores under this is not promoted by the words alone."""
REMOVE_SECOND = 0.15
"""Leaving read with a person named: removing them must be a close second ("salir de la casa de mi mamá"
names whose house it is)."""


def settle_household(
    ranked: list[tuple[str, float]],
    norm: Normalized,
    lang: str,
    said: Household,
    has_amount: bool,
    tells_loan: bool,
    names_account: bool = False,
) -> list[tuple[str, float]]:
    """Readings the words settle: a phone number is an invite; a loan word with no amount and a settling
    word settles up ("acertei com a Ana"), and with owing asks who owes what; settling up with an amount and
    a loan word is the loan ("acertei com o daniel 70"); an expense split with people is a split; removing
    oneself is leaving; a household budget asked about without asking who is its status; owing on an
    account is its balance ("how much do i owe on my credit card")."""
    top = ranked[0][0]
    if said.phones and top != "household_invite":
        return _promote(ranked, "household_invite", 0.0)
    if top == "debt" and not has_amount:
        if says_settle(norm, lang):
            return _promote(ranked, "settle_up", 0.0)
        if says_owe(norm, lang):
            return _promote(ranked, "owe_balance", 0.0)
    if top == "household_members" and says(norm.text, lang, "budget_words") and not _asks_who(norm, lang):
        return _promote(ranked, "budget_status", MIN_SECOND)  # "show the shared budget"
    if top == "owe_balance" and names_account:
        return _promote(ranked, "balance", 0.0)
    if top == "unknown" and not has_amount and says_owe(norm, lang):
        return _promote(ranked, "owe_balance", MIN_SECOND)
    if top == "household_leave" and not names_me(norm, lang) and find_person(norm, lang, said.blank):
        # "drop zoe from the household": leaving names nobody else; removing does.
        return _promote(ranked, "household_remove", REMOVE_SECOND)
    if top in ("settle_up", "owe_balance") and has_amount and tells_loan:
        return _promote(ranked, "debt", MIN_SECOND)
    if top in ("add_expense", "edit_last", "add_recurring") and says_split(norm, lang):
        return _promote(ranked, "split_expense", MIN_SECOND)
    if top == "household_remove" and names_me(norm, lang) and find_person(norm, lang, said.blank) is None:
        return _promote(ranked, "household_leave", 0.0)
    return ranked


def _asks_who(norm: Normalized, lang: str) -> bool:
    return any(w in _data(lang).member_words for w, _, _ in _tokens(norm, ()))


def _promote(ranked: list[tuple[str, float]], wanted: str, least: float) -> list[tuple[str, float]]:
    """`wanted` first with the first reading's weight added; unchanged when scored under `least`."""
    scores = dict(ranked)
    if scores.get(wanted, 0.0) < least:
        return ranked
    first, low = ranked[0]
    rest = [(name, score) for name, score in ranked[1:] if name != wanted]
    return [(wanted, min(1.0, low + scores.get(wanted, 0.0))), *rest, (first, 0.0)]


__all__ = [
    "HOUSEHOLD_INTENTS",
    "PERSON_INTENTS",
    "SHARED_INTENTS",
    "Fields",
    "Household",
    "Phone",
    "find_people",
    "find_person",
    "find_phones",
    "find_shares",
    "names_me",
    "normalize_phone",
    "read_household",
    "says_invite",
    "says_owe",
    "says_settle",
    "says_split",
    "settle_household",
    "shared_spans",
    "unsaid",
]
