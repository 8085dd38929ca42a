"""Logging: JSON lines with the extra fields, masked phone numbers, safe tracebacks, LOG_FORMAT."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot import cli, logs
from bot.settings import Settings

PHONE = "+5511987654321"
MASKED = "+55119****4321"
TEXT = "paguei 45 no mercado\nontem à noite"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger of its own writing JSON lines into a buffer through the production handler."""
    stream = io.StringIO()
    logger = logging.getLogger("centavo.test.logs")
    out = logs.handler("json", stream)
    logger.addHandler(out)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(out)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_object_a_line_with_its_extra_fields(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.info(
        "rate limited: deferred %.1f s",
        2.5,
        extra={"tenant_id": "7f1c", "message_id": "m-1", "route": "/webhooks/twilio", "outcome": "deferred"},
    )
    logger.warning("second", extra={"ms": 12.5})
    first, second = lines(stream)
    assert first["message"] == "rate limited: deferred 2.5 s"
    assert first["level"] == "INFO" and first["logger"] == "centavo.test.logs"
    assert first["ts"].endswith("+00:00") and "T" in first["ts"]
    assert first["tenant_id"] == "7f1c" and first["message_id"] == "m-1"
    assert first["route"] == "/webhooks/twilio" and first["outcome"] == "deferred"
    assert second["level"] == "WARNING" and second["ms"] == 12.5
    assert "args" not in first and "pathname" not in first  # LogRecord internals stay out


def test_phone_numbers_are_masked_in_messages_and_extras(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.warning("twilio message from %s", f"whatsapp:{PHONE}", extra={"recipient": "14155550100"})
    (line,) = lines(stream)
    assert PHONE not in stream.getvalue() and "987654321" not in stream.getvalue()
    assert line["message"] == f"twilio message from whatsapp:{MASKED}"
    assert line["recipient"] == "141****0100"


def test_masking_leaves_the_record_itself_alone_for_other_handlers(
    captured: tuple[logging.Logger, io.StringIO], caplog: pytest.LogCaptureFixture
) -> None:
    logger, stream = captured
    logger.propagate = True
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.warning("to %s", PHONE, extra={"recipient": PHONE})
    assert PHONE not in stream.getvalue()
    assert caplog.records
    for record in caplog.records:
        assert record.getMessage() == f"to {PHONE}" and record.__dict__["recipient"] == PHONE


@pytest.mark.parametrize(
    "kept",
    [
        "tenant 550e8400-e29b-41d4-a716-446655440000",
        "sid SM0123456789abcdef0123456789abcdef",
        "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA",
        "took 12.50 ms",
        "attempt 3",
    ],
)
def test_ids_and_figures_are_not_mistaken_for_phone_numbers(kept: str) -> None:
    assert logs.redact_phones(kept) == kept


def test_numbers_of_every_length_keep_only_a_prefix_and_the_last_four() -> None:
    assert logs.redact_phones(PHONE) == MASKED
    assert logs.redact_phones("+12025550123") == "+120****0123"
    assert logs.redact_phones("12345678") == "****5678"


class _DriverError(Exception):
    """Shaped like asyncpg's errors: the primary message in args, the row's values in `detail`."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.args[0]}\nDETAIL:  {self.detail}"


def _failing_database_call() -> None:
    try:
        raise _DriverError(
            'new row for relation "messages" violates check constraint "body_length"',
            f"Failing row contains ({PHONE}, {TEXT}).",
        )
    except _DriverError as exc:
        raise RuntimeError(f"statement failed\n[parameters: ({PHONE!r}, {TEXT!r})]") from exc


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_logged_traceback_keeps_the_error_but_not_the_row(log_format: str) -> None:
    stream = io.StringIO()
    logger = logging.getLogger(f"centavo.test.logs.{log_format}")
    logger.propagate = False
    logger.addHandler(logs.handler(log_format, stream))
    try:
        _failing_database_call()
    except RuntimeError:
        logger.exception("processing failed", extra={"tenant_id": "t1", "message_id": "m1"})
    out = stream.getvalue()
    if log_format == "json":
        (line,) = lines(stream)
        assert line["message"] == "processing failed" and line["message_id"] == "m1"
        assert line["exc"].startswith("Traceback (most recent call last):")
        out = line["exc"]
    assert "mercado" not in out and "ontem" not in out
    assert PHONE not in out and "987654321" not in out
    assert 'violates check constraint "body_length"' in out
    assert "_failing_database_call" in out and "direct cause" in out


def test_log_format_is_read_from_the_environment() -> None:
    assert Settings.from_env({"LOG_FORMAT": "TEXT"}).log_format == "text"
    assert Settings.from_env({}).log_format is None


def test_configure_replaces_the_root_handlers_and_refuses_an_unknown_format() -> None:
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    twilio = logging.getLogger("twilio")
    twilio_level = twilio.level
    stream = io.StringIO()
    try:
        with pytest.raises(logs.ValidationError):
            logs.configure("INFO", "xml", stream)
        assert root.handlers == saved  # nothing removed when the setting is wrong
        logs.configure("WARNING", "json", stream)
        logging.getLogger("centavo.test.root").warning("to %s", PHONE)
        logging.getLogger("centavo.test.root").info("below the level")
        logging.getLogger("twilio.http_client").warning("twilio's warnings pass")
        logs.configure("INFO", "json", stream)
        logging.getLogger("twilio.http_client").info("-- BEGIN Twilio API Request --")
    finally:
        root.handlers[:] = saved
        root.setLevel(level)
        twilio.setLevel(twilio_level)
    first, second = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert first["message"] == f"to {MASKED}"
    assert second["message"] == "twilio's warnings pass"


def test_serve_with_an_unknown_log_format_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "xml")
    assert cli.main(["serve"]) == 2
    assert "LOG_FORMAT" in capsys.readouterr().err


def test_query_strings_lose_their_secret_values_only() -> None:
    pairs = [("hub.mode", "subscribe"), ("hub.verify_token", "s3cret-token"), ("hub.challenge", "1158201444")]
    query = logs.redact_query(pairs)
    assert "s3cret" not in query
    assert query == "hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=1158201444"
