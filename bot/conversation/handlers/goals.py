"""Savings goals by chat: start one (always confirmed), put money in or take it out (a transfer), progress."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from bot.conversation import forms, picking
from bot.conversation.context import Context
from bot.conversation.forms import Form, Reread, Slot, Slots, SlotValues
from bot.conversation.handlers import Handlers
from bot.conversation.handlers.ledger import slot_money
from bot.conversation.handlers.recurring import chosen, read_pick
from bot.conversation.reply import Line, Phrase, Reply, Written
from domain import goals
from domain.errors import Conflict, ValidationError
from domain.model import Goal, new_id
from domain.money import Money
from domain.periods import local_today
from nlu.normalize import fold

MAX_NAME = 40
"""A goal's name is its account's name too: kept short."""


def _has_name(slots: Slots) -> bool:
    return bool(slots.get("name"))


def _read_name(ctx: Context) -> SlotValues | Reply | None:
    """The answer to "what are you saving for?": the words as typed."""
    words = " ".join(ctx.message.text.split())
    return {"name": words[:MAX_NAME]} if words else None


def shown_name(name: str) -> str:
    return name[:1].upper() + name[1:]


AMOUNT = Slot("amount", "ask_amount_goal", forms.has_amount, forms.read_amount)
NAME = Slot("name", "ask_goal_name", _has_name, _read_name)
NEW_GOAL = Form("set_goal", (NAME, AMOUNT), confirm="always")


def status_line(status: goals.GoalStatus) -> Line:
    """Where a goal stands: saved of target, what is left, the monthly amount to arrive on time, the pace."""
    goal = status.goal
    values: dict[str, object] = {
        "name": goal.name,
        "saved": status.saved,
        "target": goal.target,
        "left": status.left,
    }
    if status.pace == "achieved":
        return Line("goal_line_achieved", values)
    if goal.target_date is None or status.monthly_needed is None:
        return Line("goal_line_no_date", values)
    values |= {
        "monthly": status.monthly_needed,
        "day": goal.target_date,
        "pace": Phrase(f"pace_{status.pace}"),
    }
    return Line("goal_line", values)


class NewGoalForm:
    form = NEW_GOAL

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        parse = ctx.understood
        values = {
            "amount": None if parse.amount is None else str(parse.amount),
            "currency": parse.currency if parse.currency != ctx.user.currency else None,
            "name": None if not parse.name else shown_name(parse.name)[:MAX_NAME],
            "date": None if parse.date is None else parse.date.isoformat(),
        }
        return {key: value for key, value in values.items() if value is not None}

    def _preview(self, ctx: Context, slots: Slots) -> goals.GoalStatus:
        """What the goal would need, worked out before it exists (the confirmation says it)."""
        money = slot_money(ctx, slots)
        today = local_today(ctx.clock, ctx.user.timezone)
        target = date.fromisoformat(slots["date"]) if slots.get("date") else None
        goal = Goal(new_id(), ctx.tenant.id, ctx.user.id, str(slots["name"]), money, new_id(), target)
        return goals.status_of(goal, Money.zero(money.currency), today, today)

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        preview = self._preview(ctx, slots)
        values = {"name": slots["name"], "amount": slot_money(ctx, slots)}
        if preview.monthly_needed is None:
            return Reply.say("confirm_goal_no_date", **values)
        day = date.fromisoformat(slots["date"])
        return Reply.say("confirm_goal", **values, day=day, monthly=preview.monthly_needed)

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        money = slot_money(ctx, slots)
        cmd = goals.CreateGoal(
            user_id=ctx.user.id,
            name=str(slots["name"]),
            target=Decimal(money.amount),
            currency=money.currency,
            target_date=date.fromisoformat(slots["date"]) if slots.get("date") else None,
        )
        try:
            async with ctx.uow() as uow:
                status = await goals.start_goal(cmd, uow, ctx.clock)
        except Conflict:
            return Reply.say("goal_name_taken", name=slots["name"])
        goal = status.goal
        if status.monthly_needed is None or goal.target_date is None:
            return Reply.say("goal_created_no_date", name=goal.name, amount=goal.target)
        return Reply.say(
            "goal_created",
            name=goal.name,
            amount=goal.target,
            day=goal.target_date,
            monthly=status.monthly_needed,
        )

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_goal")


async def _goals(ctx: Context) -> list[Goal]:
    """The user's open goals, by name: the order a numbered list shows and its answer picks from."""
    async with ctx.uow() as uow:
        found = await uow.goals.list_for(ctx.user.id)
    return sorted(found, key=lambda g: (g.name.casefold(), str(g.id)))


def _find(typed: str | None, found: list[Goal]) -> list[Goal]:
    """The goals a typed name points to; with no name, every goal (one goal needs no name)."""
    if not typed:
        return found
    return picking.matches(typed, [(g.name, g) for g in found])


async def _named(ctx: Context) -> list[Goal] | Reply:
    """The goals the message points to (at least one), or the reply that there are none or none of that
    name."""
    found = await _goals(ctx)
    if not found:
        return Reply.say("no_goals")
    matching = _find(ctx.understood.name, found)
    return matching or Reply.say("goal_not_found", name=ctx.understood.name)


async def _ask_which_goal(ctx: Context, slots: Slots) -> Reply:
    wanted = {str(g.id): g for g in await _goals(ctx)}
    shown = [
        Line("goal_option", {"number": n, "name": wanted[goal_id].name, "target": wanted[goal_id].target})
        for n, goal_id in enumerate(slots.get("options") or [], start=1)
        if goal_id in wanted
    ]
    return Reply(lines=(Line("ask_which_goal"), *shown))


WHICH_GOAL = Slot(
    "which", "ask_which_goal", lambda slots: chosen(slots, "goal_id") is not None, read_pick, _ask_which_goal
)


async def _pick_goal(ctx: Context) -> SlotValues | Reply:
    """goal_id when the message names one goal (or the user has one), options when several fit."""
    matching = await _named(ctx)
    if isinstance(matching, Reply):
        return matching
    if len(matching) == 1:
        return {"goal_id": str(matching[0].id)}
    return {"options": [str(g.id) for g in matching]}


class MoveForm:
    """goal_contribution (money into the goal's account) and goal_withdrawal (back out of it)."""

    def __init__(self, name: str, withdraw: bool) -> None:
        self.form = Form(name, (WHICH_GOAL, AMOUNT), confirm="when_unsure")
        self.withdraw = withdraw

    async def prefill(self, ctx: Context) -> SlotValues | Reply | Reread:
        picked = await _pick_goal(ctx)
        if isinstance(picked, Reply):
            if await self._names_an_account(ctx):
                # "coloquei 150 na caixinha" with no goal of that name but an account: a transfer into it.
                return Reread("transfer")
            return picked
        parse = ctx.understood
        if parse.amount is not None:
            picked["amount"] = str(parse.amount)
        return picked

    async def _names_an_account(self, ctx: Context) -> bool:
        """Whether the message names one of the user's accounts (no goal of theirs), with a transfer among the
        next readings ("caixinha" is both a goal word and a savings account's name)."""
        parse = ctx.understood
        if "transfer" not in [intent for intent, _ in parse.alternatives[:2]]:
            return False
        async with ctx.uow() as uow:
            accounts = await uow.accounts.list_for(ctx.user.id)
        words = f" {fold(ctx.message.text)} "
        return any(f" {fold(a.name)} " in words for a in accounts if not a.is_default)

    async def _goal(self, ctx: Context, slots: Slots) -> Goal | None:
        async with ctx.uow() as uow:
            return await uow.goals.get(uuid.UUID(str(chosen(slots, "goal_id"))))

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        goal = await self._goal(ctx, slots)
        if goal is None:
            return Reply.say("no_goals")
        key = "confirm_goal_withdrawal" if self.withdraw else "confirm_goal_contribution"
        return Reply.say(
            key, name=goal.name, amount=Money(Decimal(str(slots["amount"])), goal.target.currency)
        )

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        goal_id = uuid.UUID(str(chosen(slots, "goal_id")))
        cmd = goals.Contribute(
            goal_id=goal_id,
            amount=Decimal(str(slots["amount"])),
            withdraw=self.withdraw,
            source_ref=ctx.message.provider_message_id or None,
        )
        try:
            async with ctx.uow() as uow:
                result, status = await goals.contribute(cmd, uow, ctx.clock)
                accounts = {a.id: a.name for a in await uow.accounts.list_for(ctx.user.id)}
        except ValidationError as exc:
            if exc.reason == "more_than_saved":
                async with ctx.uow() as uow:
                    now = await goals.goal_status(goal_id, uow, ctx.clock)
                return Reply.say("goal_not_enough", name=now.goal.name, saved=now.saved)
            raise
        out, into = result.outgoing, result.incoming
        origin, target = accounts.get(out.account_id, "?"), accounts.get(into.account_id, "?")
        key = "goal_withdrawn" if self.withdraw else "goal_contributed"
        line = Line(
            key,
            {
                "amount": out.amount,
                "name": status.goal.name,
                "from": origin,
                "to": target,
                "day": out.occurred_on,
            },
        )
        written = (
            Written("transferred", out.id, out.amount, out.occurred_on, origin),
            Written("transferred", into.id, into.amount, into.occurred_on, target),
        )
        return Reply(lines=(line, status_line(status)), written=written if result.created else ())

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_goal_move")


async def goal_status(ctx: Context) -> Reply:
    matching = await _named(ctx)
    if isinstance(matching, Reply):
        return matching
    shown = []
    async with ctx.uow() as uow:
        for goal in matching:
            shown.append(status_line(await goals.goal_status(goal.id, uow, ctx.clock)))
    return Reply(lines=tuple(shown))


def register(handlers: Handlers) -> None:
    handlers.add_form(NewGoalForm())
    handlers.add_form(MoveForm("goal_contribution", withdraw=False))
    handlers.add_form(MoveForm("goal_withdrawal", withdraw=True))
    handlers.add_answer(["goal_status"], goal_status)
