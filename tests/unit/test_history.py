"""An alert's state from the dispatcher's outcome, or from its deliveries when no outcome was stored."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from domain.history import SKIP_REASONS, Delivery, alert_state

AT = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)


def delivery(accepted: bool) -> Delivery:
    return Delivery(
        id=uuid.uuid4(),
        channel="sms",
        provider="twilio",
        provider_message_id="SM1" if accepted else None,
        status="delivered" if accepted else "failed",
        error=None if accepted else "21610",
        created_at=AT,
        updated_at=AT,
    )


@pytest.mark.parametrize(
    ("outcome", "state"),
    [("sent", "sent"), ("failed", "given_up"), ("gave_up_error", "given_up")]
    + [(reason, "skipped") for reason in SKIP_REASONS],
)
def test_the_outcome_decides(outcome: str, state: str) -> None:
    assert alert_state(True, outcome, [delivery(False)]) == state


def test_unsettled_is_pending_whatever_was_tried() -> None:
    assert alert_state(False, None, []) == "pending"
    assert alert_state(False, None, [delivery(False)]) == "pending"


def test_without_an_outcome_the_deliveries_decide() -> None:
    assert alert_state(True, None, [delivery(False), delivery(True)]) == "sent"
    assert alert_state(True, None, [delivery(False)]) == "given_up"
    assert alert_state(True, None, []) == "skipped"
