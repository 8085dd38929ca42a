"""One message through the NLU: normalize -> language -> dates -> money -> merchant -> intent -> category."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import cache

from nlu.accounts import Accounts, Reading, find_accounts, lexicon
from nlu.categories import find_category
from nlu.charts import chart_kind, settle_chart
from nlu.data import load_lang
from nlu.dates import When, find_when
from nlu.households import HOUSEHOLD_INTENTS, read_household, settle_household, unsaid
from nlu.intents import classify
from nlu.language import detect_language
from nlu.merchants import find_merchant, number_words
from nlu.money import counts_things, find_amounts, primary_amount, unit_total, unresolved_amounts
from nlu.normalize import Normalized, normalize
from nlu.notices import Notice, read_notice
from nlu.overlay import MerchantOverlay
from nlu.plans import (
    GOAL_INTENTS,
    NAMED_INTENTS,
    find_name,
    find_schedule,
    goal_date,
    goal_month,
    month_range,
    settle,
)
from nlu.reference import note, reference_of
from nlu.settings import SettingChange, find_setting, named_currencies, resolve_currency_word
from nlu.types import LANGUAGES, MoneyMention, NoticeRef, Parse, Unresolved

COMPUTED_CONFIDENCE = 0.6
"""The confidence of a reading whose amount was computed ("2 at 4.50" is 9.00): under the write threshold,
so the conversation shows the total and asks before recording it."""

_DIGITS = re.compile(r"\d+")
# Which fields each intent carries. A transaction has a day; a question covers a period.
TRANSACTION_INTENTS = frozenset(
    {"add_expense", "add_income", "edit_last", "transfer", "debt", "split_expense"}
)
ACCOUNT_INTENTS = frozenset(
    {"add_expense", "add_income", "transfer", "debt", "balance", "list_transactions", "split_expense"}
)
"""Intents whose messages may name an account."""
QUERY_INTENTS = frozenset(
    {
        "balance",
        "list_transactions",
        "spending_summary",
        "budget_status",
        "set_budget",
        "search",
        "income_summary",
        "overview",
        "chart",
    }
)
AMOUNT_INTENTS = TRANSACTION_INTENTS | {
    "set_budget",
    "add_recurring",
    "set_goal",
    "goal_contribution",
    "goal_withdrawal",
    "convert_currency",
}
"""Intents whose amount is written or acted on: an inexact one is reported unresolved (a question's
"tengo unos pesos?" is no amount to pin down)."""
DATED_QUESTIONS = QUERY_INTENTS - {"set_budget", "search"}
NO_AMOUNT_INTENTS = HOUSEHOLD_INTENTS - {"settle_up"}
"""Household messages whose numbers are no money ("add ana 11 91234-5678", "who owes what"); settling up may
say how much."""
"""Questions whose numbers are days, never amounts ("search 45" looks for an amount)."""
# Intents that may name an earlier transaction; intents whose leftover words are the entry's note.
REFERENCE_INTENTS = frozenset({"undo", "edit_last", "search"})
NOTE_INTENTS = frozenset({"add_expense", "add_income"})
# Short conversational turns: numbers or names in them are not money or merchants ("yes 2", "hi uber").
BARE_INTENTS = frozenset({"greeting", "affirm", "deny", "help"})


def parse_message(
    text: str,
    *,
    now: datetime,
    zone: tzinfo,
    lang: str | None = None,
    currency: str | None = None,
    intent: str | None = None,
    overlay: MerchantOverlay | None = None,
    week_start: int = 0,
    country: str | None = None,
) -> Parse:
    """Understand `text`, resolving relative dates against `now` seen in `zone` (the user's local day).
    `intent`, when given, replaces the classifier's reading (the user said which one they meant); `overlay`
    holds the tenant's own merchants, matched first; `country` is the calendar holidays are read in."""
    norm = normalize(text)
    today: date = now.astimezone(zone).date()
    notice = read_notice(text, now.astimezone(zone), country.lower() if country else None)
    if notice is not None:
        return _from_notice(norm, notice, lang, currency, overlay)
    # Without a stored language, the user's currency is the next best prior (BRL users write Portuguese).
    prior = lang if lang is not None else _currency_languages().get(currency or "")
    language, _ = detect_language(norm, prior)
    # A phone number and a split's number of shares are never an amount or a day: the readers below see the
    # message with them blanked out; the classifier sees it whole.
    said = read_household(norm, language)
    typed, norm = norm, _blanked(norm, said.blank)

    when = find_when(norm, language, today, week_start, country)
    vague = unresolved_amounts(norm, language, exclude=when.spans)
    mentions = find_amounts(norm, language, currency, exclude=[*when.spans, *vague])
    primary = primary_amount(mentions, norm, language)
    claimed = [*when.spans, *vague] + [(m.start, m.end) for m in mentions]
    merchant = find_merchant(norm, language, exclude=claimed, overlay=overlay)
    if merchant is not None and said.inside((merchant.start, merchant.end)):
        if merchant.known:
            said = said.unshared()  # a shop's own name ("Casa do Pão") says nothing about the household
        else:
            merchant = find_merchant(norm, language, exclude=claimed + said.shared, overlay=overlay)
    claimed += said.shared
    accounts = find_accounts(norm, language, exclude=claimed)
    overlapping = [
        s
        for s in accounts.spans
        if merchant is not None and _spans_overlap((merchant.start, merchant.end), s)
    ]
    if merchant is not None and overlapping:
        longer = all(merchant.end - merchant.start > end - start for start, end in overlapping)
        if merchant.known and longer:
            # A known merchant wins over an account word inside its name ("Farmacias del Ahorro"); a bank's
            # own name ("no nubank") is the account.
            accounts = accounts.without((merchant.start, merchant.end))
        else:
            # "no nubank" names where the money came from, not a merchant.
            merchant = find_merchant(norm, language, exclude=claimed + accounts.spans, overlay=overlay)
    if (merchant is None or not merchant.known) and _may_name_a_merchant(norm, mentions, overlay):
        # A known merchant named by a number ("99", "7-Eleven", "Forever 21") was taken for a bare amount:
        # look again with only the written-currency amounts claimed, and give that number to the merchant.
        retry = find_merchant(
            norm,
            language,
            exclude=list(when.spans) + [(m.start, m.end) for m in mentions if m.explicit],
            overlay=overlay,
        )
        if retry is not None and retry.known and any(_overlaps(retry.start, retry.end, m) for m in mentions):
            merchant = retry
            mentions = [m for m in mentions if not _overlaps(retry.start, retry.end, m)]
            primary = primary_amount(mentions, norm, language)
            claimed = list(when.spans) + [(m.start, m.end) for m in mentions]

    ranked = classify(
        typed,
        language,
        has_amount=primary is not None or bool(vague),
        has_period=when.period is not None and when.day is None,
        has_date=when.day is not None or bool(when.unresolved),
        merchant=None if merchant is None else norm.text[merchant.start : merchant.end],
    )
    if intent is not None:
        ranked = [(intent, 1.0), *[(name, score) for name, score in ranked if name != intent]]
    else:
        # Transfers, loans and the household's readings need their words (nlu/accounts.py,
        # nlu/households.py); recurring payments and goals are told from their look-alikes by theirs
        # (nlu/plans.py).
        ranked = _without_unsaid(ranked, accounts, unsaid(typed, language, said))
        known = merchant is not None and merchant.known
        ranked = settle(ranked, norm, language, primary is not None, when.recurrence, known, claimed)
        ranked = settle_household(
            ranked, norm, language, said, primary is not None, accounts.tells_loan, bool(accounts.found)
        )
        ranked = settle_chart(ranked, norm, language, primary is not None)
    intent, confidence = ranked[0]
    if intent in DATED_QUESTIONS and primary is not None and not primary.explicit:
        # A question has no amount: "cuánto gasté el 5", "quanto gastei na terça 19" name a day, which the
        # date rules leave to the amount while the intent is unknown. Read again with numbers as days.
        again = find_when(norm, language, today, week_start, country, numbers_are_days=True)
        if again.spans != when.spans:
            when = again
            mentions = find_amounts(norm, language, currency, exclude=[*when.spans, *vague])
            primary = primary_amount(mentions, norm, language)
            claimed = [*when.spans, *vague] + [(m.start, m.end) for m in mentions]
    if (
        intent == "split_expense"
        and merchant is not None
        and said.inside_people((merchant.start, merchant.end))
    ):
        # "split 60 with ana": a person split with is no merchant.
        merchant = find_merchant(norm, language, exclude=claimed + said.people_spans, overlay=overlay)
    if merchant is not None:
        claimed.append((merchant.start, merchant.end))
    claimed += said.people_spans if intent == "split_expense" else []
    category = find_category(norm, language, merchant, intent, exclude=claimed + accounts.spans)
    paid = accounts.for_intent(intent) if intent in ACCOUNT_INTENTS else None
    if intent == "debt":
        # A loan's payee is the person, and its category keeps it out of spending and earning.
        merchant, category = None, "loans"
    elif intent == "transfer" or intent in HOUSEHOLD_INTENTS:
        merchant, category = None, None

    bare = intent in BARE_INTENTS
    amount: Decimal | None = (
        None if primary is None or bare or intent in NO_AMOUNT_INTENTS else primary.amount
    )
    total = None if amount is None else unit_total(mentions, primary, norm, language)
    if total is not None:
        # "2 cafés a 4,50": the total is computed, not written, so it is confirmed before it is recorded.
        amount, confidence = total, min(confidence, COMPUTED_CONFIDENCE)
    reference, change = (None, None)
    if intent in REFERENCE_INTENTS:
        reference, change = reference_of(
            norm, language, intent, mentions=mentions, merchant=merchant, day=when.day, day_spans=when.spans
        )
    written = None
    if intent in NOTE_INTENTS and merchant is None:
        # Account words ("com o cartão") are not the entry's note.
        written = note(norm, language, claimed + accounts.spans)
    setting_change = _setting(intent, norm, language, currency, mentions)
    # Recurring payments and goals: their name, a schedule's anchor, a goal's date (always ahead).
    recurrence, anchor, name, day = (
        when.recurrence,
        None,
        None,
        when.day if intent in TRANSACTION_INTENTS else None,
    )
    if intent == "add_recurring":
        schedule = find_schedule(norm, language, when.recurrence)
        # A day of the month with no cadence said ("rent 1200 on the 1st") is monthly.
        recurrence = schedule.recurrence or ("monthly" if schedule.anchor is not None else None)
        anchor = schedule.anchor
        claimed += list(schedule.spans)
    if intent in NAMED_INTENTS:
        goal = intent in GOAL_INTENTS
        # A goal's name is no merchant: "na viajem" is the goal even when read as a place.
        spans = [
            s for s in claimed if goal is False or merchant is None or s != (merchant.start, merchant.end)
        ]
        name = find_name(norm, language, spans, None if goal or merchant is None else merchant.name)
        if goal:
            merchant, category = None, None
    if intent == "set_goal":
        day = goal_date(when.day, when.period, today) or goal_date(
            None, month_range(goal_month(norm, language), today), today
        )
    unresolved = _unresolved(norm, intent, when, vague, amount, day)
    household = said.for_intent(intent, norm, language, claimed + accounts.spans)
    return Parse(
        lang=language,
        intent=intent,
        confidence=confidence,
        amount=amount,
        currency=_currency(primary if amount is not None else None, mentions, currency),
        date=day,
        period=(when.period if intent in QUERY_INTENTS else None),
        recurrence=recurrence if not bare else None,
        count=when.count if not bare else None,
        merchant=None if merchant is None or bare else merchant.name,
        category=None if bare else category,
        amounts=tuple(m for m in mentions if m.explicit),
        mentions=tuple(m for m in mentions if not counts_things(m, norm, language)),
        alternatives=tuple(ranked[1:4]),
        note=written,
        reference=reference,
        change=change,
        setting=setting_change.setting,
        value=setting_change.value,
        choices=setting_change.choices,
        name=name,
        anchor=anchor,
        account=None if paid is None or paid.account is None else paid.account.text,
        to_account=_destination(paid, language),
        person=household.person if household.person is not None else None if paid is None else paid.person,
        direction=None if paid is None else paid.direction,
        unresolved=unresolved,
        phone=household.phone,
        people=household.people,
        shares=household.shares,
        shared=household.shared,
        chart=chart_kind(norm, language) if intent == "chart" else None,
    )


def _unresolved(
    norm: Normalized,
    intent: str,
    when: When,
    vague: list[tuple[int, int]],
    amount: Decimal | None,
    day: date | None,
) -> tuple[Unresolved, ...]:
    """What the message names but does not pin down, for the fields this intent carries: a date phrase that
    did not resolve, a transaction said of a whole period ("semana passada": which day?), an inexact amount.
    A field given a value is never also unresolved."""
    if intent in BARE_INTENTS:
        return ()
    found: list[Unresolved] = []
    if day is None and intent in TRANSACTION_INTENTS:
        found += [Unresolved("date", norm.original_span(s, e), s, e) for s, e in when.unresolved]
        if not found and when.period is not None and when.period.start != when.period.end:
            spans = [s for s in when.spans if s not in when.unresolved][:1]
            found += [Unresolved("date", norm.original_span(s, e), s, e, when.period) for s, e in spans]
    elif intent in QUERY_INTENTS and when.period is None:
        # A question about a day that cannot be pinned down ("no dia das mães" with no country known) is
        # asked back, never answered for a default period.
        found += [Unresolved("period", norm.original_span(s, e), s, e) for s, e in when.unresolved]
    if amount is None and intent in AMOUNT_INTENTS:
        found += [Unresolved("amount", norm.original_span(s, e), s, e) for s, e in vague]
    return tuple(sorted(found, key=lambda u: u.start))


def _from_notice(
    norm: Normalized, notice: Notice, lang: str | None, currency: str | None, overlay: MerchantOverlay | None
) -> Parse:
    """A forwarded bank notice as an expense or income: its amount, currency, day and payee, the payee
    cleaned by the merchant matcher ("UBER *TRIP" -> Uber) and categorised. The conversation confirms it."""
    prior = lang if lang is not None else _currency_languages().get(currency or "")
    language, _ = detect_language(norm, prior)
    intent = "add_income" if notice.kind == "income" else "add_expense"
    merchant, category = (None, None)
    if notice.merchant:
        written = normalize(notice.merchant)
        found = find_merchant(written, language, overlay=overlay)
        # A notice writes the payee's own name: the matcher may clean it ("UBER *TRIP" -> Uber), but a
        # near-miss ("SUPERMERCADO BOM PRECO" -> BM Supermercados) would be a guess; keep the name then.
        cleaned = (
            found if found is not None and found.known and _names_inside(found.name, written.text) else None
        )
        category = find_category(written, language, cleaned, intent)
        merchant = cleaned.name if cleaned is not None else " ".join(notice.merchant.split()).title()
    return Parse(
        lang=language,
        intent=intent,
        confidence=1.0,
        amount=notice.amount,
        currency=notice.currency,
        date=notice.day,
        merchant=merchant,
        category=category,
        notice=NoticeRef(notice.source, notice.card),
    )


def _names_inside(name: str, text: str) -> bool:
    """Every word of a merchant's name is in `text` (folded): "Uber" in "uber *trip", "OXXO" in "oxxo"."""
    words = set(re.findall(r"[a-z0-9]+", text))
    return all(word in words for word in re.findall(r"[a-z0-9]+", normalize(name).text))


def _destination(said: Accounts | None, lang: str) -> str | None:
    """A transfer's destination as written; a cash withdrawal with none written goes into cash."""
    if said is None:
        return None
    if said.to_account is not None:
        return said.to_account.text
    return lexicon(lang).cash_word if said.withdrawal else None


def _setting(
    intent: str, norm: Normalized, lang: str, currency: str | None, mentions: list[MoneyMention]
) -> SettingChange:
    """change_setting: the setting and its new value; convert_currency: the currency asked for (a named
    currency outside the amounts, else the user's own)."""
    spans = [(m.start, m.end) for m in mentions]
    if intent == "change_setting":
        return find_setting(norm, lang, currency, exclude=spans)
    if intent == "convert_currency":
        named = named_currencies(norm, lang, exclude=spans)
        target = resolve_currency_word(named[-1][0], currency) if named else currency
        return SettingChange(None, target)
    return SettingChange(None, None)


@cache
def _currency_languages() -> dict[str, str]:
    """ISO code -> the language most of its users write, from keywords.yaml `currencies`."""
    return {code: lang for lang in LANGUAGES for code in load_lang(lang, "keywords").get("currencies") or ()}


def _may_name_a_merchant(
    norm: Normalized, mentions: list[MoneyMention], overlay: MerchantOverlay | None = None
) -> bool:
    """Whether a bare amount is also a number in a merchant's name ("99", "7-Eleven"): only then is the
    merchant search worth repeating with that number given back."""
    names = number_words() if overlay is None else number_words() | overlay.number_words
    return any(
        not m.explicit and names.intersection(_DIGITS.findall(norm.text[m.start : m.end])) for m in mentions
    )


def _without_unsaid(
    ranked: list[tuple[str, float]], accounts: Reading, household: frozenset[str] = frozenset()
) -> list[tuple[str, float]]:
    """The ranking without the readings the message gives no ground for: a loan is told with a word saying
    which way the money went ("lent", "me devolveu"); a transfer names an account, a withdrawal or a card
    bill.
    Without one ("gave 20 to mike", "zezinho 12", "transferi 100 pro joão") the message is read as the other
    intents would read it; so are the `household` readings without theirs."""
    unsaid = set(household)
    if not accounts.tells_loan:
        unsaid.add("debt")
    if not accounts.tells_transfer:
        unsaid.add("transfer")
    rest = 1.0 - sum(score for name, score in ranked if name in unsaid)
    if not unsaid or rest <= 0:
        return ranked
    return [(name, score / rest) for name, score in ranked if name not in unsaid]


def _blanked(norm: Normalized, spans: list[tuple[int, int]]) -> Normalized:
    """`norm` with the characters of `spans` turned to spaces, offsets kept: nothing reads them."""
    if not spans:
        return norm
    chars = list(norm.text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return replace(norm, text="".join(chars))


def _spans_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _overlaps(start: int, end: int, mention: MoneyMention) -> bool:
    return mention.start < end and start < mention.end


def _currency(primary: MoneyMention | None, mentions: list[MoneyMention], default: str | None) -> str | None:
    """The amount's currency as written, else the first currency written anywhere, else the request's."""
    if primary is not None and primary.currency is not None:
        return primary.currency
    for mention in mentions:
        if mention.explicit and mention.currency is not None:
            return mention.currency
    return default


def read_payee(
    text: str, lang: str, *, overlay: MerchantOverlay | None = None, intent: str = "add_expense"
) -> tuple[str | None, str | None]:
    """(merchant, category) of a short answer to "what was it for?" ("mercado", "uber", "almoço com a Ana"),
    or of a bank statement's description ("PAG*PADARIA DO ZE"; `intent` add_income for a credit).

    The whole text is about a transaction already known, so no intent is classified: the merchant search and
    the category lexicon read it as they would the rest of an expense message. (None, None) when it names
    neither ("sei lá", "whatever").
    """
    norm = normalize(text)
    merchant = find_merchant(norm, lang, overlay=overlay)
    claimed = [] if merchant is None else [(merchant.start, merchant.end)]
    category = find_category(norm, lang, merchant, intent, exclude=claimed)
    return (None if merchant is None else merchant.name), category
