"""The agent's handler registry: intent -> answer (questions, small talk), form name -> form handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from bot.conversation.context import Context
from bot.conversation.forms import FormHandler
from bot.conversation.reply import Reply
from domain.ports import ExchangeRates

Answer = Callable[[Context], Awaitable[Reply]]
"""Answers a message that writes nothing (a question, a greeting)."""


class Handlers:
    """One registry per agent, filled by each handler module's `register`; no module-level state."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.forms: dict[str, FormHandler] = {}

    def add_answer(self, intents: Iterable[str], answer: Answer) -> None:
        for intent in intents:
            self.answers[intent] = answer

    def add_form(self, handler: FormHandler, *names: str) -> None:
        """Register `handler` under its form's name and under any intent that starts it."""
        for name in (handler.form.name, *names):
            self.forms[name] = handler

    def answer(self, intent: str) -> Answer:
        """The answer of an intent; an intent without one gets "unknown" (what the assistant can do)."""
        return self.answers.get(intent) or self.answers["unknown"]

    def form(self, name: str) -> FormHandler | None:
        return self.forms.get(name)


def default_handlers(rates: ExchangeRates | None = None) -> Handlers:
    """Every handler of the assistant; `rates` is the exchange-rate source (none is configured today)."""
    from bot.conversation.handlers import (
        bills,
        budget_removal,
        budgets,
        catalog,
        charts,
        corrections,
        debts,
        exchange,
        goals,
        households,
        insights,
        items,
        ledger,
        queries,
        recurring,
        settings,
        smalltalk,
        transfers,
    )

    handlers = Handlers()
    for module in (
        ledger,
        items,
        corrections,
        budgets,
        recurring,
        bills,
        goals,
        queries,
        insights,
        charts,
        smalltalk,
        settings,
        budget_removal,
        catalog,
        transfers,
        debts,
        households,  # after smalltalk: a bare yes / no answers a household invitation first
    ):
        module.register(handlers)
    exchange.register(handlers, rates)
    return handlers


__all__ = ["Answer", "Handlers", "default_handlers"]
