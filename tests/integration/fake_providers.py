"""A local aiohttp fake of Twilio's Messages API and Meta's Graph messages endpoint, recording requests."""

from __future__ import annotations

import asyncio
import base64
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class RecordedRequest:
    provider: str
    path: str
    headers: dict[str, str]
    form: dict[str, str] = field(default_factory=dict)
    json: Any = None


@dataclass
class FakeError:
    """The next responses fail with this status and provider error code."""

    status: int
    code: int
    message: str = "fake error"


@dataclass
class FakeProviders:
    """Credentials the fake accepts, what it received, and the failure it is told to return."""

    twilio_sid: str = "AC" + "0" * 32
    twilio_token: str = "twilio-token"
    meta_token: str = "meta-token"
    requests: list[RecordedRequest] = field(default_factory=list)
    twilio_error: FakeError | None = None
    twilio_error_times: int | None = None
    """How many requests twilio_error answers before the fake accepts again (None: until it is cleared)."""
    meta_error: FakeError | None = None
    twilio_delay_s: float = 0.0
    """How long Twilio takes to answer a send (a benchmark's provider latency)."""
    twilio_in_flight: int = 0
    twilio_max_in_flight: int = 0
    """The most sends being answered at once: above 1 when the sender overlapped them."""
    twilio_max_in_flight_to_one: int = 0
    """The most sends to one recipient from one number being answered at once: 1 when each person's go one
    after another. By sender too: tests sharing a database may push to the same phone of another tenant."""
    _in_flight_to: dict[str, int] = field(default_factory=dict)
    twilio_whatsapp_error: FakeError | None = None
    """Answers every WhatsApp send ("To" whatsapp:...) with this error while SMS still go through: a number
    WhatsApp refuses for good."""
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    """Media people sent, by id: (content type, bytes), served to whoever has the credentials."""
    media_fetches: list[RecordedRequest] = field(default_factory=list)
    """Every media download asked for, authorised or not."""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._twilio_messages)
        app.router.add_post("/{version}/{phone_number_id}/messages", self._meta_messages)
        app.router.add_get("/2010-04-01/Accounts/{sid}/Messages/{message}/Media/{media}", self._twilio_media)
        app.router.add_get("/meta-files/{media}", self._meta_file)
        app.router.add_get("/{version}/{media}", self._meta_media)
        return app

    def add_file(self, content_type: str, body: bytes) -> str:
        """Keep a file a person sent; its media id (a Twilio ME... or a Meta numeric id)."""
        media_id = "ME" + secrets.token_hex(16)
        self.files[media_id] = (content_type, body)
        return media_id

    def twilio_media_url(self, base_url: str, media_id: str) -> str:
        """The MediaUrl0 Twilio would post for the file."""
        message = "MM" + "0" * 32
        return f"{base_url}/2010-04-01/Accounts/{self.twilio_sid}/Messages/{message}/Media/{media_id}"

    def _twilio_authorised(self, request: web.Request) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.twilio_sid}:{self.twilio_token}".encode()).decode()
        return request.headers.get("Authorization") == expected

    async def _twilio_media(self, request: web.Request) -> web.Response:
        self.media_fetches.append(RecordedRequest("twilio", request.path, dict(request.headers)))
        if request.match_info["sid"] != self.twilio_sid or not self._twilio_authorised(request):
            return _twilio_error(401, 20003, "Authenticate")
        found = self.files.get(request.match_info["media"])
        if found is None:
            return _twilio_error(404, 20404, "The requested resource was not found")
        return web.Response(body=found[1], content_type=found[0])

    async def _meta_media(self, request: web.Request) -> web.Response:
        self.media_fetches.append(RecordedRequest("meta", request.path, dict(request.headers)))
        if request.headers.get("Authorization") != f"Bearer {self.meta_token}":
            return _meta_error(401, 190, "Invalid OAuth access token.")
        media_id = request.match_info["media"]
        found = self.files.get(media_id)
        if found is None:
            return _meta_error(404, 100, "Unsupported get request.")
        url = f"{request.scheme}://{request.host}/meta-files/{media_id}"
        return web.json_response(
            {"url": url, "mime_type": found[0], "file_size": len(found[1]), "id": media_id}
        )

    async def _meta_file(self, request: web.Request) -> web.Response:
        self.media_fetches.append(RecordedRequest("meta", request.path, dict(request.headers)))
        if request.headers.get("Authorization") != f"Bearer {self.meta_token}":
            return web.Response(status=401)
        found = self.files.get(request.match_info["media"])
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found[1], content_type=found[0])

    def of(self, provider: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.provider == provider]

    async def _twilio_messages(self, request: web.Request) -> web.Response:
        sid = request.match_info["sid"]
        expected = "Basic " + base64.b64encode(f"{self.twilio_sid}:{self.twilio_token}".encode()).decode()
        if sid != self.twilio_sid or request.headers.get("Authorization") != expected:
            return _twilio_error(401, 20003, "Authenticate")
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.requests.append(RecordedRequest("twilio", request.path, dict(request.headers), form=form))
        self.twilio_in_flight += 1
        self.twilio_max_in_flight = max(self.twilio_max_in_flight, self.twilio_in_flight)
        to = form.get("From", "") + ">" + form.get("To", "")
        self._in_flight_to[to] = self._in_flight_to.get(to, 0) + 1
        self.twilio_max_in_flight_to_one = max(self.twilio_max_in_flight_to_one, self._in_flight_to[to])
        try:
            if self.twilio_delay_s:
                await asyncio.sleep(self.twilio_delay_s)
        finally:
            self.twilio_in_flight -= 1
            self._in_flight_to[to] -= 1
        if self.twilio_error is not None:
            error = self.twilio_error
            if self.twilio_error_times is not None:
                self.twilio_error_times -= 1
                if self.twilio_error_times <= 0:
                    self.twilio_error, self.twilio_error_times = None, None
            return _twilio_error(error.status, error.code, error.message)
        whatsapp_error = self.twilio_whatsapp_error
        if whatsapp_error is not None and form.get("To", "").startswith("whatsapp:"):
            return _twilio_error(whatsapp_error.status, whatsapp_error.code, whatsapp_error.message)
        missing = [name for name in ("To", "From") if not form.get(name)]
        if missing or not (form.get("Body") or form.get("ContentSid") or form.get("MediaUrl")):
            return _twilio_error(400, 21602, "Message body is required.")
        payload = {
            "sid": "SM" + secrets.token_hex(16),
            "account_sid": sid,
            "to": form["To"],
            "from": form["From"],
            "body": form.get("Body", ""),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{sid}/Messages.json",
        }
        return web.json_response(payload, status=201)

    async def _meta_messages(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.meta_token}":
            return _meta_error(401, 190, "Invalid OAuth access token.")
        body = await request.json()
        self.requests.append(RecordedRequest("meta", request.path, dict(request.headers), json=body))
        if self.meta_error is not None:
            return _meta_error(self.meta_error.status, self.meta_error.code, self.meta_error.message)
        wamid = "wamid." + secrets.token_hex(12)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": wamid}],
            }
        )


def _twilio_error(status: int, code: int, message: str) -> web.Response:
    payload = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}"}
    return web.json_response({**payload, "status": status}, status=status)


def _meta_error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "fake"}},
        status=status,
    )
