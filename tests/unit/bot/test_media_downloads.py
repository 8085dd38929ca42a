"""Downloading a photo from the provider that holds it: with its credentials, and refused by type or size
before the download completes (a local fake of Twilio's and Meta's media endpoints)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.channels.downloads import (
    LocalFiles,
    MediaRefused,
    MediaUnavailable,
    MetaMedia,
    TwilioMedia,
)
from tests.integration.fake_providers import FakeProviders

JPEG = b"\xff\xd8\xff\xe0" + b"receipt" * 100
CHUNK_64K = b"\xff" * 65536


@pytest.fixture
async def fake(aiohttp_server) -> AsyncIterator[tuple[FakeProviders, TestServer]]:
    providers = FakeProviders()
    server = await aiohttp_server(providers.app())
    yield providers, server


def base(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


async def test_twilio_media_is_fetched_with_the_account_credentials(fake) -> None:
    providers, server = fake
    url = providers.twilio_media_url(base(server), providers.add_file("image/jpeg", JPEG))
    fetcher = TwilioMedia(providers.twilio_sid, providers.twilio_token, base(server))
    try:
        download = await fetcher.fetch(url)
    finally:
        await fetcher.close()
    assert (download.body, download.content_type) == (JPEG, "image/jpeg")
    assert providers.media_fetches[0].headers["Authorization"].startswith("Basic ")


async def test_wrong_credentials_or_a_missing_file_are_refused_for_good(fake) -> None:
    providers, server = fake
    url = providers.twilio_media_url(base(server), providers.add_file("image/jpeg", JPEG))
    wrong = TwilioMedia(providers.twilio_sid, "not-the-token", base(server))
    right = TwilioMedia(providers.twilio_sid, providers.twilio_token, base(server))
    try:
        with pytest.raises(MediaRefused) as refused:
            await wrong.fetch(url)
        assert refused.value.reason == "gone"
        with pytest.raises(MediaRefused) as missing:
            await right.fetch(providers.twilio_media_url(base(server), "ME" + "0" * 32))
        assert missing.value.reason == "gone"
    finally:
        await wrong.close()
        await right.close()


async def test_credentials_go_only_to_twilio(fake) -> None:
    """A media URL on another host is neither fetched nor sent our credentials."""
    providers, server = fake
    fetcher = TwilioMedia(providers.twilio_sid, providers.twilio_token)  # no test base: only api.twilio.com
    url = providers.twilio_media_url(base(server), providers.add_file("image/jpeg", JPEG))
    try:
        with pytest.raises(MediaRefused):
            await fetcher.fetch(url)
    finally:
        await fetcher.close()
    assert providers.media_fetches == []


@pytest.mark.parametrize("content_type", ["audio/ogg", "application/pdf", "text/html"])
async def test_what_is_not_an_image_is_refused(fake, content_type: str) -> None:
    providers, server = fake
    url = providers.twilio_media_url(base(server), providers.add_file(content_type, b"x" * 10))
    fetcher = TwilioMedia(providers.twilio_sid, providers.twilio_token, base(server))
    try:
        with pytest.raises(MediaRefused) as refused:
            await fetcher.fetch(url)
    finally:
        await fetcher.close()
    assert refused.value.reason == "not_image"


async def test_a_file_over_the_limit_is_refused_before_it_is_read(aiohttp_server) -> None:
    """The announced length refuses it; a server that announces none is cut off past the limit."""
    sent: list[int] = []

    async def announced(request: web.Request) -> web.Response:
        return web.Response(body=b"\xff" * 2000, content_type="image/jpeg")

    async def streamed(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "image/jpeg"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for _ in range(1024):  # 64 MB: far more than socket buffers hold for a reader that stopped
                await response.write(CHUNK_64K)
                sent.append(len(CHUNK_64K))
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    app = web.Application()
    app.router.add_get("/announced", announced)
    app.router.add_get("/streamed", streamed)
    server = await aiohttp_server(app)
    fetcher = TwilioMedia("AC1", "token", base(server))
    try:
        for path in ("/announced", "/streamed"):
            with pytest.raises(MediaRefused) as refused:
                await fetcher.fetch(base(server) + path, limit=1500)
            assert refused.value.reason == "too_big"
    finally:
        await fetcher.close()
    assert sum(sent) < 1024 * len(CHUNK_64K)  # the download stopped long before the server's last byte


async def test_a_provider_failing_for_now_raises_unavailable(aiohttp_server) -> None:
    async def down(request: web.Request) -> web.Response:
        return web.Response(status=503)

    app = web.Application()
    app.router.add_get("/m", down)
    server = await aiohttp_server(app)
    fetcher = TwilioMedia("AC1", "token", base(server))
    try:
        with pytest.raises(MediaUnavailable):
            await fetcher.fetch(base(server) + "/m")
    finally:
        await fetcher.close()


async def test_meta_media_is_looked_up_then_fetched_with_the_token(fake) -> None:
    providers, server = fake
    media_id = providers.add_file("image/png", JPEG)
    fetcher = MetaMedia(providers.meta_token, base(server) + "/v19.0")
    try:
        download = await fetcher.fetch(media_id)
        with pytest.raises(MediaRefused) as too_big:
            await fetcher.fetch(media_id, limit=10)  # the size Meta announces refuses it
    finally:
        await fetcher.close()
    assert (download.body, download.content_type) == (JPEG, "image/png")
    paths = [r.path for r in providers.media_fetches]
    assert paths == [f"/v19.0/{media_id}", f"/meta-files/{media_id}", f"/v19.0/{media_id}"]
    assert {r.headers["Authorization"] for r in providers.media_fetches} == {f"Bearer {providers.meta_token}"}
    assert too_big.value.reason == "too_big"


async def test_console_files_are_read_from_disk(tmp_path) -> None:
    photo = tmp_path / "recibo.jpg"
    photo.write_bytes(JPEG)
    files = LocalFiles()
    assert (await files.fetch(str(photo))).body == JPEG
    with pytest.raises(MediaRefused):
        await files.fetch(str(tmp_path / "missing.jpg"))
    with pytest.raises(MediaRefused):
        await files.fetch(str(photo), limit=10)
