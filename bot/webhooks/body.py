"""Read a webhook body within a size limit and a deadline, before the signature can be checked.

aiohttp's request.read() buffers up to client_max_size (1 MB) and waits as long as the sender trickles, so
300 slow unsigned uploads held 300 MB. Here the declared Content-Length is refused before a byte is read,
a chunked body is read only up to the limit, and the whole read must finish within the deadline: what one
connection can make us hold is `limit` bytes for `deadline` seconds.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.webhooks.inbound import PayloadTooLarge, WebhookError

# Providers send the whole body at once, right after the headers; Twilio gives up after 15 s anyway.
READ_DEADLINE_S = 5.0


class RequestTimeout(WebhookError):
    """The body did not arrive within the read deadline: 408."""

    def __init__(self, reason: str) -> None:
        super().__init__(408, reason)


async def read_bounded(request: web.Request, limit: int, deadline_s: float = READ_DEADLINE_S) -> bytes:
    """The body, at most `limit` bytes (413 beyond, from Content-Length or while reading), within `deadline_s`
    (408 after)."""
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(deadline_s):
            while size <= limit:
                chunk = await request.content.read(limit + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except TimeoutError:
        raise RequestTimeout(f"body not received within {deadline_s:g} s") from None
    if size > limit:
        raise PayloadTooLarge(f"body is larger than {limit} bytes")
    return b"".join(chunks)
