"""Bank and wallet notices forwarded as text ("Compra aprovada no cartão final 1234 R$ 45,90 em ..."): the
transaction they report, read with the patterns of locales/notices/<country>.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Notice:
    """What a bank or wallet notice says happened."""

    source: str
    """The format that read it: "<country>/<bank>/<name>" ("br/nubank/card_purchase"), or "generic"."""
    kind: str
    """ "expense" (a purchase, a payment, a Pix or transfer sent) or "income" (a transfer received)."""
    amount: Decimal
    currency: str
    """ISO 4217, from the notice (its sign or code), else the format's country's currency."""
    merchant: str | None
    """The payee or payer as the notice writes it ("SUPERMERCADO X", "UBER *TRIP", "João Silva")."""
    card: str | None
    """The card's or account's last digits ("1234"), when the notice gives them."""
    day: date | None
    """The day the notice states, its year resolved against `now` (never after it); None when unsaid."""


def read_notice(text: str, now: datetime) -> Notice | None:
    """The notice `text` is, or None when it is no bank notice (an ordinary chat message). Filled by issue
    14's notice formats."""
    return None
