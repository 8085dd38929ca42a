"""The text of a bill's reminder push ("Amanhã: aluguel R$ 1.800,00, conta corrente")."""

from __future__ import annotations

from bot.conversation.reply import CategoryName, Line
from domain.events import BillDue
from domain.model import CATEGORIES


def bill_line(event: BillDue) -> Line:
    """The reminder as a reply line: the bill's name (a category in the reader's language), its amount for
    the reader's locale, and the account it is paid from when one is known."""
    # A rule with neither merchant nor words of its own is named by its category key (domain.bills.bill_name).
    name: object = CategoryName(event.name) if event.name in CATEGORIES else event.name
    if event.account:
        return Line("bill_due", {"name": name, "amount": event.amount, "account": event.account})
    return Line("bill_due_no_account", {"name": name, "amount": event.amount})
