"""Pending conversation flows (a follow-up question, a confirmation) and the words that steer them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

# Control words are exact whole-message matches after folding: they are commands, not sentences, and must
# work whatever the classifier thinks. Kept small; the NLU handles the open-ended phrasings.
# TODO: move these tables to locales/<lang>/ once the locale schema has a place for agent vocabulary.
CANCEL_WORDS = frozenset({"cancel", "cancelar", "cancela", "stop it", "never mind", "nevermind", "deixa"})
STOP_WORDS = frozenset({"stop", "unsubscribe", "parar", "para", "sair", "baja", "cancelar suscripcion"})
START_WORDS = frozenset({"start", "unstop", "subscribe", "voltar", "iniciar", "comenzar", "alta"})

_LANGUAGE_SWITCH = {
    "en": re.compile(r"\b(english|ingles)\b"),
    "es": re.compile(r"\b(espanol|spanish|castellano)\b"),
    "pt": re.compile(r"\b(portugues|portuguese)\b"),
}
_SWITCH_VERBS = re.compile(
    r"\b(speak|talk|reply|answer|write|in|em|en|fala|falar|fale|habla|hablar|hable|"
    r"responde|responda|por favor|please)\b"
)

INTENT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "add_expense": "record an expense",
        "add_income": "record income",
        "balance": "see your balance",
        "list_transactions": "list transactions",
        "spending_summary": "a spending summary",
        "set_budget": "set a budget",
        "budget_status": "check your budgets",
        "undo": "undo the last one",
        "edit_last": "change the last one",
        "help": "help",
    },
    "es": {
        "add_expense": "anotar un gasto",
        "add_income": "anotar un ingreso",
        "balance": "ver tu saldo",
        "list_transactions": "ver tus movimientos",
        "spending_summary": "un resumen de gastos",
        "set_budget": "crear un presupuesto",
        "budget_status": "ver tus presupuestos",
        "undo": "deshacer el último",
        "edit_last": "cambiar el último",
        "help": "ayuda",
    },
    "pt": {
        "add_expense": "anotar um gasto",
        "add_income": "anotar uma entrada",
        "balance": "ver seu saldo",
        "list_transactions": "ver suas transações",
        "spending_summary": "um resumo de gastos",
        "set_budget": "criar um orçamento",
        "budget_status": "ver seus orçamentos",
        "undo": "desfazer o último",
        "edit_last": "mudar o último",
        "help": "ajuda",
    },
}

ALL_SPENDING = {"en": "total", "es": "total", "pt": "total"}
"""Shown name of a budget over all spending (category None)."""


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation dropped, spaces collapsed: "¡Cancelar!" -> "cancelar"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


def is_cancel(text: str) -> bool:
    return fold(text) in CANCEL_WORDS


def is_stop(text: str) -> bool:
    return fold(text) in STOP_WORDS


def is_start(text: str) -> bool:
    return fold(text) in START_WORDS


def language_request(text: str) -> str | None:
    """The language a message asks to be answered in ("speak english", "fala português"), else None."""
    folded = fold(text)
    if len(folded.split()) > 5:
        return None
    found = [lang for lang, pattern in _LANGUAGE_SWITCH.items() if pattern.search(folded)]
    if len(found) != 1:
        return None
    # A bare language name also counts ("español"); otherwise a verb or preposition must go with it.
    if len(folded.split()) == 1 or _SWITCH_VERBS.search(folded):
        return found[0]
    return None


@dataclass(slots=True)
class Pending:
    """A flow waiting for the user's next message."""

    kind: str
    """"follow_up" (a missing part was asked for) or "confirm" (a yes/no before a destructive action)."""
    intent: str
    """The intent the flow completes: add_expense, add_income, set_budget, undo, edit_last."""
    data: dict[str, Any] = field(default_factory=dict)
    """What is known so far, JSON-ready: merchant, category, date, currency, transaction_id, amount..."""

    def to_state(self) -> dict[str, Any]:
        return {"pending": asdict(self)}

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> Pending | None:
        raw = (state or {}).get("pending")
        if not isinstance(raw, dict) or raw.get("kind") not in ("follow_up", "confirm"):
            return None
        data = raw.get("data")
        return cls(
            kind=str(raw["kind"]),
            intent=str(raw.get("intent", "")),
            data=data if isinstance(data, dict) else {},
        )
