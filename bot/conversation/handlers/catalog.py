"""What the assistant knows: the categories, listed in the reader's language."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.handlers import Handlers
from bot.conversation.reply import CategoryName, Line, Reply
from domain.model import CATEGORIES

INCOME_CATEGORIES = ("salary", "other_income")


async def list_categories(ctx: Context) -> Reply:
    """Expense categories, then income ones, each name as the reader's language writes it."""
    expenses = tuple(CategoryName(c) for c in CATEGORIES if c not in INCOME_CATEGORIES)
    income = tuple(CategoryName(c) for c in INCOME_CATEGORIES)
    return Reply(
        lines=(
            Line("categories_expense", {"names": expenses}),
            Line("categories_income", {"names": income}),
            Line("categories_hint"),
        )
    )


def register(handlers: Handlers) -> None:
    handlers.add_answer(["list_categories"], list_categories)
