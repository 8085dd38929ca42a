"""Currency questions ("899 euros in dollars"): answered at a configured source's rate, or honestly not."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.handlers import Answer, Handlers
from bot.conversation.reply import Reply
from domain.exchange import convert
from domain.money import Money
from domain.periods import local_today
from domain.ports import ExchangeRates


def conversion(rates: ExchangeRates | None) -> Answer:
    """The convert_currency answer over a rate source; None (today's configuration) has no rates, and the
    reply says so instead of inventing one."""

    async def answer(ctx: Context) -> Reply:
        parse = ctx.understood
        quote = parse.value or ctx.user.currency
        if parse.amount is None:
            return Reply.say("no_exchange_rate_plain", currency=quote)
        money = Money(parse.amount, parse.currency or ctx.user.currency)
        if money.currency == quote:
            return Reply.say("same_currency", amount=money, currency=quote)
        found = await convert(money, quote, local_today(ctx.clock, ctx.user.timezone), rates)
        if found is None:
            return Reply.say("no_exchange_rate", amount=money, currency=quote)
        return Reply.say(
            "converted", amount=found.original, converted=found.converted, rate=found.rate, day=found.on
        )

    return answer


def register(handlers: Handlers, rates: ExchangeRates | None = None) -> None:
    handlers.add_answer(["convert_currency"], conversion(rates))
