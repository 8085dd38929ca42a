"""The account a write goes to, as form slots: named in the message, picked from a numbered list when several
fit, or created after one yes / no when it names none (no: the default account, said in the question)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import nlu
from bot.conversation import accounts as names
from bot.conversation.context import Context
from bot.conversation.forms import Slot, Slots, SlotValues
from bot.conversation.pending import Pending
from bot.conversation.reply import Line, Phrase, Reply
from domain import services
from domain.commands import AddAccount, RecordTransaction
from domain.model import Account, AccountKind
from domain.ports import UnitOfWork
from domain.results import RecordResult


@dataclass(frozen=True, slots=True)
class Option:
    """An account offered in a question, as the form keeps it (JSON-ready)."""

    id: str
    name: str
    kind: AccountKind


def in_text(ctx: Context, accounts: Sequence[Account], slots: Slots) -> SlotValues:
    """When the NLU named no account: the user's own names written in the message ("uber 20 viagem"), read
    where the write lists the accounts anyway (no read of its own for the many messages naming none). One
    found: its id; several: the choice to offer; none, or a single account: nothing."""
    if len(accounts) < 2 or any(slots.get(f"account_{part}") for part in ("id", "new", "choices", "decided")):
        return {}
    text = str(slots.get("said") or ctx.message.text)
    names = nlu.accounts_named(text, ctx.understood.lang, [a.name for a in accounts])
    found = [a for name, _ in names for a in accounts if a.name == name]
    if len(found) == 1:
        return {"account_id": str(found[0].id)}
    return {"account_choices": options(found)} if found else {}


def ask_later(form: str, ctx: Context, slots: Slots) -> Reply:
    """The question "which account?" asked at submit, with the form left pending on it (nothing written)."""
    question = prompt_for("account", "ask_which_account")(ctx, slots)
    return replace(question, asked="account", pending=Pending(form, "account", slots))


def values(prefix: str, phrase: str | None, accounts: Sequence[Account], lang: str) -> SlotValues:
    """The slots an account phrase fills under `prefix` ("account", "from_account", "to_account"): the id,
    the options to choose from, or the new name to offer."""
    if phrase is None:
        return {}
    named = names.match(phrase, accounts, lang)
    if named.account is not None:
        return {f"{prefix}_id": str(named.account.id)}
    if named.candidates:
        return {f"{prefix}_choices": [_option(a) for a in named.candidates]}
    return {f"{prefix}_new": {"name": named.new_name, "kind": str(named.kind)}}


def options(accounts: Sequence[Account]) -> list[list[str]]:
    return [_option(a) for a in accounts]


def _option(account: Account) -> list[str]:
    return [str(account.id), account.name, str(account.kind)]


def is_filled(prefix: str) -> Any:
    def filled(slots: Slots) -> bool:
        if slots.get(f"{prefix}_choices"):
            return False
        return not slots.get(f"{prefix}_new") or bool(slots.get(f"{prefix}_decided"))

    return filled


def prompt_for(prefix: str, which_key: str) -> Any:
    def prompt(ctx: Context, slots: Slots) -> Reply:
        offered = slots.get(f"{prefix}_choices")
        if offered:
            lines = [Line(which_key)]
            lines += [
                Line("account_option", {"number": n, "account": o[1]}) for n, o in enumerate(offered, 1)
            ]
            return Reply(lines=tuple(lines))
        new = slots[f"{prefix}_new"]
        default = slots.get("default_account")
        kind = Phrase(f"account_kind_{new['kind']}")
        # "the house card" from a household member: the account would be the household's (see `chosen`).
        house = "_house" if slots.get("shared") else ""
        if prefix == "account" and default:
            return Reply.say(f"ask_create_account{house}", account=new["name"], kind=kind, default=default)
        return Reply.say(f"ask_create_account_only{house}", account=new["name"], kind=kind)

    return prompt


def reader_for(prefix: str) -> Any:
    def read(ctx: Context, slots: Slots) -> SlotValues | Reply | None:
        parse = ctx.understood
        offered = slots.get(f"{prefix}_choices")
        if offered:
            opts = [Option(o[0], o[1], AccountKind(o[2])) for o in offered]
            picked = names.choice(ctx.message.text, opts, parse.lang)  # type: ignore[arg-type]
            if picked is None:
                return None
            return {f"{prefix}_id": picked.id, f"{prefix}_choices": None}
        if parse.intent == "affirm" and parse.confidence >= nlu.LOW_CONFIDENCE:
            return {f"{prefix}_decided": "create"}
        if parse.intent == "deny" and parse.confidence >= nlu.LOW_CONFIDENCE:
            if prefix != "account":
                return None  # a transfer needs its account: "no" is cancel (the form drops)
            return {f"{prefix}_decided": "default", f"{prefix}_new": None}
        return None

    return read


def slot(prefix: str, which_key: str) -> Slot:
    def drops_on_no(slots: Slots) -> bool:
        # A transfer cannot go on without its account: "no" to creating it drops the transfer. A record
        # goes on the default account instead (the question says so).
        return prefix != "account" and bool(slots.get(f"{prefix}_new")) and not slots.get(f"{prefix}_choices")

    prompt = prompt_for(prefix, which_key)

    async def question(ctx: Context, slots: Slots) -> Reply:
        return prompt(ctx, slots)

    return Slot(
        prefix,
        which_key,
        is_filled(prefix),
        lambda ctx: None,
        question=question,
        read_slots=reader_for(prefix),
        drops_on_no=drops_on_no,
    )


ACCOUNT = slot("account", "ask_which_account")
FROM_ACCOUNT = slot("from_account", "ask_transfer_from")
TO_ACCOUNT = slot("to_account", "ask_transfer_to")


async def chosen(
    ctx: Context, uow: UnitOfWork, slots: Slots, prefix: str
) -> tuple[uuid.UUID | None, Account | None]:
    """(account id to write on, the account opened for it or None): opened in the write's own transaction;
    None for the id means the default account."""
    new = slots.get(f"{prefix}_new")
    if new and slots.get(f"{prefix}_decided") == "create":
        existing = await uow.accounts.list_for(ctx.user.id)
        same = [a for a in existing if a.name.casefold() == str(new["name"]).casefold()]
        if same:  # the same message again (a retry), or a name taken meanwhile: that account
            return same[0].id, None
        # "na conta da casa" from a household member opens the household's shared account.
        mine = await uow.households.membership(ctx.user.id) if slots.get("shared") else None
        cmd = AddAccount(
            user_id=ctx.user.id,
            name=str(new["name"]),
            kind=AccountKind(new["kind"]),
            household_id=None if mine is None else mine.household_id,
        )
        account = await services.open_account(cmd, uow, ctx.clock)
        return account.id, account
    picked = slots.get(f"{prefix}_id")
    return (uuid.UUID(str(picked)) if picked else None), None


def created_line(account: Account | None) -> list[Line]:
    if account is None:
        return []
    # A shared account is the household's: the reply says so, as every member sees it from now on.
    key = "account_created_house" if account.household_id is not None else "account_created"
    return [Line(key, {"account": account.name, "kind": Phrase(f"account_kind_{account.kind}")})]


__all__ = [
    "ACCOUNT",
    "FROM_ACCOUNT",
    "TO_ACCOUNT",
    "ask_later",
    "chosen",
    "created_line",
    "in_text",
    "options",
    "values",
]


@dataclass(frozen=True, slots=True)
class Recorded:
    """A transaction written on the account the form settled, with what the reply needs to name it."""

    result: RecordResult
    accounts: list[Account]
    """The user's accounts, the one opened for this write included (lines.account names it if several)."""
    opened: Account | None


async def record_on_account(
    form: str, ctx: Context, slots: Slots, cmd: RecordTransaction
) -> Recorded | Reply:
    """Write `cmd` on the account the slots name (opening a new one the user agreed to), reading the
    accounts in the write's own transaction; a Reply asking which account when the text names several."""
    async with ctx.uow() as uow:
        # Read in the write's own transaction, before it commits: after the commit it would cost a
        # transaction of its own. A default account the write may create matters only when there were
        # none, and a single account is not named in the reply anyway (lines.account).
        accounts = await uow.accounts.list_for(ctx.user.id)
        late = in_text(ctx, accounts, slots)
        if late.get("account_choices"):
            return ask_later(form, ctx, {**slots, **late})
        account_id, opened = await chosen(ctx, uow, {**slots, **late}, "account")
        result = await services.record_transaction(replace(cmd, account_id=account_id), uow, ctx.clock)
    return Recorded(result, [*accounts, opened] if opened else accounts, opened)
