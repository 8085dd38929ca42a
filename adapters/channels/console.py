"""Console outbound channel for the embedded mode: logs each message and keeps it in memory."""

from __future__ import annotations

import logging
import uuid

from adapters.channels.base import OutboundMessage, SendResult, log_fields, log_result

log = logging.getLogger(__name__)


class ConsoleChannel:
    """adapters.channels.base.Channel that sends nothing; the embedded mode reads `sent` (and stores it)."""

    provider = "console"

    def __init__(self) -> None:
        self.sent: list[tuple[str, OutboundMessage]] = []
        """(generated message id, message), oldest first."""

    async def send(self, message: OutboundMessage) -> SendResult:
        message_id = f"console-{uuid.uuid4().hex}"
        self.sent.append((message_id, message))
        result = SendResult(message_id, "sent")
        log_result(log, self.provider, message, result)
        # The text only at DEBUG: INFO logs must never carry what people wrote or were told.
        log.debug(
            "console message to %s: %s",
            message.to,
            message.body,
            extra=dict(log_fields(message, provider_message_id=message_id, media_url=message.media_url)),
        )
        return result

    async def close(self) -> None:
        """Nothing to release; kept for the Channel protocol."""
