"""bot.conversation.control and pending: folding, control words across languages, labels, Pending state."""

from __future__ import annotations

import pytest

from bot.conversation.control import (
    ALL_SPENDING,
    INTENT_LABELS,
    chosen_intent,
    fold,
    is_cancel,
    is_help,
    is_start,
    is_stop,
    is_thanks,
    language_request,
)
from bot.conversation.pending import Pending


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("¡Cancelar!", "cancelar"),
        ("  CANCELAR   INSCRIÇÃO ", "cancelar inscricao"),
        ("Português?", "portugues"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_control_words_of_every_language_work_for_everyone() -> None:
    # A Spanish user typing the English carrier word must be opted out, and so on in every direction.
    assert is_stop("stop") and is_stop("BAJA") and is_stop("sair")
    assert is_start("start") and is_start("alta") and is_start("voltar")
    assert is_help("help") and is_help("ayuda") and is_help("ajuda")


def test_cancel_leaves_a_flow_and_is_not_an_opt_out() -> None:
    for word in ("cancel", "cancelar", "cancela"):
        assert is_cancel(word) and not is_stop(word)


def test_control_words_are_whole_messages() -> None:
    assert not is_stop("stop the budget") and not is_help("help me") and not is_cancel("cancel my budget")


def test_language_request_needs_only_request_words() -> None:
    assert language_request("responde em português") == "pt"
    assert language_request("spent 20 in english class") is None


def test_label_mappings_are_read_only_and_answer_like_dicts() -> None:
    assert INTENT_LABELS["en"]["add_expense"] == "record an expense"
    assert INTENT_LABELS.get("xx", INTENT_LABELS["en"]) is INTENT_LABELS["en"]
    assert "pt" in INTENT_LABELS and set(INTENT_LABELS) == {"en", "es", "pt"}
    assert ALL_SPENDING.get("es", "?") == "total"
    with pytest.raises(TypeError):
        INTENT_LABELS["en"]["help"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        ALL_SPENDING["en"] = "x"  # type: ignore[index]


def test_pending_round_trips_through_state() -> None:
    pending = Pending("add_expense", "payee", {"amount": "7", "merchant": None}, confirm=True, misses=1)
    assert Pending.from_json(pending.to_json()) == pending


@pytest.mark.parametrize(
    "state",
    [
        None,
        {},
        {"pending": "x"},
        {"format": 2, "pending": {"form": "add_expense"}},
        # Written by the code before forms: ignored rather than misread.
        {"pending": {"kind": "follow_up", "intent": "add_expense", "data": {}}},
    ],
)
def test_pending_from_unusable_state_is_none(state: dict | None) -> None:
    assert Pending.from_json(state) is None


@pytest.mark.parametrize("text", ["thanks!!", "Obrigado", "valeu", "gracias", "bye", "tchau"])
def test_thanks_and_goodbyes_are_never_a_cancel(text: str) -> None:
    assert is_thanks(text)
    assert not is_cancel(text)


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("gasto", "add_expense"),
        ("1", "add_expense"),
        ("2", "add_income"),
        ("ingreso", "add_income"),
        ("foi uma despesa", "add_expense"),
        ("recebi", "add_income"),
        ("sei la", None),
        ("3", None),
    ],
)
def test_an_answer_picks_one_of_the_offered_intents(text: str, chosen: str | None) -> None:
    assert chosen_intent(text, ("add_expense", "add_income")) == chosen
