"""Households in the chat: invitations and consent, leaving, removing, splits, who owes what, settling up."""

from __future__ import annotations

import nlu
from bot.conversation import days, forms, lines, phones
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slot, Slots, SlotValues
from bot.conversation.handlers import Answer, Handlers
from bot.conversation.handlers.ledger import message_slots, record_command, slot_day, slot_money
from bot.conversation.reply import CategoryName, Line, Reply
from domain import households as hh
from domain.commands import (
    AnswerInvitation,
    InviteMember,
    LeaveHousehold,
    RemoveMember,
    SettleUp,
    SplitExpense,
)
from domain.errors import ValidationError
from domain.model import TransactionKind
from domain.money import Money
from domain.ports import UnitOfWork

NOT_IN_HOUSEHOLD = "household_none"

# -- invitations -------------------------------------------------------------------------------------------


def read_phone(ctx: Context) -> SlotValues | None:
    """The answer to "what is their number?": a phone number written any usual way."""
    phone = phones.find_phone(ctx.message.text, ctx.user.phone)
    return None if phone is None else {"phone": phone}


async def ask_phone(ctx: Context, slots: Slots) -> Reply:
    return Reply.say("ask_invite_phone", who=slots.get("label") or "?")


PHONE = Slot(
    "phone", "ask_invite_phone", lambda slots: bool(slots.get("phone")), read_phone, question=ask_phone
)
INVITE = Form("household_invite", (PHONE,))


class InviteForm:
    """ "add my wife +55 11 9…": the number is asked when not given; the invitee consents by a reply."""

    form = INVITE

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        parse = ctx.understood
        # The number as written, made international with the user's own country ("11 91234-5678" from a
        # Brazilian number is +55 11 ...): the message's text first, the NLU's digits only when it has none.
        phone = phones.find_phone(ctx.message.text, ctx.user.phone)
        if phone is None and parse.phone:
            phone = phones.find_phone(parse.phone, ctx.user.phone)
        values = {"phone": phone, "label": parse.person}
        return {name: value for name, value in values.items() if value}

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("confirm_invite", who=_invitee(slots), phone=slots["phone"])

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        cmd = InviteMember(user_id=ctx.user.id, phone=slots["phone"], label=slots.get("label"))
        try:
            async with ctx.uow() as uow:
                done = await hh.invite(cmd, ctx.tenant, uow, ctx.clock)
        except ValidationError as exc:
            if exc.field != "phone":
                raise
            return Reply.say("invite_bad_phone", phone=slots["phone"])
        who = _invitee(slots)
        key = {
            "invited": "household_invited",
            "invited_again": "household_invited_again",
            "already_member": "household_already_member",
            "in_another_household": "household_in_another",
            "self": "household_invite_self",
        }[done.outcome]
        return Reply.say(key, who=who, phone=slots["phone"])

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_invite")


def _invitee(slots: Slots) -> str:
    return str(slots.get("label") or slots.get("phone") or "?")


async def answer_invitation(ctx: Context, accept: bool) -> Reply | None:
    """The invitee's yes or no to a waiting invitation; None when none is waiting."""
    async with ctx.uow() as uow:
        if await uow.households.invitation(ctx.user.id) is None:
            return None
        answered = await hh.answer_invitation(AnswerInvitation(ctx.user.id, accept), uow, ctx.clock)
    if answered.outcome == "joined":
        others = [name for name in answered.members if name != answered.inviter]
        if not others:
            return Reply.say("household_joined_two", inviter=answered.inviter or "?")
        return Reply.say("household_joined", inviter=answered.inviter or "?", members=", ".join(others))
    if answered.outcome == "declined":
        return Reply.say("household_declined", inviter=answered.inviter or "?")
    return Reply.say("household_in_another_own")


def answering_invitations(fallback: Answer) -> Answer:
    """A bare yes / no with no form waiting answers an invitation first, else `fallback` answers it."""

    async def answer(ctx: Context) -> Reply:
        if ctx.understood.intent in ("affirm", "deny"):
            answered = await answer_invitation(ctx, ctx.understood.intent == "affirm")
            if answered is not None:
                return answered
        return await fallback(ctx)

    return answer


async def join(ctx: Context) -> Reply:
    return await answer_invitation(ctx, True) or Reply.say("household_no_invitation")


# -- membership --------------------------------------------------------------------------------------------


async def members(ctx: Context) -> Reply:
    async with ctx.uow() as uow:
        found = await hh.my_household(uow, ctx.user.id)
        invited = []
        if found is not None:
            for member in await uow.households.members(found[0].household_id, active_only=False):
                user = await uow.users.get(member.user_id)
                if member.status.value == "invited" and user is not None:
                    invited.append(hh.display_name(user, member))
    if found is None:
        return Reply.say(NOT_IN_HOUSEHOLD)
    names = [p.name for p in found[1] if p.user.id != ctx.user.id]
    shown = [Line("household_members", {"names": ", ".join(names)}) if names else Line("household_alone")]
    if invited:
        shown.append(Line("household_waiting", {"names": ", ".join(invited)}))
    return Reply(lines=tuple(shown))


LEAVE = Form("household_leave", confirm="always")


class LeaveForm:
    form = LEAVE

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        async with ctx.uow() as uow:
            if await uow.households.membership(ctx.user.id) is None:
                return Reply.say(NOT_IN_HOUSEHOLD)
        return {"leave": True}

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("confirm_leave")

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        async with ctx.uow() as uow:
            gone = await hh.leave(LeaveHousehold(ctx.user.id), uow, ctx.clock)
        if gone.outcome != "left":
            return Reply.say(NOT_IN_HOUSEHOLD)
        return Reply(lines=(Line("household_left"), *balance_lines(gone.balances)))

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_leave")


def read_member(ctx: Context) -> SlotValues | None:
    person = nlu.person_answer(ctx.message.text, ctx.understood.lang)
    return None if person is None else {"who": person}


WHO = Slot("who", "ask_member", lambda slots: bool(slots.get("who")), read_member)
REMOVE = Form("household_remove", (WHO,), confirm="always")


class RemoveForm:
    form = REMOVE

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        async with ctx.uow() as uow:
            if await uow.households.membership(ctx.user.id) is None:
                return Reply.say(NOT_IN_HOUSEHOLD)
        return {"who": ctx.understood.person} if ctx.understood.person else {}

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("confirm_remove", who=slots["who"])

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        async with ctx.uow() as uow:
            gone = await hh.remove(RemoveMember(ctx.user.id, slots["who"]), uow, ctx.clock)
        return Reply.say(_OUTCOMES[gone.outcome], who=gone.who or slots["who"])

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_remove", who=slots.get("who") or "?")


_OUTCOMES = {
    "removed": "household_removed",
    "not_in_household": NOT_IN_HOUSEHOLD,
    "no_such_member": "household_no_such_member",
    "ambiguous": "household_ambiguous",
    "not_owner": "household_not_owner",
    "self": "household_remove_self",
}

# -- splitting ---------------------------------------------------------------------------------------------

SPLIT = Form("split_expense", (forms.AMOUNT, days.DAY, forms.PAYEE), confirm="always")


class SplitForm:
    """ "paguei 120 do jantar, dividido com a Ana": the payer's expense and each member's equal part, stated
    and confirmed before anything is written (it writes what someone else owes)."""

    form = SPLIT

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        slots = message_slots(ctx)
        slots["people"] = list(ctx.understood.people)
        if ctx.understood.shares is not None:
            slots["shares"] = ctx.understood.shares
        # Who it is shared with is settled before anything is asked: a name that is nobody in the household
        # or parts that do not add up end the split here, said, with nothing left waiting.
        async with ctx.uow() as uow:
            sharing = await _sharing(ctx, uow, slots)
        return sharing if isinstance(sharing, Reply) else slots

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        money = slot_money(ctx, slots)
        async with ctx.uow() as uow:
            sharing = await _sharing(ctx, uow, slots)
        if isinstance(sharing, Reply):
            return sharing  # the household changed since the message (someone left)
        owed = hh.equal_parts(money, len(sharing) + 1)[1:]  # the first part is the payer's own
        head = Line("confirm_split", {"amount": money, "label": _label(slots), "day": slot_day(ctx, slots)})
        parts = [
            Line("split_part", {"who": p.name, "amount": part}) for p, part in zip(sharing, owed, strict=True)
        ]
        return Reply(lines=(head, *parts, Line("yes_no")))

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        expense = record_command(ctx, slots, TransactionKind.EXPENSE)
        cmd = SplitExpense(expense, tuple(slots.get("people") or ()), slots.get("shares"))
        async with ctx.uow() as uow:
            done = await hh.split_expense(cmd, uow, ctx.clock)
        if done.outcome != "split" or done.record is None:
            # The household changed between the question and the yes (someone left): said, nothing written.
            async with ctx.uow() as uow:
                refused = await _sharing(ctx, uow, slots)
            return refused if isinstance(refused, Reply) else Reply.say("split_not_in_household")
        txn = done.record.transaction
        line, written = lines.recorded(txn)
        shown = [line, *(Line("split_owes", {"who": who, "amount": part}) for who, part in done.parts)]
        shown += [lines.budget(status) for status in done.record.budgets]
        shown += [lines.alert(crossing) for crossing in done.record.crossings]
        if done.record.low_balance is not None:
            shown.append(lines.low_balance_line(done.record.low_balance))
        return Reply(lines=tuple(shown), written=(written,) if done.record.created else ())

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        if slots.get("amount") is None:
            return Reply.say("dropped_split_no_amount")
        return Reply.say("dropped_split", amount=slot_money(ctx, slots))


async def _sharing(ctx: Context, uow: UnitOfWork, slots: Slots) -> list[hh.Person] | Reply:
    """The members a split is shared with (domain.households.sharing, the rule the write applies), or the
    reply refusing it."""
    shared = await hh.sharing(uow, ctx.user.id, slots.get("people") or (), slots.get("shares"))
    if shared.outcome == "ok":
        return list(shared.members)
    if shared.outcome == "shares_mismatch":
        return Reply.say("split_shares_mismatch", parts=slots.get("shares"), people=len(shared.members) + 1)
    return Reply.say(_SPLIT_REFUSALS[shared.outcome], who=shared.who or "?")


_SPLIT_REFUSALS = {
    "not_in_household": "split_not_in_household",
    "alone": "split_alone",
    "no_such_member": "household_no_such_member",
    "ambiguous": "household_ambiguous",
}


def _label(slots: Slots) -> object:
    return slots.get("merchant") or CategoryName(slots.get("category") or "other")


# -- who owes what, settling up ----------------------------------------------------------------------------


def balance_lines(balances: tuple[hh.Balance, ...] | list[hh.Balance]) -> list[Line]:
    shown = []
    for balance in balances:
        for amount in balance.net.values():
            if amount.amount > 0:
                shown.append(Line("owe_they", {"who": balance.who, "amount": amount}))
            else:
                shown.append(
                    Line("owe_you", {"who": balance.who, "amount": Money(-amount.amount, amount.currency)})
                )
    return shown


async def owe(ctx: Context) -> Reply:
    async with ctx.uow() as uow:
        mine = await uow.households.membership(ctx.user.id)
        if mine is None:
            return Reply.say(NOT_IN_HOUSEHOLD)
        found = await hh.balances(uow, ctx.user, mine.household_id)
    person = ctx.understood.person
    if person:
        named = {b.user_id for b in found if hh.same_person(b.who, person)}
        if not named:
            return Reply.say("household_no_such_member", who=person)
        found = [b for b in found if b.user_id in named]
        if all(b.even for b in found):
            return Reply.say("owe_even", who=found[0].who)
    shown = balance_lines([b for b in found if not b.even])
    return Reply(lines=tuple(shown)) if shown else Reply.say("owe_all_even")


SETTLE = Form("settle_up", confirm="always")


class SettleForm:
    form = SETTLE

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        async with ctx.uow() as uow:
            mine = await uow.households.membership(ctx.user.id)
            if mine is None:
                return Reply.say(NOT_IN_HOUSEHOLD)
            found = await hh.balances(uow, ctx.user, mine.household_id)
        person = ctx.understood.person
        if person:
            named = [b for b in found if hh.same_person(b.who, person)]
            if not named:
                return Reply.say("household_no_such_member", who=person)
            found = named
        owed = [b for b in found if not b.even]
        if not owed:
            return Reply.say("owe_even", who=found[0].who) if person and found else Reply.say("owe_all_even")
        return {"who": person, "balances": [[b.who, str(b.user_id)] for b in owed]}

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        async with ctx.uow() as uow:
            mine = await uow.households.membership(ctx.user.id)
            found = [] if mine is None else await hh.balances(uow, ctx.user, mine.household_id)
        ids = {uid for _, uid in slots["balances"]}
        owed = [b for b in found if str(b.user_id) in ids and not b.even]
        return Reply(lines=(Line("confirm_settle"), *balance_lines(owed), Line("yes_no")))

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        cmd = SettleUp(ctx.user.id, slots.get("who"), ctx.message.provider_message_id or None)
        async with ctx.uow() as uow:
            done = await hh.settle_up(cmd, uow, ctx.clock)
        if done.outcome == "already_even":
            return Reply.say("owe_all_even")
        if done.outcome != "settled":
            return Reply.say(_OUTCOMES.get(done.outcome, NOT_IN_HOUSEHOLD), who=done.who or "?")
        # What was recorded, per person and currency: who paid whom how much, so the two are even.
        shown = [
            Line(
                "settled_they" if net.amount > 0 else "settled_you",
                {"who": b.who, "amount": Money(abs(net.amount), net.currency)},
            )
            for b in done.settled
            for net in b.net.values()
        ]
        return Reply(lines=tuple(shown))

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_settle")


def register(handlers: Handlers) -> None:
    handlers.add_form(InviteForm())
    handlers.add_form(LeaveForm())
    handlers.add_form(RemoveForm())
    handlers.add_form(SplitForm())
    handlers.add_form(SettleForm())
    handlers.add_answer(["household_join"], join)
    handlers.add_answer(["household_members"], members)
    handlers.add_answer(["owe_balance"], owe)
    handlers.add_answer(["affirm", "deny"], answering_invitations(handlers.answer("affirm")))
