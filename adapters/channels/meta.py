"""Meta WhatsApp Cloud API outbound channel over aiohttp."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import aiohttp

from adapters.channels.base import OutboundMessage, SendResult, log_result

log = logging.getLogger(__name__)

DEFAULT_GRAPH_BASE_URL = "https://graph.facebook.com/v21.0"
DEFAULT_TIMEOUT = 10.0
THROTTLING_CODES = frozenset({4, 80007, 130429, 131056})
"""Graph error codes for rate limits, sent with a 400 status but gone after a wait."""


def _default_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=DEFAULT_TIMEOUT))


def request_body(message: OutboundMessage) -> dict[str, Any]:
    """The Graph API JSON for one message: free-form text, or a template outside the 24-hour window."""
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        # The Cloud API takes the number as digits, without the leading "+".
        "to": message.to.removeprefix("whatsapp:").lstrip("+"),
    }
    template = message.template
    if template is None and message.media_url:
        body["type"] = "image"
        body["image"] = {"link": message.media_url, "caption": message.body[:CAPTION_MAX]}
        return body
    if template is None:
        body["type"] = "text"
        body["text"] = {"body": message.body}
        return body
    body["type"] = "template"
    body["template"] = {"name": template.name, "language": {"code": template.language}}
    if template.parameters:
        parameters = [{"type": "text", "text": value} for value in template.parameters]
        body["template"]["components"] = [{"type": "body", "parameters": parameters}]
    return body


CAPTION_MAX = 1024
"""The Cloud API's longest image caption; a chart's caption is a line or two."""


class MetaChannel:
    """adapters.channels.base.Channel over the WhatsApp Cloud API (`message.from_` is the phone_number_id)."""

    provider = "meta"

    def __init__(
        self,
        access_token: str,
        base_url: str | None = None,
        session_factory: Callable[[], aiohttp.ClientSession] = _default_session,
    ) -> None:
        self._token = access_token
        self._base = (base_url or DEFAULT_GRAPH_BASE_URL).rstrip("/")
        self._session_factory = session_factory
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Created lazily: a ClientSession belongs to the running loop, which does not exist at construction.
        if self._session is None or self._session.closed:
            self._session = self._session_factory()
        return self._session

    async def send(self, message: OutboundMessage) -> SendResult:
        if message.channel != "whatsapp":
            result = SendResult(None, "failed", "meta sends whatsapp only", retryable=False)
        else:
            result = await self._post(message)
        log_result(log, self.provider, message, result)
        return result

    async def _post(self, message: OutboundMessage) -> SendResult:
        url = f"{self._base}/{message.from_}/messages"
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            async with self._client().post(url, json=request_body(message), headers=headers) as response:
                status = response.status
                payload = await _json(response)
        except (TimeoutError, aiohttp.ClientError) as exc:
            return SendResult(None, "failed", f"meta unreachable: {type(exc).__name__}", retryable=True)
        if 200 <= status < 300:
            try:
                return SendResult(str(payload["messages"][0]["id"]), "sent")
            except (KeyError, IndexError, TypeError):
                return SendResult(None, "failed", f"meta {status}: no message id", retryable=False)
        error = payload.get("error", {}) if isinstance(payload, dict) else {}
        code = error.get("code") if isinstance(error, dict) else None
        retryable = status >= 500 or status == 429 or code in THROTTLING_CODES
        return SendResult(None, "failed", f"meta {status} code {code}", retryable=retryable)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _json(response: aiohttp.ClientResponse) -> Any:
    try:
        return await response.json(content_type=None)
    except ValueError:
        return None
