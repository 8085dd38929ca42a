"""bot.conversation: folding, control words merged across languages, the label mappings and Pending state."""

from __future__ import annotations

import pytest

from bot.conversation import (
    ALL_SPENDING,
    INTENT_LABELS,
    Pending,
    fold,
    is_cancel,
    is_help,
    is_start,
    is_stop,
    language_request,
)


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
    pending = Pending(kind="follow_up", intent="add_expense", data={"merchant": "Uber"})
    assert Pending.from_state(pending.to_state()) == pending


@pytest.mark.parametrize(
    "state",
    [None, {}, {"pending": "x"}, {"pending": {"kind": "other"}}],
)
def test_pending_from_unusable_state_is_none(state: dict | None) -> None:
    assert Pending.from_state(state) is None
