"""Twilio outbound channel (WhatsApp and SMS) through the SDK's async HTTP client."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from twilio.base.exceptions import TwilioException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from adapters.channels.base import OutboundMessage, SendResult, SendStatus, log_result

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
"""Seconds per request; a slow Twilio must not hold an alert worker forever."""
NOT_RETRYABLE_STATUSES = frozenset({400, 401, 403, 404, 409, 422})
"""429 and 5xx are left out on purpose: they pass with time."""


class RoutedHttpClient(AsyncTwilioHttpClient):
    """AsyncTwilioHttpClient that can send every request to another scheme+host.

    The SDK builds absolute URLs from hard-coded domains (https://api.twilio.com, with edge/region rewriting);
    the HTTP client is the one seam that sees every URL, so the override rewrites scheme and host there and
    keeps the path and query. Tests point it at a local fake; deployers at a Twilio-compatible gateway.
    """

    def __init__(self, base_url: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        # pool_connections=False: the SDK would create its ClientSession here, possibly outside a running
        # loop; ours is created on first use instead and reused until close().
        super().__init__(pool_connections=False, timeout=timeout)
        self._base = urlsplit(base_url.rstrip("/")) if base_url else None
        self._own_session: aiohttp.ClientSession | None = None

    def route(self, url: str) -> str:
        if self._base is None:
            return url
        parts = urlsplit(url)
        path = self._base.path + parts.path
        return urlunsplit((self._base.scheme, self._base.netloc, path, parts.query, parts.fragment))

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the SDK's signature
        allow_redirects: bool = False,
    ) -> Response:
        if self._own_session is None or self._own_session.closed:
            self._own_session = aiohttp.ClientSession()
        self.session = self._own_session
        if auth is not None:
            # As a header: the SDK passes aiohttp's deprecated BasicAuth, which warns on every call.
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            headers = {**(headers or {}), "Authorization": f"Basic {token}"}
        # The SDK ignores the constructor's timeout on the async path unless it is passed per request.
        return await super().request(
            method,
            self.route(url),
            params=params,
            data=data,
            headers=headers,
            auth=None,
            timeout=timeout if timeout is not None else self.timeout,
            allow_redirects=allow_redirects,
        )

    async def close(self) -> None:
        if self._own_session is not None:
            await self._own_session.close()
        self._own_session = None
        self.session = None  # type: ignore[assignment]


def _address(channel: str, number: str) -> str:
    if channel == "whatsapp" and not number.startswith("whatsapp:"):
        return f"whatsapp:{number}"
    return number


class TwilioChannel:
    """adapters.channels.base.Channel over Twilio's Messages API."""

    provider = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        base_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        status_callback: str | None = None,
    ) -> None:
        self._http = RoutedHttpClient(base_url, timeout=timeout)
        self._client = Client(account_sid, auth_token, http_client=self._http)
        self._status_callback = status_callback
        """Where Twilio posts sent/delivered/read/failed for each message (our /webhooks/twilio/status)."""

    async def send(self, message: OutboundMessage) -> SendResult:
        kwargs: dict[str, Any] = {
            "to": _address(message.channel, message.to),
            "from_": _address(message.channel, message.from_),
        }
        if self._status_callback:
            kwargs["status_callback"] = self._status_callback
        if message.template is not None:
            # Outside WhatsApp's 24-hour window only approved Content API templates are delivered.
            kwargs["content_sid"] = message.template.content_sid or message.template.name
            variables = {str(i): value for i, value in enumerate(message.template.parameters, start=1)}
            kwargs["content_variables"] = json.dumps(variables)
        else:
            kwargs["body"] = message.body
            if message.media_url:
                kwargs["media_url"] = [message.media_url]  # Twilio fetches it from our /media/ route
        result = await self._create(kwargs)
        log_result(log, self.provider, message, result)
        return result

    async def _create(self, kwargs: dict[str, Any]) -> SendResult:
        try:
            created = await self._client.messages.create_async(**kwargs)
        except TwilioException as exc:
            status = getattr(exc, "status", None)
            code = getattr(exc, "code", None)
            retryable = not (isinstance(status, int) and status in NOT_RETRYABLE_STATUSES)
            return SendResult(None, "failed", f"twilio {status} code {code}", retryable=retryable)
        except (TimeoutError, aiohttp.ClientError) as exc:
            return SendResult(None, "failed", f"twilio unreachable: {type(exc).__name__}", retryable=True)
        status = created.status or "queued"
        mapped: SendStatus = "sent" if status in ("sent", "delivered", "read") else "queued"
        if status in ("failed", "undelivered"):
            return SendResult(created.sid, "failed", f"twilio status {status}", retryable=False)
        return SendResult(created.sid, mapped)

    async def close(self) -> None:
        await self._http.close()
