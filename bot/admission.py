"""How much webhook work one process takes on at once: process a message, hold it for the worker, or refuse.

Under a burst the event loop would otherwise start every request and answer all of them late (the latency of
each grows with the number in flight, past the provider's timeout). Instead:
- up to `process_limit` messages are processed at once, inline;
- past that, a message is only stored, pending, and the webhook answers at once with no reply; the worker
  answers it through the provider's API within its polling interval (nothing lost, nothing in memory);
- past `hold_limit` requests in flight, even storing waits too long: 503 with Retry-After, before anything is
  read from the database (Meta retries; Twilio retries when its webhook URL asks for it, see README).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Decision = Literal["process", "hold", "refuse"]


@dataclass(slots=True)
class Admission:
    """Counts the webhook work in flight in this process (one event loop: no lock needed)."""

    process_limit: int
    """Settings.webhook_process_limit."""
    hold_limit: int
    """Settings.webhook_hold_limit."""
    processing: int = 0
    """Messages being processed (a request cut at its deadline keeps its message here until it is done)."""
    requests: int = 0
    """Webhook requests being handled, processing or holding."""

    def decide(self) -> Decision:
        if self.requests >= self.hold_limit:
            return "refuse"
        return "hold" if self.processing >= self.process_limit else "process"
